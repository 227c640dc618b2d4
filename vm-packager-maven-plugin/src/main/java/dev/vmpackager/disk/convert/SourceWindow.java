package dev.vmpackager.disk.convert;

import dev.vmpackager.disk.DiskImageReader;
import dev.vmpackager.disk.Zeros;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A worker's view of one guest window of the source at a time, and the window's data found in it:
 * the window's data ranges are read through the reader into a direct buffer (decompressing source
 * clusters where the format compresses them) and zero-scanned into {@link DataRuns runs of
 * non-zero blocks}. Reused from window to window: off the heap, one window's buffer.
 *
 * <p>Read, not memory-mapped: an earlier version mapped data the image file keeps verbatim and
 * scanned and wrote it from the mapping (no copy into a buffer). On the benchmark machine (a
 * 2-core virtual machine whose page-table changes are costly) mapping made every plain copy 2-4x
 * slower than reading: a VHD of 1 GiB of data to qcow2 took 1.63 s (1.6 s of system CPU) mapped
 * and 0.79 s read; a sparse raw disk of 4 GiB to qcow2 3.53 s against 0.89 s. Page faults, unmaps
 * and TLB flushes cost more than the copy they saved.
 */
final class SourceWindow {

  /** Reads are issued in pieces of this size (a multiple of every block size). */
  static final int PIECE = 256 << 10;

  private final DiskImageReader reader;
  private final int block;
  private final DataRuns runs;
  private final ByteBuffer data;

  /**
   * @param reader the source
   * @param window the window size
   * @param block the block size zeros are found in: all-zero blocks are in no run
   */
  SourceWindow(DiskImageReader reader, int window, int block) {
    this.reader = reader;
    this.block = block;
    this.runs = new DataRuns(block, window / block);
    this.data = ByteBuffer.allocateDirect(window);
  }

  /**
   * Reads window {@code w}'s data ranges and finds its runs of non-zero blocks. Each block is whole
   * in the buffer: bytes around the data ranges and past the disk's end are zeros there. The runs
   * stay valid until {@link #release()}.
   *
   * @return the runs, in guest order
   */
  DataRuns load(Window w) throws IOException {
    runs.clear();
    int padded = (w.len + block - 1) / block * block;
    read(w, padded, padded / block);
    return runs;
  }

  /** Forgets the window's runs: the buffer is the next window's. */
  void release() {
    runs.clear();
  }

  /**
   * Reads the window's data ranges into the data buffer, with zeros around them where they share a
   * block, and zero-checks each piece right after reading it.
   */
  private void read(Window w, int padded, int blocks) throws IOException {
    data.clear();
    // Read in pieces small enough to stay in the CPU cache and zero-check each piece right away,
    // rather than reading 4 MiB and then streaming it through memory a second time.
    int cursor = 0;
    int checked = 0;
    for (int r = 0; r < w.ranges(); r++) {
      int from = w.rangeFrom(r);
      int to = w.rangeTo(r);
      zeroGap(data, cursor, from);
      for (int p = from; p < to; ) {
        int q = Math.min(to, (p / PIECE + 1) * PIECE);
        data.limit(q).position(p);
        reader.read(data, w.start + p);
        p = q;
        cursor = q;
        checked = check(w, data, checked, cursor / block);
      }
    }
    zeroGap(data, cursor, padded);
    data.clear();
    check(w, data, checked, blocks);
  }

  /** Zero-checks blocks {@code from} (inclusive) to {@code to} (exclusive); returns {@code to}. */
  private int check(Window w, ByteBuffer data, int from, int to) {
    for (int i = from; i < to; i++) {
      if (w.covers(i * block, (i + 1) * block) && !ZeroScan.isZero(data, i * block, block)) {
        runs.add(data, i * block, i, i + 1);
      }
    }
    return Math.max(from, to);
  }

  /**
   * Zeroes the part of a gap between data ranges that shares a block with data. Blocks wholly
   * inside the gap are never looked at (no range covers them), so they are left as they are.
   */
  private void zeroGap(ByteBuffer data, int from, int to) {
    if (from >= to) {
      return;
    }
    int headEnd = Math.min(to, (from + block - 1) / block * block);
    zero(data, from, headEnd);
    int tailStart = Math.max(headEnd, to / block * block);
    zero(data, tailStart, to);
  }

  private static void zero(ByteBuffer data, int from, int to) {
    data.limit(to).position(from);
    Zeros.fill(data, to - from);
  }
}
