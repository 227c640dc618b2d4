package dev.vmpackager.disk.convert;

import dev.vmpackager.disk.CorruptImageException;
import dev.vmpackager.disk.DiskExtent;
import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageReader;
import dev.vmpackager.disk.DiskImageWriter;
import dev.vmpackager.disk.qcow2.Qcow2Writer;
import dev.vmpackager.disk.raw.RawWriter;
import dev.vmpackager.event.ProgressReporter;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.Deflater;

/**
 * The pure-Java conversion: a bounded pipeline over fixed guest windows (4 MiB read, 16 MiB when
 * the source's data can be mapped from the image file).
 *
 * <p>The calling thread walks the reader's extents; zero extents are skipped without reading.
 * Each window with data goes to a worker, which reads or maps it (decompressing source clusters),
 * finds the all-zero blocks, compresses clusters if asked, then takes its turn, in guest order, to
 * have host space allocated (so the output is the same on every run), and writes with positional
 * writes. At most {@code threads + 1} windows are in flight, in direct buffers or mappings: heap
 * use does not grow with the disk.
 */
final class JavaConversion {

  /** The guest window one task covers when it is read. A multiple of every block size used. */
  static final int WINDOW = 4 << 20;

  /**
   * The window when the source's data can be mapped: larger, since the data is not copied into a
   * buffer, and fewer tasks, mappings and writes cost less (measured: 4 MiB to 16 MiB saved about
   * a tenth of the CPU time; 32 and 64 MiB no more).
   */
  static final int MAPPED_WINDOW = 16 << 20;

  /** Reads are issued in pieces of this size (a multiple of every block size). */
  static final int PIECE = 256 << 10;

  /** At most one mapped piece per this many bytes of window; a window in more pieces is read instead. */
  static final int MIN_SEGMENT = 128 << 10;

  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(Qcow2Writer.CLUSTER_SIZE);

  private final DiskImageReader reader;
  private final long size;
  private final boolean qcow2;
  private final boolean compress;
  private final int threads;
  /** The guest window per task: {@link #MAPPED_WINDOW} when the data can be mapped, else {@link #WINDOW}. */
  private int window = WINDOW;
  private final int block;
  private final ProgressReporter progress;

  private final Path imageFile;
  private FileChannel imageChannel;
  private DiskImageWriter writer;

  private final Object turn = new Object();
  private long nextSeq;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final java.util.concurrent.atomic.AtomicLong mappedWindows = new java.util.concurrent.atomic.AtomicLong();

  JavaConversion(DiskImageReader reader, DiskFormat outputFormat, boolean compress, int threads,
      ProgressReporter progress) {
    this(reader, null, outputFormat, compress, threads, progress);
  }

  /**
   * @param imageFile the file holding the bytes {@code reader} was opened on, whole (not a part of an
   *     archive), or null: data the reader reports {@link DiskImageReader#stored stored verbatim}
   *     there is then memory-mapped, zero-scanned and written from the page cache rather than
   *     copied into a buffer first (not for compressed output, which needs a copy anyway)
   */
  JavaConversion(DiskImageReader reader, Path imageFile, DiskFormat outputFormat, boolean compress, int threads,
      ProgressReporter progress) {
    this.reader = reader;
    this.imageFile = compress && outputFormat == DiskFormat.QCOW2 ? null : imageFile;
    this.size = reader.virtualSize();
    this.qcow2 = outputFormat == DiskFormat.QCOW2;
    this.compress = compress && qcow2;
    this.threads = threads;
    this.block = qcow2 ? Qcow2Writer.CLUSTER_SIZE : RawWriter.BLOCK_SIZE;
    this.progress = progress;
  }

  /** One guest window with data. */
  private static final class Window {
    long seq;
    long start;
    int len;
    /** Data ranges relative to start: pairs of (from, to). */
    int[] ranges = new int[16];
    int nRanges;
    Buffers buf;

