package dev.vmpackager.chart;

/**
 * A chart setting the user gave is wrong. The message names the POM parameter (and its user
 * property) and the form it must take, so the Mojo can show it as is.
 */
public class ChartConfigException extends Exception {

  private static final long serialVersionUID = 1L;

  private final String parameter;

  /**
   * @param parameter the POM parameter at fault, e.g. {@code <vm><memory>}
   * @param message what is wrong and the allowed form; it already names the parameter
   */
  public ChartConfigException(String parameter, String message) {
    super(message);
    this.parameter = parameter;
  }

  /**
   * @param parameter the POM parameter at fault
   * @param message what is wrong and the allowed form
   * @param cause what the check tripped over (e.g. a YAML parse error)
   */
  public ChartConfigException(String parameter, String message, Throwable cause) {
    super(message, cause);
    this.parameter = parameter;
  }

  /** @return the POM parameter at fault, e.g. {@code <vm><memory>} */
  public String parameter() {
    return parameter;
  }
}
