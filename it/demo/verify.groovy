// Checks what `mvn -o package` of the demo produced, with qemu-img and skopeo as oracles.
import java.util.zip.GZIPInputStream
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream

def target = new File(basedir, 'target')
def run = { List<String> cmd ->
  def p = new ProcessBuilder(cmd).redirectErrorStream(true).start()
  def out = p.inputStream.text
  assert p.waitFor() == 0 : "${cmd} failed:\n${out}"
  out
}

// 1. The converted disk: identical guest content, a clean qcow2.
def disk = new File(target, 'vm/demo-vm.qcow2')
assert disk.isFile() : "no converted disk ${disk}"
run(['qemu-img', 'compare', '-f', 'vmdk', '-F', 'qcow2', new File(basedir, 'src/main/vm/demo-vm.vmdk').path, disk.path])
run(['qemu-img', 'check', '-f', 'qcow2', disk.path])

// 2. The containerDisk image tar, read back by skopeo.
def tar = new File(target, 'demo-vm-1.0-SNAPSHOT-containerdisk.tar')
assert tar.isFile() : "no image tar ${tar}"
def inspect = run(['skopeo', 'inspect', "oci-archive:${tar.path}".toString()])
assert inspect.contains('"Architecture": "amd64"') : inspect
// The image's state, in its own folder (the image is localhost:5000/demo/demo-vm-containerdisk:1.0-SNAPSHOT).
def digest = new File(target, 'vm/containerdisk/localhost+5000/demo/demo-vm-containerdisk+1.0-SNAPSHOT/image.digest')
assert digest.text.trim() == new groovy.json.JsonSlurper().parseText(inspect).Digest

// 3. The chart: directory and reproducible package, VirtualMachine with runStrategy.
def chartDir = new File(target, 'helm/demo-vm')
assert new File(chartDir, 'Chart.yaml').text.contains('version: "1.0.0-SNAPSHOT"')
def tgz = new File(target, 'demo-vm-1.0.0-SNAPSHOT.tgz')
assert tgz.isFile() : "no chart package ${tgz}"
def names = []
new TarArchiveInputStream(new GZIPInputStream(new FileInputStream(tgz))).withCloseable { tin ->
  def e
  while ((e = tin.nextEntry) != null) { names << e.name }
}
assert names.contains('demo-vm/Chart.yaml') : names
assert names.contains('demo-vm/values.yaml') : names
assert names.every { it.startsWith('demo-vm/') } : names
// 4. Outputs have the umask's modes, as a file or folder newly made beside them (not a temp file's 0600/0700).
def probe = { File dir, boolean folder ->
  def p = dir.toPath().resolve('.umask-probe')
  folder ? java.nio.file.Files.createDirectory(p) : java.nio.file.Files.createFile(p)
  try { java.nio.file.Files.getPosixFilePermissions(p) } finally { java.nio.file.Files.delete(p) }
}
[tgz, chartDir, new File(chartDir, 'templates'), new File(chartDir, 'values.yaml'), disk, tar].each { f ->
  def mode = java.nio.file.Files.getPosixFilePermissions(f.toPath())
  def expected = probe(f.parentFile, f.isDirectory())
  assert mode == expected : "${f} has ${mode}, a new ${f.isDirectory() ? 'folder' : 'file'} there has ${expected}"
}

def build = new File(basedir, 'build.log').text
assert build.contains('BUILD SUCCESS')
return true
