package dev.vmpackager.vm;

/**
 * A VM setting the user gave is wrong, or the POM and the VM's description cannot be combined.
 * The message names the POM parameter (and its user property) or the description file, what is
 * wrong and how to fix it, so a Mojo can show it as is.
 */
public class VmConfigException extends Exception {

  private static final long serialVersionUID = 1L;

  private final String parameter;

  /**
   * @param parameter the POM parameter at fault, e.g. {@code <disks><disk>} or
   *     {@code <vm><secureBoot>}
   * @param message what is wrong and how to fix it; it already names the parameter
   */
  public VmConfigException(String parameter, String message) {
    super(message);
    this.parameter = parameter;
  }

  /**
   * @param parameter the POM parameter at fault
   * @param message what is wrong and how to fix it
   * @param cause the failure behind it
   */
  public VmConfigException(String parameter, String message, Throwable cause) {
    super(message, cause);
    this.parameter = parameter;
  }

  /** @return the POM parameter at fault, e.g. {@code <vm><memory>} */
  public String parameter() {
    return parameter;
  }
}
