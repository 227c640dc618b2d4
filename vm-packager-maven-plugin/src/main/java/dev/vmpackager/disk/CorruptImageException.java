package dev.vmpackager.disk;

/** The image breaks its format's rules: truncated, offsets past the end, bad checksum, loops. */
public class CorruptImageException extends DiskImageException {

  private static final long serialVersionUID = 1L;

  public CorruptImageException(String message) {
    super(message);
  }

  public CorruptImageException(String message, Throwable cause) {
    super(message, cause);
  }
}
