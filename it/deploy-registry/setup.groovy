// Starts a real registry (Debian's docker-registry) on the port the pom names, for this build only.
import dev.vmpackager.testing.LocalRegistry
import java.nio.file.Path

int port = Integer.parseInt(registryPort)
def registry = LocalRegistry.start(Path.of(basedir.path, 'target', 'registry'), port, false, false)
System.properties.put('vmpackager.it.registry', registry)
// Stop it with the JVM even when the build fails and verify.groovy never runs.
Runtime.runtime.addShutdownHook(new Thread({ registry.close() }))
return true
