// Starts a real registry (Debian's docker-registry) on the port the pom names, and writes the second
// (data) disk: a raw disk whose content differs from the demo's.
import dev.vmpackager.testing.LocalRegistry
import dev.vmpackager.testing.PatternedDisk
import java.nio.file.Files
import java.nio.file.Path

// An earlier project's registry on the same port is still up if its build failed before its verify.
System.properties.remove('vmpackager.it.registry')?.close()
int port = Integer.parseInt(registryPort)
def registry = LocalRegistry.start(Path.of(basedir.path, 'target', 'registry'), port, false, false)
System.properties.put('vmpackager.it.registry', registry)
Runtime.runtime.addShutdownHook(new Thread({ registry.close() }))
PatternedDisk.create(Files.createDirectories(Path.of(basedir.path, 'disks')).resolve('data.img'), 4L << 20, 7)
return true
