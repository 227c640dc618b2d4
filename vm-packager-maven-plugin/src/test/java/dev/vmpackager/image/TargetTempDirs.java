package dev.vmpackager.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/** {@code @TempDir(factory = TargetTempDirs.class)}: temporary folders under {@code target/tmp}, never /tmp. */
public final class TargetTempDirs implements TempDirFactory {

  @Override
  public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext context) throws IOException {
    Path root = Files.createDirectories(Path.of("target", "tmp").toAbsolutePath());
    return Files.createTempDirectory(root, "image-" + context.getRequiredTestClass().getSimpleName() + "-");
  }
}
