package dev.vmpackager.io;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Writing an output failed because its file system is full (ENOSPC). The message names the file
 * being written and says so, instead of the JDK's bare "No space left on device".
 */
public final class DiskFullException extends FileSystemException {

  private static final long serialVersionUID = 1L;

  /** What the JDK (strerror of ENOSPC on Linux and macOS) says when a write hits a full disk. */
  static final String ENOSPC = "No space left on device";

  private DiskFullException(Path file, Throwable cause) {
    super(file.toString(), null, "the disk is full (" + ENOSPC + "); free space on"
        + " that file system or write the output elsewhere, then run again");
    initCause(cause);
  }

  /**
   * @param t a failure
   * @return whether it, or one of its causes, is an ENOSPC from the file system
   */
  public static boolean isDiskFull(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof DiskFullException) {
        return true;
      }
      // FileSystemException's message holds its reason; writers that wrap an ENOSPC keep its text.
      if (c instanceof IOException && c.getMessage() != null && c.getMessage().contains(ENOSPC)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Where a writer maps its IOExceptions: a full disk becomes a {@link DiskFullException} naming
   * {@code file}; anything else is returned as it is.
   *
   * @param e what the write threw
   * @param file the output being written (the final name the user knows, not the temp file)
   * @return the exception to throw
   */
  public static IOException named(IOException e, Path file) {
    return of(e, file).<IOException>map(d -> d).orElse(e);
  }

  /**
   * @param t any failure
   * @param file the output being written
   * @return a {@link DiskFullException} naming {@code file} when {@code t} is (caused by) ENOSPC, else empty
   */
  public static Optional<DiskFullException> of(Throwable t, Path file) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof DiskFullException d) {
        return Optional.of(d);
      }
    }
    if (!isDiskFull(t)) {
      return Optional.empty();
    }
    return Optional.of(new DiskFullException(file, t));
  }
}
