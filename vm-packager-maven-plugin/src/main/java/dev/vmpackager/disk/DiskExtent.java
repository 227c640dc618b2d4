package dev.vmpackager.disk;

import java.util.function.IntPredicate;

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

  /**
   * The run starting at {@code offset} in a disk mapped in equal blocks, each wholly data or
   * wholly zero (VDI, VHDX): the block holding {@code offset} and its neighbours of the same kind.
   *
   * @param offset a guest offset, {@code 0 <= offset < virtualSize}
   * @param blockSize the block size in bytes
   * @param blockCount how many blocks the map has
   * @param virtualSize the disk size, where the last run ends
   * @param isData whether block {@code i} holds data (false: reads as zeros)
   * @return the run
   */
  public static DiskExtent ofBlocks(long offset, long blockSize, int blockCount, long virtualSize,
      IntPredicate isData) {
    if (offset < 0 || offset >= virtualSize) {
      throw new IllegalArgumentException("offset " + offset + " outside the disk (" + virtualSize + " bytes)");
    }
    int b = (int) (offset / blockSize);
    boolean data = isData.test(b);
    int e = b + 1;
    while (e < blockCount && isData.test(e) == data) {
      e++;
    }
    long end = Math.min(virtualSize, e * blockSize);
    return new DiskExtent(offset, end - offset, !data);
  }

  /** @return the guest offset just past this run */
  public long end() {
    return offset + length;
  }
}
