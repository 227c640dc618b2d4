package dev.vmpackager.publish;

import java.io.IOException;

/**
 * A chart cannot be published: the package is unreadable or invalid, or the chart repository URL
 * is not one. The message names the file or {@code vm.chart.repository} and what is wrong, so it
 * can go straight into a build failure. What the registry does wrong is a
 * {@link dev.vmpackager.registry.RegistryException}.
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
