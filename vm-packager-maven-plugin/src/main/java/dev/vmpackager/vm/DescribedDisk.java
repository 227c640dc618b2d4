package dev.vmpackager.vm;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * A hard disk as a VM description lists it (CD-ROMs and floppies are not disks: they go to
 * {@link VmDescription#notCarriedOver()}).
 *
 * @param name a short name from the description (its disk id, target device or file name without
 *     extension), used to name the disk in messages; the model turns it into a DNS label
 * @param file the disk file's name: a plain file name in the description's folder (already checked
 *     to exist there by {@link FolderFiles}) or, for an OVA, the name of its entry in the archive
 * @param controller the controller the guest booted with
 * @param capacityBytes the virtual size the description declares, if it does
 * @param element where in the description the disk is declared (for messages), e.g.
 *     {@code VirtualHardwareSection/Item[InstanceID=9]} or {@code scsi0:0}
 */
public record DescribedDisk(String name, String file, DiskController controller, OptionalLong capacityBytes,
    String element) {

  /** Checks the fields are present. */
  public DescribedDisk {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(controller, "controller");
    Objects.requireNonNull(capacityBytes, "capacityBytes");
    Objects.requireNonNull(element, "element");
  }
}
