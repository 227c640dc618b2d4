package dev.vmpackager.vm;

import java.util.Locale;

/**
 * A NIC model as its source hypervisor emulates it. KubeVirt offers {@code e1000}, {@code e1000e},
 * {@code igb}, {@code ne2k_pci}, {@code pcnet}, {@code rtl8139} and {@code virtio};
 * {@link #compatibleModel()} is the one the guest has a driver for (reference section 6.2:
 * VMXNET3 has no KubeVirt equivalent, e1000e is what Forklift and the Windows preferences pick).
 */
public enum NicModel {
  E1000("e1000"),
  E1000E("e1000e"),
  VMXNET3("e1000e"),
  /** VMXNET2 and the original vmxnet. */
  VMXNET("e1000e"),
  PCNET("pcnet"),
  RTL8139("rtl8139"),
  NE2K_PCI("ne2k_pci"),
  IGB("igb"),
  VIRTIO("virtio"),
  /** A model the description does not name, or one we do not know. */
  UNKNOWN("e1000e");

  private final String compatibleModel;

  NicModel(String compatibleModel) {
    this.compatibleModel = compatibleModel;
  }

  /** @return the KubeVirt interface model the guest has a driver for */
  public String compatibleModel() {
    return compatibleModel;
  }

  /** @return the lower-case name used in log lines */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
