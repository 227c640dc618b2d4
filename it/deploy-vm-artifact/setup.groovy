// Writes the VM's two disks into src/main/vm/ (a qcow2 OS disk and a raw data disk whose size is
// no whole MiB), keeps their raw sources for verify.groovy's qemu-img compare, and starts a real
// registry (Debian's docker-registry) on the port the pom names, for this build only.
import dev.vmpackager.testing.LocalRegistry
import dev.vmpackager.testing.PatternedDisk
import dev.vmpackager.testing.QemuImg
import java.nio.file.Files
import java.nio.file.Path

Path base = basedir.toPath()
Path sources = Files.createDirectories(base.resolve('target/sources'))
Path vm = Files.createDirectories(base.resolve('src/main/vm'))
Path osRaw = PatternedDisk.create(sources.resolve('os.raw'), 16L << 20, 7)
QemuImg.convert(osRaw, vm.resolve('os.qcow2'), 'qcow2')
Path dataRaw = PatternedDisk.create(sources.resolve('data.raw'), (4L << 20) + 3 * 1024, 8)
Files.copy(dataRaw, vm.resolve('data.img'), java.nio.file.StandardCopyOption.REPLACE_EXISTING)

int port = Integer.parseInt(registryPort)
def registry = LocalRegistry.start(base.resolve('target/registry'), port, false, false)
System.properties.put('vmpackager.it.registry', registry)
// Stop it with the JVM even when the build fails and verify.groovy never runs.
Runtime.runtime.addShutdownHook(new Thread({ registry.close() }))
return true
