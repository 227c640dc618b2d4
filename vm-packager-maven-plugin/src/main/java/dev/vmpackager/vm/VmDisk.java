package dev.vmpackager.vm;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One disk of the resolved VM.
 *
 * @param name the disk's name, a DNS label unique within the VM (the chart's disk and volume
 *     name, the suffix of its converted file and of its image)
 * @param source where its data is read from
 * @param fileName the converted disk's file name: {@code <vm name>.<format>} for a VM with one
 *     disk, {@code <vm name>-<disk name>.<format>} with several; the same name is the file under
 *     {@code /disk/} in its containerDisk image
 * @param image its containerDisk image reference: {@code image} for the boot disk, else the
 *     disk's own {@code <image>}, else {@code <image repository>-<disk name>:<tag>}
 * @param bus the KubeVirt disk bus: {@code virtio}, {@code sata}, {@code scsi} or {@code usb}
 * @param bootOrder its place in the boot order, 1 for the boot disk (the list of disks is in
 *     this order)
 * @param capacityBytes the virtual size the description declares, when it does and its file is
 *     the one read (not one the POM put in its place)
 * @param controller the controller it hung on in the source hypervisor, when a description says
 * @param describedAs where the description declares it (e.g. {@code devices/disk[target@dev='vda']}),
 *     empty for a disk only the POM names
 */
public record VmDisk(String name, DiskSource source, String fileName, Setting<String> image, Setting<String> bus,
    int bootOrder, OptionalLong capacityBytes, Optional<DiskController> controller, Optional<String> describedAs) {

  /** Checks the fields are present. */
  public VmDisk {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(fileName, "fileName");
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(bus, "bus");
    Objects.requireNonNull(capacityBytes, "capacityBytes");
    Objects.requireNonNull(controller, "controller");
    Objects.requireNonNull(describedAs, "describedAs");
  }

  /** @return whether this is the boot disk (boot order 1) */
  public boolean isBootDisk() {
    return bootOrder == 1;
  }

  /**
   * @param buildDirectory the project's build directory ({@code target/})
   * @return where {@code convert} writes the disk and {@code containerize} reads it:
   *     {@code target/vm/<fileName>}
   */
  public Path convertedFile(Path buildDirectory) {
    return buildDirectory.resolve("vm").resolve(fileName);
  }
}
