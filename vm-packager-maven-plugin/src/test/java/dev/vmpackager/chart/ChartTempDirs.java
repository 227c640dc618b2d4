package dev.vmpackager.chart;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * Puts {@code @TempDir} folders under {@code target/test-tmp/}: the JDK reads java.io.tmpdir before
 * surefire sets it, so JUnit's default would write to the system's /tmp.
 */
public final class ChartTempDirs implements TempDirFactory {

  @Override
  public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext context) throws IOException {
    Path base = Files.createDirectories(Path.of("target", "test-tmp").toAbsolutePath());
    return Files.createTempDirectory(base, context.getTestClass().map(Class::getSimpleName).orElse("test") + "-");
  }
}
