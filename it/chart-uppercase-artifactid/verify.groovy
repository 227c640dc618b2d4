// Both invocations write to build.log: the deploy with the offline advice, then the plain offline deploy.
import java.util.zip.GZIPInputStream
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream

def target = new File(basedir, 'target')
def log = new File(basedir, 'build.log').text

// The defaults were made valid, and the build said where each came from.
assert log.contains("chart name 'myvm' (from artifactId 'MyVM')") : log
assert log.contains("VM name 'myvm' (from artifactId 'MyVM')")
assert log.contains("image 'myvm-containerdisk:1.0-SNAPSHOT' (from artifactId-containerdisk:version 'MyVM-containerdisk:1.0-SNAPSHOT')")
assert new File(target, 'vm/myvm.qcow2').isFile()
assert new File(target, 'MyVM-1.0-SNAPSHOT-containerdisk.tar').isFile()
def values = new File(target, 'helm/myvm/values.yaml').text
assert values.contains('  name: "myvm"\n') : values
assert values.contains('  repository: "myvm-containerdisk"\n') : values
def tgz = new File(target, 'myvm-1.0.0-SNAPSHOT.tgz')
def names = []
new TarArchiveInputStream(new GZIPInputStream(new FileInputStream(tgz))).withCloseable { tin ->
  def e
  while ((e = tin.nextEntry) != null) { names << e.name }
}
assert names.contains('myvm/Chart.yaml') : names

// 1. Offline deploy with the advice the push goal gives: push and maven-deploy-plugin skipped, success.
assert log.contains('Skipping vm-packager:push')
assert log.contains('Skipping artifact deployment')
assert log.contains('BUILD SUCCESS')

// 2. Offline deploy without it: the push goal refuses and says what works.
assert log.contains('Maven is offline (-o): cannot push the image myvm-containerdisk:1.0-SNAPSHOT')
assert log.contains('-Dvm.push.skip=true -Dmaven.deploy.skip=true')
assert log.contains('BUILD FAILURE')
return true
