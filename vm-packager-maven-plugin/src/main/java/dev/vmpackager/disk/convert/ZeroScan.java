package dev.vmpackager.disk.convert;

import java.nio.ByteBuffer;

/**
 * Finds the zeros in a window's bytes: whether a block is all zeros, and the runs of blocks with a
 * non-zero byte in a mapping, by vectorized comparisons ({@link ByteBuffer#mismatch}) against a
 * buffer of zeros.
 */
final class ZeroScan {

  /** The most bytes one comparison covers: every block size is at most this. */
  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 << 10);

  private ZeroScan() {}

  /** @return whether {@code data}'s bytes [from, from + len) are all zeros, {@code len} at most 64 KiB */
  static boolean isZero(ByteBuffer data, int from, int len) {
    ByteBuffer s = data.duplicate().limit(from + len).position(from);
    return s.mismatch(ZEROS.duplicate().clear().limit(len)) == -1;
  }

  /** @return the index of the first non-zero byte of {@code m} in [from, to), or {@code to} */
  static int firstNonZero(ByteBuffer m, int from, int to) {
    for (int p = from; p < to; ) {
      int n = Math.min(to - p, ZEROS.capacity());
      int x = m.slice(p, n).mismatch(ZEROS.slice(0, n));
      if (x >= 0) {
        return p + x;
      }
      p += n;
    }
    return to;
  }

  /**
   * Adds to {@code runs} the runs of non-zero blocks among the window's blocks {@code from} to
   * {@code to} (exclusive), which lie wholly in mapping {@code m}, which starts at window offset
   * {@code base}.
   */
  static void addRuns(ByteBuffer m, int base, int from, int to, int block, DataRuns runs) {
    int end = to * block - base;
    int runStart = -1;
    int i = from;
    while (i < to) {
      int p = i * block - base;
      // Data blocks almost always start with a non-zero byte: one look settles them without
      // streaming the block through the cache (the write copies it anyway).
      if (m.getLong(p) != 0) {
        if (runStart < 0) {
          runStart = i;
        }
        i++;
        continue;
      }
      // Otherwise find the first non-zero byte up to the end in one vectorized pass: every
      // block before the one holding it is zero, that one is not.
      int z = (firstNonZero(m, p, end) + base) / block;
      if (z > i) {
        if (runStart >= 0) {
          runs.add(m, runStart * block - base, runStart, i);
          runStart = -1;
        }
        i = z;
        if (i >= to) {
          break;
        }
      }
      if (runStart < 0) {
        runStart = i;
      }
      i++;
    }
    if (runStart >= 0) {
      runs.add(m, runStart * block - base, runStart, i);
    }
  }
}
