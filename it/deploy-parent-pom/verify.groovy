// The child inherited registry, chart repository and VM defaults, and overrode the memory.
import com.marcnuri.helm.Helm
import groovy.json.JsonSlurper

def registry = System.properties.get('vmpackager.it.registry2')
try {
  def host = registry.hostPort()
  def app = new File(basedir, 'app-a/target')
  def builtDigest = new File(app, "vm/containerdisk/${host.replace(':', '+')}/edge/app-a+2.1.0-SNAPSHOT/image.digest").text.trim()
  def inspect = new JsonSlurper().parseText(registry.skopeo('inspect', "docker://${host}/edge/app-a:2.1.0-SNAPSHOT".toString()))
  assert inspect.Digest == builtDigest

  def rendered = Helm.template("oci://${host}/edge-charts/app-a".toString())
      .withVersion('2.1.0-SNAPSHOT').withName('it').withKubeVersion('1.33.0').plainHttp().call()
  assert rendered.contains('kind: VirtualMachine') : rendered
  assert rendered.contains('guest: "512Mi"') : rendered    // the child's own value
  assert rendered.contains('cores: 2') : rendered          // the parent's default
  assert rendered.contains('terminationGracePeriodSeconds: 30') : rendered
  def log = new File(basedir, 'build.log').text
  assert log.contains('pre-release') || log.contains('SNAPSHOT') : 'the SNAPSHOT chart push is stated in the log'
} finally {
  registry.close()
}
return true
