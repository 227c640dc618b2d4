package dev.vmpackager.disk.convert;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A window's runs of blocks that hold a non-zero byte, in guest order, each kept where its bytes
 * are: in a read buffer or in a mapping of the image file. Blocks in no run are zeros.
 */
final class DataRuns {

  private final int block;
  private final ByteBuffer[] buf;
  private final int[] pos;
  private final int[] from;
  private final int[] to;
  private int n;

  /**
   * @param block the block size
   * @param blocks the most blocks a window has
   */
  DataRuns(int block, int blocks) {
    this.block = block;
    buf = new ByteBuffer[blocks];
    pos = new int[blocks];
    from = new int[blocks];
    to = new int[blocks];
  }

  /**
   * Adds the blocks {@code first} to {@code end} (exclusive) of the window, whose bytes lie in
   * {@code b} from {@code position} on; they follow every block added before. Joins the last run
   * when they continue it in the same buffer.
   */
  void add(ByteBuffer b, int position, int first, int end) {
    if (n > 0 && buf[n - 1] == b && to[n - 1] == first && pos[n - 1] + (to[n - 1] - from[n - 1]) * block == position) {
      to[n - 1] = end;
      return;
    }
    buf[n] = b;
    pos[n] = position;
    from[n] = first;
    to[n] = end;
    n++;
  }

  /** Forgets every run, and the buffers they are in (a mapping must not be reachable once unmapped). */
  void clear() {
    Arrays.fill(buf, 0, n, null);
    n = 0;
  }

  /** @return how many runs there are */
  int count() {
    return n;
  }

  /** @return the buffer run {@code r}'s bytes are in */
  ByteBuffer buffer(int r) {
    return buf[r];
  }

  /** @return where run {@code r}'s first block starts in its buffer */
  int position(int r) {
    return pos[r];
  }

  /** @return the window's index of run {@code r}'s first block */
  int from(int r) {
    return from[r];
  }

  /** @return the window's index of the block just past run {@code r} */
  int to(int r) {
    return to[r];
  }
}
