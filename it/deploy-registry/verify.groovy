// Reads back what `mvn deploy` pushed: the image with skopeo, the chart's manifest over HTTP and
// the chart itself with real Helm (helm-java) from oci://.
import com.marcnuri.helm.Helm
import groovy.json.JsonSlurper

def registry = System.properties.get('vmpackager.it.registry')
try {
  def host = registry.hostPort()
  def target = new File(basedir, 'target')

  // The image: the pushed digest is the built one.
  def builtDigest = new File(target, "vm/containerdisk/${host.replace(':', '+')}/it/deploy-vm+1.0.0/image.digest").text.trim()
  def inspect = new JsonSlurper().parseText(registry.skopeo('inspect', "docker://${host}/it/deploy-vm:1.0.0".toString()))
  assert inspect.Digest == builtDigest : "pushed ${inspect.Digest}, built ${builtDigest}"
  assert inspect.Layers.size() == 1
  // OCI manifest annotations from the project (the push sent the manifest containerize wrote).
  def imageManifest = new JsonSlurper().parseText(registry.skopeo('inspect', '--raw', "docker://${host}/it/deploy-vm:1.0.0".toString()))
  assert imageManifest.annotations['org.opencontainers.image.version'] == '1.0.0' : imageManifest
  assert imageManifest.annotations['org.opencontainers.image.title'] == 'deploy-vm' : imageManifest

  // The chart: the manifest Helm itself writes.
  def conn = new URL("http://${host}/v2/charts/deploy-vm/manifests/1.0.0").openConnection()
  conn.setRequestProperty('Accept', 'application/vnd.oci.image.manifest.v1+json')
  def manifest = new JsonSlurper().parseText(conn.inputStream.text)
  assert manifest.config.mediaType == 'application/vnd.cncf.helm.config.v1+json'
  assert manifest.layers*.mediaType == ['application/vnd.cncf.helm.chart.content.v1.tar+gzip']
  assert manifest.annotations['org.opencontainers.image.title'] == 'deploy-vm'
  assert manifest.annotations['org.opencontainers.image.version'] == '1.0.0'

  // Helm renders the chart from the registry.
  def rendered = Helm.template("oci://${host}/charts/deploy-vm".toString())
      .withVersion('1.0.0').withName('it').withKubeVersion('1.33.0').plainHttp().call()
  assert rendered.contains('kind: VirtualMachine') : rendered
  assert rendered.contains("${host}/it/deploy-vm") : rendered

  // The chart also went to the Maven repository as the project's artifact.
  assert new File(target, 'repo/dev/vmpackager/it/deploy-vm/1.0.0/deploy-vm-1.0.0.tgz').isFile()
} finally {
  registry.close()
}
return true
