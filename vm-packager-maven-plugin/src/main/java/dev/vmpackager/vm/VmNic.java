package dev.vmpackager.vm;

import java.util.Objects;
import java.util.Optional;

/**
 * One network adapter of the resolved VM. The first is on the pod network (KubeVirt's
 * {@code masquerade} binding, as the chart has always done); every other one is attached to a
 * Multus network whose name is a chart value.
 *
 * @param name the interface name, a DNS label: {@code default} for the first NIC (the pod
 *     network), {@code net1}, {@code net2}... for the others (as Multus names a pod's extra
 *     interfaces)
 * @param model the KubeVirt interface model ({@code e1000}, {@code e1000e}, {@code igb},
 *     {@code ne2k_pci}, {@code pcnet}, {@code rtl8139}, {@code virtio}); {@code virtio} by default
 *     ({@link Setting.From#DEFAULT}), which is also KubeVirt's default, so a chart may leave a
 *     default model out
 * @param macAddress the MAC address, lower case with colons, when the POM or the source fixed
 *     one (see {@link VmResolver} for the rule)
 * @param network for every NIC but the first, the Multus network (NetworkAttachmentDefinition
 *     name, optionally {@code namespace/name}) it attaches to by default; empty for the first
 * @param sourceModel the model it had in the source hypervisor, when a description says
 * @param describedAs where the description declares it, empty for a NIC only the POM or the
 *     defaults make
 */
public record VmNic(String name, Setting<String> model, Optional<Setting<String>> macAddress,
    Optional<Setting<String>> network, Optional<NicModel> sourceModel, Optional<String> describedAs) {

  /** Checks the fields are present. */
  public VmNic {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(macAddress, "macAddress");
    Objects.requireNonNull(network, "network");
    Objects.requireNonNull(sourceModel, "sourceModel");
    Objects.requireNonNull(describedAs, "describedAs");
  }

  /** @return whether this NIC is on the pod network (the first NIC) */
  public boolean isPodNetwork() {
    return network.isEmpty();
  }
}
