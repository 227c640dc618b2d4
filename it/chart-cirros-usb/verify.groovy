// The chart goal configured in XML: files, values, attachment and a byte-identical repeat.
def target = new File(basedir, 'target')
def chart = new File(target, 'helm/vm-cirros')
def tgz = new File(target, 'vm-cirros-1.0.0-SNAPSHOT.tgz')
assert tgz.isFile()
['Chart.yaml', 'values.yaml', 'values.schema.json', 'README.md', 'kubevirt-usb.yaml',
 'templates/_helpers.tpl', 'templates/virtualmachine.yaml', 'templates/service.yaml',
 'templates/cloudinit-secret.yaml', 'templates/NOTES.txt', 'templates/configmap.yaml'].each {
  assert new File(chart, it).isFile() : "missing ${it}"
}
def chartYaml = new File(chart, 'Chart.yaml').text
assert chartYaml.contains('version: "1.0.0-SNAPSHOT"')
assert chartYaml.contains('appVersion: "1.0-SNAPSHOT"')
def values = new File(chart, 'values.yaml').text
assert values.contains('memory: "64M"')
assert values.contains('terminationGracePeriodSeconds: 0')
['wifi-dongle-1', 'wifi-dongle-2', 'wifi-dongle-3', 'gsm-dongle'].each {
  assert values.contains("name: \"${it}\"") : "host device ${it}"
}
assert values.contains('port: 22')
def secret = new File(chart, 'templates/cloudinit-secret.yaml').text
def userData = new File(basedir, 'src/main/cloud/user-data').bytes.encodeBase64().toString()
assert secret.contains("userdata: ${userData}")
def log = new File(basedir, 'build.log').text
assert log.contains('Packaged chart')
assert !log.contains('[WARNING] <vm><runStrategy>')
// Entries: sorted, under vm-cirros/, mode 0644, the outputTimestamp.
def listing = ['tar', 'tzvf', tgz.path].execute()
def out = listing.text
assert listing.waitFor() == 0
def lines = out.readLines()
assert lines.every { it.startsWith('-rw-r--r-- 0/0') && it.contains('2026-01-01 00:00 vm-cirros/') } : out
def names = lines.collect { it.substring(it.indexOf('vm-cirros/')) }
assert names == names.sort(false) : out
return true
