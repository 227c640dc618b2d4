package dev.vmpackager.publish;

import java.io.IOException;

/**
 * Publishing a chart (or reaching a registry) failed. The message says which registry or file
 * and what went wrong, and never contains a secret, so it can go straight into a build failure.
 */
public class PublishException extends IOException {

  private static final long serialVersionUID = 1L;

  /** @param message what failed, naming the registry, reference or file */
  public PublishException(String message) {
    super(message);
  }

  /**
   * @param message what failed, naming the registry, reference or file
   * @param cause the underlying error
   */
  public PublishException(String message, Throwable cause) {
    super(message, cause);
  }
}