    void add(int from, int to) {
      if (nRanges > 0 && ranges[2 * nRanges - 1] == from) {
        ranges[2 * nRanges - 1] = to;
        return;
      }
      if (2 * nRanges + 2 > ranges.length) {
        ranges = java.util.Arrays.copyOf(ranges, ranges.length * 2);
      }
      ranges[2 * nRanges] = from;
      ranges[2 * nRanges + 1] = to;
      nRanges++;
    }
  }

  /** A worker's reusable buffers (direct, off the heap). */
  private static final class Buffers {
    /** Allocated on first use: windows mapped whole never need it. */
    private ByteBuffer data;
    final ByteBuffer packed;
    final int window;
    final int[] compLen;
    final long[] host;
    /** Read windows: whether each block holds a non-zero byte. */
    final boolean[] nonZero;
    /** Mapped windows: runs of non-zero blocks [runFrom, runTo), kept in runBuf from runPos on. */
    final ByteBuffer[] runBuf;
    final int[] runPos;
    final int[] runFrom;
    final int[] runTo;
    int nRuns;
    /** The window's mapped pieces: guest window offsets (from, to) and their mappings. */
    final int[] segFrom;
    final int[] segTo;
    final MappedByteBuffer[] seg;
    int nSeg;
    Deflater deflater;

    Buffers(boolean compress, int window) {
      this.window = window;
      packed = compress ? ByteBuffer.allocateDirect(window) : null;
      compLen = new int[window / Qcow2Writer.CLUSTER_SIZE];
      host = new long[window / Qcow2Writer.CLUSTER_SIZE];
      nonZero = new boolean[window / RawWriter.BLOCK_SIZE];
      runBuf = new ByteBuffer[window / RawWriter.BLOCK_SIZE];
      runPos = new int[window / RawWriter.BLOCK_SIZE];
      runFrom = new int[window / RawWriter.BLOCK_SIZE];
      runTo = new int[window / RawWriter.BLOCK_SIZE];
      int maxSegments = window / MIN_SEGMENT;
      segFrom = new int[maxSegments];
      segTo = new int[maxSegments];
      seg = new MappedByteBuffer[maxSegments];
    }

    ByteBuffer data() {
      if (data == null) {
        data = ByteBuffer.allocateDirect(window);
      }
      return data;
    }

    void addRun(ByteBuffer buf, int pos, int from, int to) {
      runBuf[nRuns] = buf;
      runPos[nRuns] = pos;
      runFrom[nRuns] = from;
      runTo[nRuns] = to;
      nRuns++;
    }
  }

  /**
   * Converts the whole disk into {@code out}.
   *
   * @return the output file's length
   */
  long run(Path out) throws IOException {
    if (imageFile != null) {
      imageChannel = FileChannel.open(imageFile, StandardOpenOption.READ);
      if (firstDataStored()) {
        window = MAPPED_WINDOW;
      }
    }
    if (qcow2) {
      long[] bounds = dataBounds();
      writer = Qcow2Writer.create(out, size, bounds[0], bounds[1]);
    } else {
      writer = new RawWriter(out, size);
    }
    try {
      pump();
      return writer.finish();
    } finally {
      writer.close();
      if (imageChannel != null) {
        imageChannel.close();
      }
    }
  }

  /** @return whether the source keeps its first data verbatim in the image file (so it is mapped, not read) */
  private boolean firstDataStored() throws IOException {
    for (long pos = 0; pos < size; ) {
      DiskExtent e = reader.extentAt(pos);
      if (!e.zero()) {
        return reader.stored(pos, 1) != null;
      }
      pos = e.end();
    }
    return false;
  }

  /** @return how many windows were scanned and written from a mapping of the image file (for tests) */
  long mappedWindows() {
    return mappedWindows.get();
  }

  /** Upper bounds of allocated 64 KiB clusters and of 512 MiB L2 ranges, from the source's map. */
  private long[] dataBounds() throws IOException {
    long cs = Qcow2Writer.CLUSTER_SIZE;
    long l2span = cs * (cs / 8);
    long clusters = 0;
    long slots = 0;
    long lastCluster = -1;
    long lastSlot = -1;
    for (long pos = 0; pos < size; ) {
      DiskExtent e = reader.extentAt(pos);
      if (!e.zero()) {
        long first = Math.max(e.offset() / cs, lastCluster + 1);
        long last = (e.end() - 1) / cs;
        if (last >= first) {
          clusters += last - first + 1;
          lastCluster = last;
        }
        long fs = Math.max(e.offset() / l2span, lastSlot + 1);
        long ls = (e.end() - 1) / l2span;
        if (ls >= fs) {
          slots += ls - fs + 1;
          lastSlot = ls;
        }
      }
      pos = e.end();
    }
    return new long[] {clusters, slots};
  }

