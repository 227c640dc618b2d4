package dev.vmpackager.chart;

/**
 * A data disk besides the root disk: an empty disk of a capacity (it lives as long as the VM's pod)
 * or an existing PersistentVolumeClaim. Exactly one of {@code emptyDiskCapacity} and
 * {@code persistentVolumeClaim} is set (checked by {@link ChartSpec.Builder#build()}).
 *
 * @param name the disk and volume name, a DNS label other than {@code rootdisk} and {@code cloudinitdisk}
 * @param bus {@code virtio}, {@code sata} or {@code scsi}; empty for the root disk's bus
 * @param emptyDiskCapacity a quantity such as {@code 10Gi}, or empty
 * @param persistentVolumeClaim the claim's name, or empty
 */
public record ExtraDisk(String name, String bus, String emptyDiskCapacity, String persistentVolumeClaim) {

  /** Normalises null to empty and trims. */
  public ExtraDisk {
    name = name == null ? "" : name.trim();
    bus = bus == null ? "" : bus.trim();
    emptyDiskCapacity = emptyDiskCapacity == null ? "" : emptyDiskCapacity.trim();
    persistentVolumeClaim = persistentVolumeClaim == null ? "" : persistentVolumeClaim.trim();
  }
}
