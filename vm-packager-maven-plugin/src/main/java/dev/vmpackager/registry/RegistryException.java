package dev.vmpackager.registry;

import java.io.IOException;

/**
 * Talking to a registry failed, or how to talk to it (credentials, CA file) could not be worked
 * out. The message says which registry or file, what happened and what to do, and never contains
 * a secret, so it can go straight into a build failure. The image push, the chart push and any
 * other output sent to a registry report their registry failures as this type or a subclass.
 */
public class RegistryException extends IOException {

  private static final long serialVersionUID = 1L;

  /** @param message what failed, naming the registry, reference or file */
  public RegistryException(String message) {
    super(message);
  }

  /**
   * @param message what failed, naming the registry, reference or file
   * @param cause the underlying error
   */
  public RegistryException(String message, Throwable cause) {
    super(message, cause);
  }
}