  private void pump() throws IOException {
    AtomicInteger made = new AtomicInteger();
    ExecutorService exec = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "vm-convert-" + made.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    BlockingQueue<Buffers> pool = new ArrayBlockingQueue<>(threads + 1);
    int created = 0;
    long seq = 0;
    try {
      Window w = null;
      long pos = 0;
      while (pos < size && failure.get() == null) {
        DiskExtent e = reader.extentAt(pos);
        if (e.offset() != pos || e.end() > size) {
          throw new IOException("reader returned extent " + e + " for offset " + pos);
        }
        if (e.zero()) {
          progress.advance(e.length());
          pos = e.end();
          continue;
        }
        long ws = pos / window * window;
        long to = Math.min(e.end(), Math.min(ws + window, size));
        if (w != null && w.start != ws) {
          submit(exec, pool, w);
          w = null;
        }
        if (w == null) {
          Buffers b = pool.poll();
          if (b == null && created < threads + 1) {
            b = new Buffers(compress, window);
            created++;
          }
          while (b == null && failure.get() == null) {
            b = pool.poll(100, TimeUnit.MILLISECONDS);
          }
          if (b == null) {
            break;
          }
          w = new Window();
          w.start = ws;
          w.len = (int) (Math.min(ws + window, size) - ws);
          w.seq = seq++;
          w.buf = b;
        }
        w.add((int) (pos - ws), (int) (to - ws));
        pos = to;
      }
      if (w != null && failure.get() == null) {
        submit(exec, pool, w);
      }
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      fail(new InterruptedIOException("conversion interrupted"));
    } catch (IOException | RuntimeException ex) {
      fail(ex);
    } finally {
      exec.shutdown();
      try {
        while (!exec.awaitTermination(1, TimeUnit.SECONDS)) {
          // the workers finish their windows; after a failure they stop at once
        }
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        exec.shutdownNow();
        fail(new InterruptedIOException("conversion interrupted"));
      }
    }
    Throwable t = failure.get();
    if (t instanceof IOException io) {
      throw io;
    }
    if (t instanceof RuntimeException re) {
      throw re;
    }
    if (t instanceof Error er) {
      throw er;
    }
    if (t != null) {
      throw new IOException(t);
    }
  }

  private void submit(ExecutorService exec, BlockingQueue<Buffers> pool, Window w) {
    exec.execute(() -> {
      try {
        process(w);
      } catch (Throwable t) {
        fail(t);
      } finally {
        pool.offer(w.buf);
        w.buf = null;
      }
    });
  }

  private void fail(Throwable t) {
    failure.compareAndSet(null, t);
    synchronized (turn) {
      turn.notifyAll();
    }
  }

