package dev.vmpackager.image;

import java.nio.file.Path;
import java.util.UUID;

/**
 * Names for write-then-rename. Unlike {@code Files.createTempFile} (mode 0600), nothing is created,
 * so the final file gets the usual permissions of the user's umask.
 */
final class TempPaths {

  private TempPaths() {}

  /** @return a not-yet-existing hidden sibling of {@code target}, in the same folder (same file system) */
  static Path sibling(Path target) {
    Path t = target.toAbsolutePath();
    return t.resolveSibling("." + t.getFileName() + "." + UUID.randomUUID() + ".tmp");
  }
}
