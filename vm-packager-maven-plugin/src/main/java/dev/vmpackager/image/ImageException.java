package dev.vmpackager.image;

/**
 * Building or pushing the containerDisk image failed. The message names the file, parameter or
 * registry and what is wrong, never a secret.
 */
public class ImageException extends Exception {

  private static final long serialVersionUID = 1L;

  /** @param message what failed and what to do */
  public ImageException(String message) {
    super(message);
  }

  /**
   * @param message what failed and what to do
   * @param cause the underlying failure
   */
  public ImageException(String message, Throwable cause) {
    super(message, cause);
  }
}
