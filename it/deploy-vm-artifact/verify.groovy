// Reads back what `mvn deploy` pushed to vm.artifact.repository as KubeVirt's hack/oci-import.sh
// --registry does: `skopeo copy docker://... oci:DIR` (the same manifest digest as the built
// target/<finalName>-vm.oci.tar), the manifest's raw+zstd layers decompressed with the zstd command
// and compared with their source disks by qemu-img, the config's claims named like the layers.
import dev.vmpackager.testing.QemuImg
import groovy.json.JsonSlurper
import java.nio.file.Files
import java.nio.file.Path

def registry = System.properties.get('vmpackager.it.registry')
def run = { File dir, List<String> cmd ->
  def p = new ProcessBuilder(cmd).directory(dir).redirectErrorStream(true).start()
  def out = p.inputStream.text
  assert p.waitFor() == 0 : "${cmd} failed:\n${out}"
  out
}
try {
  def host = registry.hostPort()
  def target = new File(basedir, 'target')
  def log = new File(basedir, 'build.log').text

  // The built artifact, as tar xf leaves it.
  def tar = new File(target, 'deploy-vm-artifact-1.0.0-vm.oci.tar')
  assert tar.isFile() : 'vm-artifact wrote no ' + tar
  def extracted = new File(target, 'extracted')
  extracted.mkdirs()
  run(target, ['tar', 'xf', tar.path, '-C', extracted.path])
  def builtIndex = new JsonSlurper().parse(new File(extracted, 'index.json'))
  def builtManifestDigest = builtIndex.manifests[0].digest

  // Read back from the registry.
  def layout = new File(target, 'pulled')
  registry.skopeo('copy', "docker://${host}/vms/deploy-vm-artifact:1.0.0".toString(), "oci:${layout}".toString())
  assert new File(layout, 'oci-layout').isFile()
  def index = new JsonSlurper().parse(new File(layout, 'index.json'))
  assert index.manifests[0].digest == builtManifestDigest : "pulled ${index.manifests[0].digest}, built ${builtManifestDigest}"
  def blob = { String digest -> new File(layout, 'blobs/sha256/' + digest.substring(7)) }
  def manifest = new JsonSlurper().parse(blob(builtManifestDigest))
  assert manifest.artifactType == 'application/vnd.kubevirt.virtualmachine.v1'
  assert manifest.config.mediaType == 'application/vnd.kubevirt.virtualmachine.config.v1+json'
  def layers = manifest.layers.findAll { it.mediaType == 'application/vnd.kubevirt.disk.raw+zstd' }
  assert layers*.annotations*.get('io.kubevirt.disk.name') == ['rootdisk', 'data']
  assert layers*.annotations*.get('io.kubevirt.disk.size') == ['16Mi', '4099Ki']

  // Each disk read back decompresses to its source.
  def sources = ['rootdisk': new File(target, 'sources/os.raw'), 'data': new File(target, 'sources/data.raw')]
  layers.each { layer ->
    def name = layer.annotations['io.kubevirt.disk.name']
    def raw = new File(target, "${name}.raw")
    run(target, ['zstd', '-d', '-q', '-f', blob(layer.digest).path, '-o', raw.path])
    QemuImg.assertIdentical(sources[name].toPath(), 'raw', raw.toPath(), 'raw')
  }

  // The VirtualMachine: every disk a claim named like its volume and its layer, cloud-init inline.
  def vm = new JsonSlurper().parse(blob(manifest.config.digest))
  assert vm.kind == 'VirtualMachine' && vm.metadata.name == 'deploy-vm-artifact'
  def volumes = vm.spec.template.spec.volumes
  assert volumes.findAll { it.persistentVolumeClaim }.collect { [it.name, it.persistentVolumeClaim.claimName] } ==
      [['rootdisk', 'rootdisk'], ['data', 'data']]
  def cloudInit = volumes.find { it.name == 'cloudinitdisk' }.cloudInitNoCloud
  assert new String(cloudInit.userDataBase64.decodeBase64()) == new File(basedir, 'src/main/cloud-init/user-data').text
  assert vm.spec.template.spec.domain.memory.guest == '256Mi'

  assert log.contains("Pushed VM artifact ${host}/vms/deploy-vm-artifact:1.0.0")
  // The images and the chart went where they always go.
  assert log.contains("Pushed image ${host}/it/deploy-vm-artifact:1.0.0@")
  assert new File(target, 'repo/dev/vmpackager/it/deploy-vm-artifact/1.0.0/deploy-vm-artifact-1.0.0.tgz').isFile()
} finally {
  registry.close()
}
return true
