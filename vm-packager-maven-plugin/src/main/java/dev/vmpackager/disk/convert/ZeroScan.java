package dev.vmpackager.disk.convert;

import java.nio.ByteBuffer;

/**
 * Finds the zeros in a window's bytes: whether a block is all zeros, by a vectorized comparison
 * ({@link ByteBuffer#mismatch}) against a buffer of zeros.
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
}