  private void process(Window w) throws IOException, InterruptedException {
    if (failure.get() != null) {
      return;
    }
    Buffers b = w.buf;
    int padded = (w.len + block - 1) / block * block;
    int blocks = padded / block;
    boolean[] nz = b.nonZero;
    if (imageChannel != null && mapSegments(w, b)) {
      try {
        mappedWindows.incrementAndGet();
        processMapped(w, b, blocks);
      } catch (InternalError e) {
        // A mapped page past the file's end faults (SIGBUS) when the source shrinks under us.
        throw new CorruptImageException(imageFile.getFileName() + ": the file changed (truncated?) while it was"
            + " being converted, at guest offset " + w.start, e);
      } finally {
        for (int k = 0; k < b.nSeg; k++) {
          Unmapper.unmap(b.seg[k]);
          b.seg[k] = null;
        }
        java.util.Arrays.fill(b.runBuf, 0, b.nRuns, null);
        b.nSeg = 0;
        b.nRuns = 0;
      }
      return;
    }
    ByteBuffer data = b.data().clear();
    // Read in pieces small enough to stay in the CPU cache and zero-check each piece right away,
    // rather than reading 4 MiB and then streaming it through memory a second time.
    int cursor = 0;
    int checked = 0;
    for (int r = 0; r < w.nRanges; r++) {
      int from = w.ranges[2 * r];
      int to = w.ranges[2 * r + 1];
      zeroGap(data, cursor, from);
      for (int p = from; p < to; ) {
        int q = Math.min(to, (p / PIECE + 1) * PIECE);
        data.limit(q).position(p);
        reader.read(data, w.start + p);
        p = q;
        cursor = q;
        checked = check(w, data, nz, checked, cursor / block);
      }
    }
    zeroGap(data, cursor, padded);
    data.clear();
    check(w, data, nz, checked, blocks);
    finish(w, b, data, blocks);
  }

  /**
   * Maps the window's data ranges when the reader keeps all of them verbatim in the image file in
   * at most one piece per {@link #MIN_SEGMENT} bytes of window. On false nothing stays mapped.
   */
  private boolean mapSegments(Window w, Buffers b) throws IOException {
    b.nSeg = 0;
    boolean ok = false;
    try {
      for (int r = 0; r < w.nRanges; r++) {
        int to = w.ranges[2 * r + 1];
        for (int p = w.ranges[2 * r]; p < to; ) {
          DiskImageReader.Stored st = reader.stored(w.start + p, to - p);
          if (st == null || st.length() < 1 || st.length() > to - p || b.nSeg == b.seg.length) {
            return false;
          }
          int n = (int) st.length();
          b.seg[b.nSeg] = imageChannel.map(FileChannel.MapMode.READ_ONLY, st.sourceOffset(), n);
          b.segFrom[b.nSeg] = p;
          b.segTo[b.nSeg] = p + n;
          b.nSeg++;
          p += n;
        }
      }
      ok = true;
      return true;
    } finally {
      if (!ok) {
        for (int k = 0; k < b.nSeg; k++) {
          Unmapper.unmap(b.seg[k]);
          b.seg[k] = null;
        }
        b.nSeg = 0;
      }
    }
  }

  /** The mapped window: scanned in the mappings into runs of non-zero blocks, then written from them. */
  private void processMapped(Window w, Buffers b, int blocks) throws IOException, InterruptedException {
    scanMapped(b, blocks);
    if (qcow2) {
      awaitTurn(w.seq);
      try {
        for (int r = 0; r < b.nRuns; r++) {
          for (int i = b.runFrom[r]; i < b.runTo[r]; i++) {
            b.host[i] = writer.allocate(w.start + (long) i * block);
          }
        }
      } finally {
        passTurn();
      }
    }
    for (int r = 0; r < b.nRuns; r++) {
      ByteBuffer src = b.runBuf[r];
      int pos = b.runPos[r];
      int from = b.runFrom[r];
      int to = b.runTo[r];
      if (!qcow2) {
        int len = Math.min((to - from) * block, w.len - from * block);
        writeOut(src.duplicate().limit(pos + len).position(pos), w.start + (long) from * block);
        continue;
      }
      // Clusters allocated one after another are contiguous on the host except where an L2
      // table was put between them: one write per contiguous piece.
      while (from < to) {
        int j = from + 1;
        while (j < to && b.host[j] == b.host[from] + (long) (j - from) * block) {
          j++;
        }
        int len = (j - from) * block;
        writeOut(src.duplicate().limit(pos + len).position(pos), b.host[from]);
        pos += len;
        from = j;
      }
    }
    progress.advance(dataBytes(w));
  }

