package dev.vmpackager.chart;

/**
 * A network interface of the VM. The first is on the pod network (masquerade binding), named
 * {@code default} as in every chart; each further one is bridged onto a Multus network
 * (a NetworkAttachmentDefinition) named by the value {@code vm.interfaces.<name>.network}, which
 * {@code helm install} requires when it is empty. The order in which they are given to
 * {@link ChartSpec.Builder#nics(java.util.List)} is their order in the guest (their PCI slots).
 * Every field becomes a value under {@code vm.interfaces.<name>} a deployer can change.
 *
 * @param name the interface and network name, a DNS label; for the first NIC empty or
 *     {@code default}, for the others empty gives {@code net1}, {@code net2}... (as Multus names a
 *     pod's extra interfaces)
 * @param model {@code e1000}, {@code e1000e}, {@code igb}, {@code ne2k_pci}, {@code pcnet},
 *     {@code rtl8139} or {@code virtio}; empty for KubeVirt's default (virtio)
 * @param macAddress the MAC address the source fixed ({@code 00:50:56:aa:bb:cc} or
 *     {@code 00-50-56-AA-BB-CC}, unicast), or empty for one KubeVirt picks
 * @param network the NetworkAttachmentDefinition, {@code name} or {@code namespace/name}; empty for
 *     one the deployer sets at install time; must be empty for the first NIC (the pod network)
 */
public record ChartNic(String name, String model, String macAddress, String network) {

  /** Normalises null to empty and trims. */
  public ChartNic {
    name = name == null ? "" : name.trim();
    model = model == null ? "" : model.trim();
    macAddress = macAddress == null ? "" : macAddress.trim();
    network = network == null ? "" : network.trim();
  }
}
