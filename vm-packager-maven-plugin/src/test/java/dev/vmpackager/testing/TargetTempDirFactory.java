package dev.vmpackager.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * Makes {@code @TempDir} folders under {@code target/test-tmp/} instead of the system's /tmp, so tests
 * write only inside the build directory: {@code @TempDir}.
 */
public final class TargetTempDirFactory implements TempDirFactory {

  @Override
  public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext context) throws IOException {
    Path base = Files.createDirectories(Path.of("target", "test-tmp").toAbsolutePath());
    String name = context.getTestClass().map(Class::getSimpleName).orElse("test");
    return Files.createTempDirectory(base, name + "-");
  }
}
