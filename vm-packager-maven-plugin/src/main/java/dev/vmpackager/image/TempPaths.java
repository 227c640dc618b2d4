package dev.vmpackager.image;

import dev.vmpackager.io.DiskFullException;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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

  /**
   * Writes a small text file atomically: to a {@link #sibling} first, renamed on success, removed on
   * failure; a full disk ends in a {@link DiskFullException} naming {@code target}.
   */
  static void writeString(Path target, String text, Charset charset) throws IOException {
    Files.createDirectories(target.toAbsolutePath().getParent());
    Path tmp = sibling(target);
    try {
      Files.writeString(tmp, text, charset);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw DiskFullException.named(e, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
