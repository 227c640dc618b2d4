package dev.vmpackager.disk;

/**
 * A run of guest bytes of one kind, as a format's allocation map describes it.
 *
 * @param offset guest byte offset where the run starts
 * @param length length in bytes, at least 1
 * @param zero true when the run is known to read as zeros (unallocated, zero flag, hole) and need
 *     not be read; false when it is data that must be read (and may still happen to be zeros)
 */
public record DiskExtent(long offset, long length, boolean zero) {

  public DiskExtent {
    if (offset < 0 || length <= 0) {
      throw new IllegalArgumentException("bad extent " + offset + "+" + length);
    }
  }

  /** @return the guest offset just past this run */
  public long end() {
    return offset + length;
  }
}
