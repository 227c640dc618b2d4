// Reads back what `mvn deploy` pushed for the two executions: each tag holds the disk its own
// execution built (layer digest and the file under /disk/), never the other's.
import groovy.json.JsonSlurper
import java.util.zip.GZIPInputStream
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream

def registry = System.properties.get('vmpackager.it.registry')
try {
  def host = registry.hostPort()
  def target = new File(basedir, 'target')
  def json = new JsonSlurper()
  def images = [
      [repo: 'it/two-os', tar: 'two-vm-1.0.0-containerdisk.tar', file: 'disk/two-vm.qcow2'],
      [repo: 'it/two-data', tar: 'two-vm-data-containerdisk.tar', file: 'disk/two-vm-data.qcow2'],
  ]
  def layers = []
  images.each { image ->
    def ref = "${host}/${image.repo}:1.0.0".toString()
    // What containerize built for this image: its tar.
    def built = json.parseText(registry.skopeo('inspect', "oci-archive:${new File(target, image.tar)}".toString()))
    // What the registry holds under the tag.
    def pushed = json.parseText(registry.skopeo('inspect', "docker://${ref}".toString()))
    assert pushed.Digest == built.Digest : "${ref}: pushed ${pushed.Digest}, built ${built.Digest}"
    assert pushed.Layers == built.Layers : "${ref}: pushed layers ${pushed.Layers}, built ${built.Layers}"
    // The layer under the tag holds this execution's disk file, and nothing else.
    def copy = new File(target, "pulled-${image.repo.replace('/', '-')}")
    registry.skopeo('copy', "docker://${ref}".toString(), "oci:${copy}:x".toString())
    def blob = new File(copy, "blobs/sha256/${pushed.Layers[0].substring(7)}")
    def names = []
    new TarArchiveInputStream(new GZIPInputStream(new FileInputStream(blob))).withCloseable { tin ->
      def e
      while ((e = tin.nextEntry) != null) { names << e.name }
    }
    assert names == ['disk/', image.file] : "${ref} holds ${names}"
    layers << pushed.Layers[0]
    // The digest in the image's own state folder.
    def state = new File(target, "vm/containerdisk/${host.replace(':', '+')}/${image.repo}+1.0.0")
    assert new File(state, 'image.digest').text.trim() == built.Digest : "state of ${ref} in ${state}"
  }
  assert layers[0] != layers[1] : 'two disks, two layers'
  // No state file is shared by the two images.
  assert !new File(target, 'vm/image.digest').exists()
  assert !new File(target, 'vm/containerdisk.properties').exists()

  def log = new File(basedir, 'build.log').text
  assert log.contains("Pushed image ${host}/it/two-os:1.0.0@")
  assert log.contains("Pushed image ${host}/it/two-data:1.0.0@")
  // The chart went once, with the OS image.
  assert log.count("Pushed chart ${host}/charts/two-vm:1.0.0@") == 1 : log
} finally {
  registry.close()
}
return true
