package dev.vmpackager.mojo;

import java.io.File;

/**
 * One {@code <disks><disk>}: a disk of the VM, or an override of a disk its description declares
 * (matched by {@code <name>}). Every field is optional; {@link dev.vmpackager.vm.VmResolver} says
 * how they combine. Not to be confused with {@link DiskConfig}, the chart's empty or PVC disks.
 */
public class VmDiskConfig {

  /** The disk's name, a DNS label; matched against the description's disks. */
  private String name;

  /** Its disk image file, relative to the project folder. */
  private File source;

  /** {@code virtio}, {@code sata}, {@code scsi} or {@code usb}. */
  private String bus;

  /** {@code true} on the boot disk (default: the first). */
  private Boolean boot;

  /** Its containerDisk image reference (not on the boot disk, whose image is {@code <image>}). */
  private String image;

  public String getName() {
    return name;
  }

  public File getSource() {
    return source;
  }

  public String getBus() {
    return bus;
  }

  public Boolean getBoot() {
    return boot;
  }

  public String getImage() {
    return image;
  }
}
