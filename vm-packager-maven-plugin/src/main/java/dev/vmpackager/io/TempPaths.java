package dev.vmpackager.io;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The temporary files and folders of write-then-rename, for every output the plugin writes: created
 * beside the output (same file system, so the rename is atomic), hidden, under a name no one else uses.
 *
 * <p>They are made with {@link Files#createFile} and {@link Files#createDirectory}, whose mode comes
 * from the umask like any other Maven output's (typically 0644 and 0755). Not with
 * {@code Files.createTempFile}/{@code createTempDirectory}: those make 0600/0700, and the rename
 * would keep that private mode on the output (a chart only its builder can read).
 */
public final class TempPaths {

  /**
   * Numbers the names; seeded from the clocks so two JVMs do not start alike. Not a random UUID:
   * its SecureRandom loads the security providers, tens of milliseconds in a fresh JVM. A name
   * that exists anyway (another process's file) is never touched: the next number is tried.
   */
  private static final AtomicLong COUNTER = new AtomicLong(System.nanoTime() ^ System.currentTimeMillis() << 20);

  private static final int ATTEMPTS = 100;

  private TempPaths() {}

  /**
   * @param target the output the file will be renamed to
   * @return a new empty file {@code .<target name>.<n>.tmp} in the target's folder (created when missing)
   * @throws IOException when it cannot be created
   */
  public static Path createFile(Path target) throws IOException {
    return create(target, false);
  }

  /**
   * @param target the output folder this folder will be renamed to
   * @return a new empty folder {@code .<target name>.<n>.tmp} beside the target (its parent is created when missing)
   * @throws IOException when it cannot be created
   */
  public static Path createDirectory(Path target) throws IOException {
    return create(target, true);
  }

  private static Path create(Path target, boolean directory) throws IOException {
    Path t = target.toAbsolutePath();
    Files.createDirectories(t.getParent());
    for (int attempt = 0; ; attempt++) {
      Path tmp = t.resolveSibling("." + t.getFileName() + "." + Long.toHexString(COUNTER.incrementAndGet()) + ".tmp");
      try {
        return directory ? Files.createDirectory(tmp) : Files.createFile(tmp);
      } catch (FileAlreadyExistsException e) {
        if (attempt == ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  /**
   * Writes a small text file atomically: to a {@link #createFile} first, renamed on success, removed
   * on failure; a full disk ends in a {@link DiskFullException} naming {@code target}.
   *
   * @param target the file
   * @param text its content
   * @param charset its encoding
   * @throws IOException when it cannot be written
   */
  public static void writeString(Path target, String text, Charset charset) throws IOException {
    Path tmp = null;
    try {
      tmp = createFile(target);
      Files.writeString(tmp, text, charset);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw DiskFullException.named(e, target);
    } finally {
      if (tmp != null) {
        Files.deleteIfExists(tmp);
      }
    }
  }
}
