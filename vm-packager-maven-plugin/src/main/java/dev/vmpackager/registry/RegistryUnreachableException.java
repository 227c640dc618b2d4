package dev.vmpackager.registry;

/**
 * The registry could not be reached at all: connection refused, unknown host, timeout, or a
 * TLS handshake that failed. The message names {@code host:port}.
 */
public final class RegistryUnreachableException extends RegistryException {

  private static final long serialVersionUID = 1L;

  /**
   * @param message which registry and why
   * @param cause the underlying error
   */
  public RegistryUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
