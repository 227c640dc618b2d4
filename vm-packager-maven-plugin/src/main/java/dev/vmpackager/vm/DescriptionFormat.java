package dev.vmpackager.vm;

/** The kinds of VM description the plugin reads. */
public enum DescriptionFormat {
  /** An OVF envelope, loose ({@code .ovf} beside its disks, with or without a {@code .mf}). */
  OVF,
  /** An OVA: a tar holding the OVF envelope first, then its manifest and disks. */
  OVA,
  /** A libvirt domain XML, as virt-manager or {@code virsh dumpxml} writes it. */
  LIBVIRT,
  /** A VMware {@code .vmx} (Workstation, Fusion, ESXi). */
  VMX,
  /** A VirtualBox {@code .vbox} machine file. */
  VBOX
}
