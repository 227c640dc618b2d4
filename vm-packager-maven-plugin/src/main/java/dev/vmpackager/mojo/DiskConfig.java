package dev.vmpackager.mojo;

/**
 * One {@code <disk>} of {@code <vm><extraDisks>}: a data disk besides the root disk, either
 * {@code <emptyDiskCapacity>10Gi</emptyDiskCapacity>} (an empty disk living as long as the VM's pod)
 * or {@code <persistentVolumeClaim>my-data</persistentVolumeClaim>} (an existing claim).
 */
public class DiskConfig {

  /** The disk and volume name, e.g. {@code data}. */
  private String name;

  /** {@code virtio}, {@code sata} or {@code scsi}; default the root disk's {@code <diskBus>}. */
  private String bus;

  /** The capacity of an empty disk, e.g. {@code 10Gi}. */
  private String emptyDiskCapacity;

  /** The name of an existing PersistentVolumeClaim. */
  private String persistentVolumeClaim;

  public String getName() {
    return name;
  }

  public String getBus() {
    return bus;
  }

  public String getEmptyDiskCapacity() {
    return emptyDiskCapacity;
  }

  public String getPersistentVolumeClaim() {
    return persistentVolumeClaim;
  }
}
