package dev.vmpackager.registry;

/**
 * The registry refused the credentials (HTTP 401) or the push (HTTP 403). A configuration
 * problem for the user: the message says which registry and where the credentials came from.
 */
public final class RegistryAuthenticationException extends RegistryException {

  private static final long serialVersionUID = 1L;

  private final int status;

  /**
   * @param status the HTTP status, 401 or 403
   * @param message what was refused, without any secret
   * @param cause the underlying error
   */
  public RegistryAuthenticationException(int status, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  /** @return the HTTP status the registry answered, 401 or 403 */
  public int status() {
    return status;
  }
}
