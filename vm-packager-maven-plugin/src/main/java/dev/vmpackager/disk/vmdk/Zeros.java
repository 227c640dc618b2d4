package dev.vmpackager.disk.vmdk;

import java.nio.ByteBuffer;

/** Fills buffers with zeros without allocating per call. */
final class Zeros {

  private static final byte[] ZEROS = new byte[64 * 1024];

  private Zeros() {}

  /** Puts {@code count} zero bytes into {@code dst}. */
  static void fill(ByteBuffer dst, long count) {
    long left = count;
    while (left > 0) {
      int n = (int) Math.min(left, ZEROS.length);
      dst.put(ZEROS, 0, n);
      left -= n;
    }
  }
}
