package dev.vmpackager.disk;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** Writes runs of zeros into buffers (unallocated ranges) without allocating per call: one helper for every reader. */
public final class Zeros {

  private static final byte[] ZEROS = new byte[64 * 1024];

  private Zeros() {}

  /**
   * Puts {@code count} zero bytes into {@code dst} at its position and advances it.
   *
   * @param dst the buffer, with at least {@code count} bytes remaining
   * @param count how many zero bytes
   */
  public static void fill(ByteBuffer dst, long count) {
    if (dst.hasArray()) {
      int n = Math.toIntExact(count);
      int from = dst.arrayOffset() + dst.position();
      Arrays.fill(dst.array(), from, from + n, (byte) 0);
      dst.position(dst.position() + n);
      return;
    }
    long left = count;
    while (left > 0) {
      int n = (int) Math.min(left, ZEROS.length);
      dst.put(ZEROS, 0, n);
      left -= n;
    }
  }
}
