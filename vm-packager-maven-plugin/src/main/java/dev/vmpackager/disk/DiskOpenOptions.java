package dev.vmpackager.disk;

/**
 * How a disk may be opened.
 *
 * @param allowExternalReferences whether the image may point at other files (qcow2 backing files,
 *     VMDK descriptors naming extents, differencing parents); even then they never leave the
 *     source's folder. Split VMDK extents named by a descriptor are always allowed within the folder.
 */
public record DiskOpenOptions(boolean allowExternalReferences) {

  /** The safe default: nothing outside the image itself. */
  public static final DiskOpenOptions DEFAULT = new DiskOpenOptions(false);
}
