package dev.vmpackager.edge;

/** A setting the catalog would refuse, found at build time; the message names the POM parameter and the limit. */
public final class DeploymentPackageException extends Exception {

  private static final long serialVersionUID = 1L;

  private final String parameter;

  /**
   * @param parameter the POM parameter to change, e.g. {@code <chartName> (vm.chart.name)}
   * @param message what is wrong and the catalog's limit
   */
  public DeploymentPackageException(String parameter, String message) {
    super(message);
    this.parameter = parameter;
  }

  /** @return the POM parameter to change */
  public String parameter() {
    return parameter;
  }
}
