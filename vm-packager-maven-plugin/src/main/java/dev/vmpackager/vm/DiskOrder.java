package dev.vmpackager.vm;

/**
 * Where a PC firmware looks for its boot disk when a description does not say: the disks of the
 * controllers it knows first, IDE, then AHCI (SATA), then SCSI/SAS HBAs, NVMe, virtio and USB.
 * VMware's BIOS and VirtualBox's both put IDE disks ahead of SCSI ones; readers use this rank
 * before the controller's bus number and the disk's unit on it, never the order a description
 * happens to list its disk files in.
 */
public final class DiskOrder {

  private DiskOrder() {}

  /**
   * @param c a disk's controller
   * @return its rank: lower is tried first
   */
  public static int biosRank(DiskController c) {
    return switch (c) {
      case IDE -> 0;
      case SATA -> 1;
      case LSILOGIC, LSILOGIC_SAS, BUSLOGIC, PVSCSI -> 2;
      case NVME -> 3;
      case VIRTIO_SCSI, VIRTIO_BLK -> 4;
      case USB -> 5;
      case UNKNOWN -> 6;
    };
  }
}
