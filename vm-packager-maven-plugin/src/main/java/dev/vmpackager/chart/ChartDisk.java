package dev.vmpackager.chart;

import dev.vmpackager.registry.ImageReference;

/**
 * One of the VM's disks besides its boot disk, held in its own containerDisk image (KubeVirt and
 * CDI take one disk per image). The boot disk is not a {@code ChartDisk}: it stays {@code image},
 * {@code diskBus} and {@code storage*} of {@link ChartSpec.Builder}. The order in which the disks
 * are given to {@link ChartSpec.Builder#disks(java.util.List)} is their boot order after the boot
 * disk. Every field becomes a value under {@code vm.disks.<name>} a deployer can change.
 *
 * <p>Empty fields follow the boot disk at {@code helm install} time: {@code bus} is then
 * {@code vm.diskBus}, {@code storageType} {@code vm.storage.type}, {@code storageClass}
 * {@code vm.storage.storageClass}; an empty {@code image} is {@code <image repository>-<name>}
 * with the boot image's tag (DESIGN.md's image name of a disk).
 *
 * <pre>{@code
 * ChartDisk.named("data").withBus("sata").withImage("registry.example.com/apps/my-vm-data:1.0.0")
 *     .withImageDigest("sha256:...").withStorage("dataVolume", "20Gi", "")
 * }</pre>
 *
 * @param name the disk, volume and value name: a DNS label other than {@code rootdisk} and
 *     {@code cloudinitdisk}; with dataVolume storage the DataVolume is {@code <vm name>-<name>}
 * @param bus {@code virtio}, {@code sata}, {@code scsi} or {@code usb}; empty for {@code vm.diskBus}
 * @param image the disk's image, {@code repository[:tag][@digest]} (no tag: the chart's appVersion);
 *     empty for {@code <image repository>-<name>:<image tag>}
 * @param imageDigest a digest ({@code sha256:...}) pinning the image, or empty; wins over one in {@code image}
 * @param storageType {@code containerDisk} or {@code dataVolume}; empty for {@code vm.storage.type}
 * @param storageSize the PVC size with dataVolume storage (e.g. {@code 20Gi}), or empty
 * @param storageClass the PVC's storage class, or empty for {@code vm.storage.storageClass}
 */
public record ChartDisk(String name, String bus, String image, String imageDigest, String storageType,
    String storageSize, String storageClass) {

  /** Normalises null to empty and trims. */
  public ChartDisk {
    name = trim(name);
    bus = trim(bus);
    image = trim(image);
    imageDigest = trim(imageDigest);
    storageType = trim(storageType);
    storageSize = trim(storageSize);
    storageClass = trim(storageClass);
  }

  /**
   * @param name the disk's name
   * @return a disk of that name whose other fields all follow the boot disk
   */
  public static ChartDisk named(String name) {
    return new ChartDisk(name, "", "", "", "", "", "");
  }

  /** @param v the bus, or null/empty for {@code vm.diskBus} @return a copy with it */
  public ChartDisk withBus(String v) {
    return new ChartDisk(name, v, image, imageDigest, storageType, storageSize, storageClass);
  }

  /** @param v the image reference, or null/empty for the default name @return a copy with it */
  public ChartDisk withImage(String v) {
    return new ChartDisk(name, bus, v, imageDigest, storageType, storageSize, storageClass);
  }

  /** @param v the image digest, or null/empty @return a copy with it */
  public ChartDisk withImageDigest(String v) {
    return new ChartDisk(name, bus, image, v, storageType, storageSize, storageClass);
  }

  /**
   * @param type {@code containerDisk}, {@code dataVolume}, or null/empty for {@code vm.storage.type}
   * @param size the PVC size, or null/empty
   * @param storageClass the storage class, or null/empty for {@code vm.storage.storageClass}
   * @return a copy with them
   */
  public ChartDisk withStorage(String type, String size, String storageClass) {
    return new ChartDisk(name, bus, image, imageDigest, type, size, storageClass);
  }

  /** @return the repository of {@link #image()}, without tag or digest */
  public String imageRepository() {
    return ImageReference.split(image).repository();
  }

  /** @return the tag of {@link #image()}, or empty when it has none */
  public String imageTag() {
    return ImageReference.split(image).tag();
  }

  private static String trim(String s) {
    return s == null ? "" : s.trim();
  }
}
