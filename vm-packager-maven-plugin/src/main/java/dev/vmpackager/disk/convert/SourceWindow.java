package dev.vmpackager.disk.convert;

import dev.vmpackager.disk.CorruptImageException;
import dev.vmpackager.disk.DiskImageReader;
import dev.vmpackager.disk.Zeros;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * A worker's view of one guest window of the source at a time, and the window's data found in it:
 * the window's data ranges are mapped from the image file when the reader keeps all of them there
 * verbatim (the mapped fast path: no copy), else read into a direct buffer (decompressing source
 * clusters); either way the window is zero-scanned into {@link DataRuns runs of non-zero blocks}.
 * Reused from window to window: off the heap, one window's buffer, allocated on first read.
 */
final class SourceWindow {

  /** Reads are issued in pieces of this size (a multiple of every block size). */
  static final int PIECE = 256 << 10;

  /** At most one mapped piece per this many bytes of window; a window in more pieces is read instead. */
  static final int MIN_SEGMENT = 128 << 10;

  private final DiskImageReader reader;
  /** The image file the reader's bytes are, to map from; null: always read. */
  private final FileChannel image;
  private final Path imageFile;
  private final int window;
  private final int block;
  private final DataRuns runs;
  /** Allocated on first use: windows mapped whole never need it. */
  private ByteBuffer data;
  /** The window's mapped pieces: guest window offsets (from, to) and their mappings. */
  private final int[] segFrom;
  private final int[] segTo;
  private final MappedByteBuffer[] seg;
  private int nSeg;
  private long mappedStart = -1;

  /**
   * @param reader the source
   * @param image the file holding the bytes {@code reader} was opened on, whole, open for reading;
   *     or null, to read every window through {@code reader}
   * @param imageFile its path (for messages), or null
   * @param window the window size
   * @param block the block size zeros are found in: all-zero blocks are in no run
   */
  SourceWindow(DiskImageReader reader, FileChannel image, Path imageFile, int window, int block) {
    this.reader = reader;
    this.image = image;
    this.imageFile = imageFile;
    this.window = window;
    this.block = block;
    this.runs = new DataRuns(block, window / block);
    int maxSegments = window / MIN_SEGMENT;
    segFrom = new int[maxSegments];
    segTo = new int[maxSegments];
    seg = new MappedByteBuffer[maxSegments];
  }

  /**
   * Maps or reads window {@code w}'s data ranges and finds its runs of non-zero blocks. Each block
   * is whole in its buffer: bytes around the data ranges and past the disk's end are zeros there.
   * The runs stay valid until {@link #release()}.
   *
   * @return the runs, in guest order
   */
  DataRuns load(Window w) throws IOException {
    runs.clear();
    int padded = (w.len + block - 1) / block * block;
    int blocks = padded / block;
    if (image != null && mapSegments(w)) {
      mappedStart = w.start;
      scanMapped(blocks);
    } else {
      read(w, padded, blocks);
    }
    return runs;
  }

  /** @return whether the window loaded last is mapped (and not yet released) */
  boolean mapped() {
    return mappedStart >= 0;
  }

  /**
   * @param e the error touching a mapped page past the file's end raises (SIGBUS)
   * @return the error to report: the image file shrank while it was converted
   */
  IOException mappingFault(InternalError e) {
    return new CorruptImageException(imageFile.getFileName() + ": the file changed (truncated?) while it was"
        + " being converted, at guest offset " + mappedStart, e);
  }

  /** Forgets the window's runs and unmaps its mappings: nothing may use them afterwards. */
  void release() {
    runs.clear();
    for (int k = 0; k < nSeg; k++) {
      Unmapper.unmap(seg[k]);
      seg[k] = null;
    }
    nSeg = 0;
    mappedStart = -1;
  }

  private ByteBuffer data() {
    if (data == null) {
      data = ByteBuffer.allocateDirect(window);
    }
    return data;
  }

  /**
   * Reads the window's data ranges into the data buffer, with zeros around them where they share a
   * block, and zero-checks each piece right after reading it.
   */
  private void read(Window w, int padded, int blocks) throws IOException {
    ByteBuffer data = data().clear();
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

  /**
   * Maps the window's data ranges when the reader keeps all of them verbatim in the image file in
   * at most one piece per {@link #MIN_SEGMENT} bytes of window. On false nothing stays mapped.
   */
  private boolean mapSegments(Window w) throws IOException {
    nSeg = 0;
    boolean ok = false;
    try {
      for (int r = 0; r < w.ranges(); r++) {
        int to = w.rangeTo(r);
        for (int p = w.rangeFrom(r); p < to; ) {
          DiskImageReader.Stored st = reader.stored(w.start + p, to - p);
          if (st == null || st.length() < 1 || st.length() > to - p || nSeg == seg.length) {
            return false;
          }
          int n = (int) st.length();
          seg[nSeg] = image.map(FileChannel.MapMode.READ_ONLY, st.sourceOffset(), n);
          segFrom[nSeg] = p;
          segTo[nSeg] = p + n;
          nSeg++;
          p += n;
        }
      }
      ok = true;
      return true;
    } finally {
      if (!ok) {
        for (int k = 0; k < nSeg; k++) {
          Unmapper.unmap(seg[k]);
          seg[k] = null;
        }
        nSeg = 0;
      }
    }
  }

  /**
   * Finds the window's runs of non-zero blocks, in guest order, for a window whose data ranges are
   * mapped: a block wholly inside one mapped piece stays in the mapping; a block only partly
   * covered (piece edges, the disk's tail) is assembled in the data buffer with zeros around, as
   * the read path does. Blocks no piece covers are zero.
   */
  private void scanMapped(int blocks) {
    // One step per mapped piece, not per block: only the whole blocks' scan is a hot loop.
    int assembled = -1;
    for (int k = 0; k < nSeg; k++) {
      int from = segFrom[k];
      int to = segTo[k];
      int first = (from + block - 1) / block;
      int last = Math.min(blocks, to / block);
      if (from % block != 0 && from / block != assembled) {
        assembled = from / block;
        assemble(assembled, k);
      }
      if (first < last) {
        ZeroScan.addRuns(seg[k], from, first, last, block, runs);
      }
      if (to % block != 0 && last < blocks && last != assembled) {
        assembled = last;
        assemble(assembled, k);
      }
    }
  }

  /**
   * Copies the mapped parts of block {@code i}, which only partly lies in mapped pieces, into the
   * data buffer with zeros around, and adds it as a run when it is not all zeros.
   *
   * @param k the first mapped piece overlapping the block
   */
  private void assemble(int i, int k) {
    ByteBuffer data = data();
    int bf = i * block;
    int bt = bf + block;
    zero(data, bf, bt);
    for (int j = k; j < nSeg && segFrom[j] < bt; j++) {
      int f = Math.max(bf, segFrom[j]);
      int t = Math.min(bt, segTo[j]);
      data.limit(t).position(f);
      data.put(seg[j].duplicate().limit(t - segFrom[j]).position(f - segFrom[j]));
    }
    data.clear();
    if (!ZeroScan.isZero(data, bf, block)) {
      runs.add(data, bf, i, i + 1);
    }
  }
}
