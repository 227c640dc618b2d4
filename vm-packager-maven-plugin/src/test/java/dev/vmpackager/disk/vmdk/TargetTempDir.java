package dev.vmpackager.disk.vmdk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * Puts {@code @TempDir} folders under the module's {@code target/tmp}: the JDK reads
 * {@code java.io.tmpdir} before surefire sets it, so the default factory would write to /tmp.
 */
public final class TargetTempDir implements TempDirFactory {

  @Override
  public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext context) throws IOException {
    Path base = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("target").resolve("tmp");
    return Files.createTempDirectory(Files.createDirectories(base), "junit");
  }
}