  /**
   * Finds the window's runs of non-zero blocks, in guest order, for a window whose data ranges are
   * mapped: a block wholly inside one mapped piece stays in the mapping; a block only partly
   * covered (piece edges, the disk's tail) is assembled in the data buffer with zeros around, as
   * the read path does. Blocks no piece covers are zero.
   */
  private void scanMapped(Buffers b, int blocks) {
    b.nRuns = 0;
    // One step per mapped piece, not per block: only the whole blocks' scan is a hot loop.
    int assembled = -1;
    for (int k = 0; k < b.nSeg; k++) {
      int from = b.segFrom[k];
      int to = b.segTo[k];
      int first = (from + block - 1) / block;
      int last = Math.min(blocks, to / block);
      if (from % block != 0 && from / block != assembled) {
        assembled = from / block;
        assemble(b, assembled, k);
      }
      if (first < last) {
        scanRun(b.seg[k], from, first, last, b);
      }
      if (to % block != 0 && last < blocks && last != assembled) {
        assembled = last;
        assemble(b, assembled, k);
      }
    }
  }

  /**
   * Copies the mapped parts of block {@code i}, which only partly lies in mapped pieces, into the
   * data buffer with zeros around, and adds it as a run when it is not all zeros.
   *
   * @param k the first mapped piece overlapping the block
   */
  private void assemble(Buffers b, int i, int k) {
    ByteBuffer data = b.data();
    int bf = i * block;
    int bt = bf + block;
    zero(data, bf, bt);
    for (int j = k; j < b.nSeg && b.segFrom[j] < bt; j++) {
      int f = Math.max(bf, b.segFrom[j]);
      int t = Math.min(bt, b.segTo[j]);
      data.limit(t).position(f);
      data.put(b.seg[j].duplicate().limit(t - b.segFrom[j]).position(f - b.segFrom[j]));
    }
    data.clear();
    if (!isZero(data, bf, block)) {
      b.addRun(data, bf, i, i + 1);
    }
  }

