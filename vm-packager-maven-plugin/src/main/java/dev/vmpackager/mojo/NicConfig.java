package dev.vmpackager.mojo;

/**
 * One {@code <vm><nics><nic>}: overrides the description's NIC at the same position, or adds a
 * NIC after the described ones. Every field is optional.
 */
public class NicConfig {

  /** The KubeVirt interface model, e.g. {@code virtio} or {@code e1000e}. */
  private String model;

  /** The MAC address, e.g. {@code 02:00:00:00:00:01}. */
  private String macAddress;

  /** For any NIC but the first: the Multus network (NetworkAttachmentDefinition) it attaches to by default. */
  private String network;

  public String getModel() {
    return model;
  }

  public String getMacAddress() {
    return macAddress;
  }

  public String getNetwork() {
    return network;
  }
}
