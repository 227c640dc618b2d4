package dev.vmpackager.disk;

import java.io.IOException;

/** A disk image cannot be read: its message names the file and what is wrong with it. */
public class DiskImageException extends IOException {

  private static final long serialVersionUID = 1L;

  public DiskImageException(String message) {
    super(message);
  }

  public DiskImageException(String message, Throwable cause) {
    super(message, cause);
  }
}
