package dev.vmpackager.vm;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a disk's data is: a disk image file, or an entry of an OVA.
 *
 * @param file the disk image; for a disk inside an OVA, the {@code .ova} itself
 * @param ovaEntry for a disk inside an OVA, the name of its entry in the archive (as the OVF's
 *     {@code References} names it, e.g. {@code appvm-1.vmdk}); empty for a file
 */
public record DiskSource(Path file, Optional<String> ovaEntry) {

  /** Checks the fields are present. */
  public DiskSource {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(ovaEntry, "ovaEntry");
  }

  /**
   * @param file a disk image file
   * @return the source
   */
  public static DiskSource of(Path file) {
    return new DiskSource(file, Optional.empty());
  }

  /** @return how the build log names it: {@code app-1.vmdk}, or {@code app-1.vmdk in app.ova} */
  public String display() {
    String name = file.getFileName().toString();
    return ovaEntry.map(e -> e + " in " + name).orElse(name);
  }
}