  /**
   * Adds the runs of non-zero blocks among blocks {@code from} to {@code to} (exclusive), which lie
   * wholly in mapping {@code m} starting at window offset {@code base}.
   */
  private void scanRun(ByteBuffer m, int base, int from, int to, Buffers b) {
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
          b.addRun(m, runStart * block - base, runStart, i);
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
      b.addRun(m, runStart * block - base, runStart, i);
    }
  }

  /** @return the index of the first non-zero byte of {@code m} in [from, to), or {@code to} */
  private static int firstNonZero(ByteBuffer m, int from, int to) {
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

  /** Compresses (if asked), allocates in guest order and writes the window's non-zero blocks. */
  private void finish(Window w, Buffers b, ByteBuffer data, int blocks) throws IOException, InterruptedException {
    boolean[] nz = b.nonZero;
    if (compress) {
      compressAll(b, data, blocks);
    }

    if (qcow2) {
      awaitTurn(w.seq);
      try {
        for (int i = 0; i < blocks; i++) {
          if (!nz[i]) {
            continue;
          }
          long guest = w.start + (long) i * block;
          b.host[i] = b.compLen[i] > 0 && compress
              ? writer.allocateCompressed(guest, b.compLen[i])
              : writer.allocate(guest);
        }
      } finally {
        passTurn();
      }
      writeQcow2(b, data, blocks);
    } else {
      writeRaw(w, b, data, blocks);
    }
    progress.advance(dataBytes(w));
  }

  /** Zero-checks blocks {@code from} (inclusive) to {@code to} (exclusive); returns {@code to}. */
  private int check(Window w, ByteBuffer data, boolean[] nz, int from, int to) {
    for (int i = from; i < to; i++) {
      nz[i] = covered(w, i * block, (i + 1) * block) && !isZero(data, i * block, block);
    }
    return Math.max(from, to);
  }

  private static long dataBytes(Window w) {
    long n = 0;
    for (int r = 0; r < w.nRanges; r++) {
      n += w.ranges[2 * r + 1] - w.ranges[2 * r];
    }
    return n;
  }

  private static boolean covered(Window w, int from, int to) {
    for (int r = 0; r < w.nRanges; r++) {
      if (w.ranges[2 * r] < to && w.ranges[2 * r + 1] > from) {
        return true;
      }
    }
    return false;
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
    for (int p = from; p < to; ) {
      int n = Math.min(to - p, ZEROS.capacity());
      data.limit(p + n).position(p);
      data.put(ZEROS.duplicate().clear().limit(n));
      p += n;
    }
  }

  private static boolean isZero(ByteBuffer data, int from, int len) {
    ByteBuffer s = data.duplicate().limit(from + len).position(from);
    return s.mismatch(ZEROS.duplicate().clear().limit(len)) == -1;
  }

  /** Raw-deflates each non-zero cluster; a cluster that does not shrink is stored (compLen 0). */
  private void compressAll(Buffers b, ByteBuffer data, int clusters) {
    if (b.deflater == null) {
      b.deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    }
    Deflater d = b.deflater;
    ByteBuffer packed = b.packed.clear();
    int cs = Qcow2Writer.CLUSTER_SIZE;
    for (int i = 0; i < clusters; i++) {
      b.compLen[i] = 0;
      if (!b.nonZero[i]) {
        continue;
      }
      int start = packed.position();
      // qemu inflates with a 4 KiB window (windowBits -12): a full flush every 4 KiB keeps every
      // back-reference within it, whatever window Java's deflater uses.
      d.reset();
      ByteBuffer out = packed.slice(start, cs - 1);
      boolean fits = true;
      for (int k = 0; k < cs && fits; k += 4096) {
        d.setInput(data.duplicate().limit(i * cs + k + 4096).position(i * cs + k));
        boolean last = k + 4096 >= cs;
        if (last) {
          d.finish();
        }
        for (int guard = 0; ; guard++) {
          d.deflate(out, last ? Deflater.NO_FLUSH : Deflater.FULL_FLUSH);
          if (!out.hasRemaining() || guard > 64) {
            fits = false;
            break;
          }
          if (last ? d.finished() : d.needsInput()) {
            break;
          }
        }
      }
      if (fits) {
        b.compLen[i] = out.position();
        packed.position(start + out.position());
      }
    }
  }

  private void writeQcow2(Buffers b, ByteBuffer data, int clusters) throws IOException {
    int cs = Qcow2Writer.CLUSTER_SIZE;
    // Coalesce items that are contiguous both on the host and in their buffer into single writes.
    ByteBuffer runBuf = null;
    int runFrom = 0;
    int runLen = 0;
    long runHost = 0;
    int packedPos = 0;
    for (int i = 0; i < clusters; i++) {
      if (!b.nonZero[i]) {
        continue;
      }
      ByteBuffer src;
      int from;
      int len;
      if (compress && b.compLen[i] > 0) {
        src = b.packed;
        from = packedPos;
        len = b.compLen[i];
        packedPos += len;
      } else {
        src = data;
        from = i * cs;
        len = cs;
      }
      if (runBuf == src && runFrom + runLen == from && runHost + runLen == b.host[i]) {
        runLen += len;
        continue;
      }
      if (runBuf != null) {
        writeOut(runBuf.duplicate().limit(runFrom + runLen).position(runFrom), runHost);
      }
      runBuf = src;
      runFrom = from;
      runLen = len;
      runHost = b.host[i];
    }
    if (runBuf != null) {
      writeOut(runBuf.duplicate().limit(runFrom + runLen).position(runFrom), runHost);
    }
  }

  private void writeRaw(Window w, Buffers b, ByteBuffer data, int blocks) throws IOException {
    int i = 0;
    while (i < blocks) {
      if (!b.nonZero[i]) {
        i++;
        continue;
      }
      int j = i;
      while (j < blocks && b.nonZero[j]) {
        j++;
      }
      int from = i * block;
      int to = Math.min(j * block, w.len);
      writeOut(data.duplicate().limit(to).position(from), w.start + from);
      i = j;
    }
  }

  private void writeOut(ByteBuffer src, long at) throws IOException {
    writer.write(src, at);
  }

  private void awaitTurn(long seq) throws InterruptedException, IOException {
    synchronized (turn) {
      while (nextSeq != seq) {
        if (failure.get() != null) {
          throw new IOException("aborted");
        }
        turn.wait();
      }
    }
  }

  private void passTurn() {
    synchronized (turn) {
      nextSeq++;
      turn.notifyAll();
    }
  }
}
