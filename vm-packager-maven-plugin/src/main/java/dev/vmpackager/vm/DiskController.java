package dev.vmpackager.vm;

import java.util.Locale;

/**
 * The controller a disk hangs on in its source hypervisor: what the guest booted with, so what
 * driver it already has. KubeVirt offers only {@code virtio}, {@code sata}, {@code scsi}
 * (virtio-scsi) and {@code usb} disk buses; {@link #compatibleBus()} is the one the guest can
 * use without new drivers (reference section 6.1).
 */
public enum DiskController {
  IDE("sata"),
  SATA("sata"),
  /** LSI Logic parallel SCSI. */
  LSILOGIC("sata"),
  /** LSI Logic SAS. */
  LSILOGIC_SAS("sata"),
  BUSLOGIC("sata"),
  /** VMware paravirtual SCSI. */
  PVSCSI("sata"),
  NVME("sata"),
  VIRTIO_BLK("virtio"),
  VIRTIO_SCSI("scsi"),
  USB("usb"),
  /** A controller the description does not name, or one we do not know: SATA is the safe choice. */
  UNKNOWN("sata");

  private final String compatibleBus;

  DiskController(String compatibleBus) {
    this.compatibleBus = compatibleBus;
  }

  /** @return the KubeVirt disk bus that keeps the guest bootable without new drivers */
  public String compatibleBus() {
    return compatibleBus;
  }

  /** @return the lower-case name used in log lines, e.g. {@code lsilogic_sas} */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
