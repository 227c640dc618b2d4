package dev.vmpackager.mojo;

/** One {@code <port>} of {@code <vm><ports>}: a port the VM serves, exposed by the chart's Service. */
public class PortConfig {

  /** The port's name, e.g. {@code http}. */
  private String name;

  /** The port number. */
  private int port;

  /** {@code TCP} (default) or {@code UDP}: the protocols a KubeVirt interface port takes. */
  private String protocol = "TCP";

  public String getName() {
    return name;
  }

  public int getPort() {
    return port;
  }

  public String getProtocol() {
    return protocol;
  }
}
