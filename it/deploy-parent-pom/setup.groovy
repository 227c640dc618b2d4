// Starts a real registry (Debian's docker-registry) on the port the parent pom names.
import dev.vmpackager.testing.LocalRegistry
import java.nio.file.Path

int port = Integer.parseInt(registryPort2)
def registry = LocalRegistry.start(Path.of(basedir.path, 'target', 'registry'), port, false, false)
System.properties.put('vmpackager.it.registry2', registry)
Runtime.runtime.addShutdownHook(new Thread({ registry.close() }))
return true
