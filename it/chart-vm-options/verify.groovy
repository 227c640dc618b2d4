// Every XML form of the new <vm> settings reaches values.yaml and the rendered VirtualMachine.
import com.marcnuri.helm.Helm

def chart = new File(basedir, 'target/helm/vm-options')
def values = new File(chart, 'values.yaml').text
['cpuSockets: 2', 'cpuThreads: 2', 'cpuModel: "host-passthrough"', 'secureBoot: true',
 '"kubernetes.io/arch": "amd64"', 'type: "configDrive"', 'pullMethod: "pod"',
 'secretRef: "registry-credentials"', 'certConfigMap: "registry-ca"', 'name: "windows.11"',
 'kind: "VirtualMachinePreference"', 'emptyDiskCapacity: "10Gi"', 'persistentVolumeClaim: "vm-options-data"',
 'bus: "scsi"'].each {
  assert values.contains(it) : "values.yaml lacks ${it}"
}
def secret = new File(chart, 'templates/cloudinit-secret.yaml').text
def network = new File(basedir, 'src/main/cloud/network-config').bytes.encodeBase64().toString()
assert secret.contains("networkdata: ${network}")

def tgz = new File(basedir, 'target/vm-options-1.0.0.tgz')
assert tgz.isFile()
def rendered = new Helm(tgz.toPath()).template().withKubeVersion('1.33.0').withName('it').call()
['sockets: 2', 'threads: 2', 'model: "host-passthrough"', 'secureBoot: true', 'smm:', 'kubernetes.io/arch: amd64',
 'cloudInitConfigDrive:', 'networkDataSecretRef:', 'pullMethod: pod', 'secretRef: "registry-credentials"',
 'certConfigMap: "registry-ca"', 'capacity: "10Gi"', 'claimName: "vm-options-data"', 'kind: VirtualMachinePreference'].each {
  assert rendered.contains(it) : "rendered chart lacks ${it}:\n${rendered}"
}
return true
