package dev.vmpackager.artifact;

import java.io.IOException;

/** The VM cannot be made a VM artifact, or a VM artifact tar is not one; the message says why. */
public final class ArtifactException extends IOException {

  private static final long serialVersionUID = 1L;

  /** @param message what is wrong and how to fix it */
  public ArtifactException(String message) {
    super(message);
  }

  /**
   * @param message what is wrong and how to fix it
   * @param cause the underlying failure
   */
  public ArtifactException(String message, Throwable cause) {
    super(message, cause);
  }
}
