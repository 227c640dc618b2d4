package dev.vmpackager.disk.convert;

import dev.vmpackager.disk.DiskExtent;
import dev.vmpackager.disk.DiskImageReader;
import dev.vmpackager.disk.DiskImageWriter;
import dev.vmpackager.event.ProgressReporter;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Copies a disk's data from a reader to a writer in fixed guest windows, on a pool of workers.
 *
 * <p>The calling thread walks the reader's extents; zero extents are skipped without reading.
 * Each window with data goes to a worker, which {@link SourceWindow reads} it into
 * runs of non-zero blocks, {@link ClusterCompressor compresses} them if asked, then, when the
 * writer needs guest order, waits for its turn (the windows' order) to allocate them, so the
 * output is the same on every run and for any number of threads; it writes outside its turn when
 * the writer allows, else within it. At most {@code threads + 1} windows are in flight, each in its
 * worker's reused buffers: heap use does not grow with the disk.
 */
final class ConversionPipeline {

  private final DiskImageReader reader;
  private final long size;
  private final DiskImageWriter writer;
  private final int block;
  private final int window;
  private final boolean compress;
  private final int threads;
  private final Supplier<SourceWindow> sources;
  private final ProgressReporter progress;

  private final Object turn = new Object();
  private final Object writeLock = new Object();
  private long nextSeq;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  /**
   * @param window the guest window one task covers, a multiple of the writer's block size
   * @param compress whether to store clusters compressed (the writer must take compressed blocks
   *     of {@link ClusterCompressor}'s cluster size)
   * @param sources makes a worker's source window (over the same reader, window and block size)
   */
  ConversionPipeline(DiskImageReader reader, DiskImageWriter writer, int window, boolean compress, int threads,
      Supplier<SourceWindow> sources, ProgressReporter progress) {
    this.reader = reader;
    this.size = reader.virtualSize();
    this.writer = writer;
    this.block = writer.blockSize();
    this.window = window;
    this.compress = compress;
    this.threads = threads;
    this.sources = sources;
    this.progress = progress;
  }

  /** A worker's reusable state, one per window in flight. */
  private final class Slot {
    final SourceWindow source = sources.get();
    final ClusterCompressor compressor = compress ? new ClusterCompressor(window) : null;
    /** Per window block: where the writer put it. */
    final long[] position = new long[window / block];
  }

  /** Copies every window with data; the writer is then ready to {@link DiskImageWriter#finish finish}. */
  void run() throws IOException {
    AtomicInteger made = new AtomicInteger();
    ExecutorService exec = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "vm-convert-" + made.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    BlockingQueue<Slot> pool = new ArrayBlockingQueue<>(threads + 1);
    int created = 0;
    long seq = 0;
    try {
      Window w = null;
      Slot slot = null;
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
          submit(exec, pool, w, slot);
          w = null;
        }
        if (w == null) {
          slot = pool.poll();
          if (slot == null && created < threads + 1) {
            slot = new Slot();
            created++;
          }
          while (slot == null && failure.get() == null) {
            slot = pool.poll(100, TimeUnit.MILLISECONDS);
          }
          if (slot == null) {
            break;
          }
          w = new Window(seq++, ws, (int) (Math.min(ws + window, size) - ws));
        }
        w.add((int) (pos - ws), (int) (to - ws));
        pos = to;
      }
      if (w != null && failure.get() == null) {
        submit(exec, pool, w, slot);
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

  private void submit(ExecutorService exec, BlockingQueue<Slot> pool, Window w, Slot slot) {
    exec.execute(() -> {
      try {
        process(w, slot);
      } catch (Throwable t) {
        fail(t);
      } finally {
        pool.offer(slot);
      }
    });
  }

  private void fail(Throwable t) {
    failure.compareAndSet(null, t);
    synchronized (turn) {
      turn.notifyAll();
    }
  }

  /** Loads, compresses (if asked), allocates in guest order and writes the window's non-zero blocks. */
  private void process(Window w, Slot s) throws IOException, InterruptedException {
    if (failure.get() != null) {
      return;
    }
    SourceWindow source = s.source;
    try {
      DataRuns runs = source.load(w);
      if (compress) {
        s.compressor.compress(runs);
      }
      switch (writer.order()) {
        case ANY -> {
          allocate(w, runs, s);
          write(w, runs, s);
        }
        case ALLOCATION -> {
          awaitTurn(w.seq);
          try {
            allocate(w, runs, s);
          } finally {
            passTurn();
          }
          write(w, runs, s);
        }
        case STREAM -> {
          awaitTurn(w.seq);
          try {
            allocate(w, runs, s);
            write(w, runs, s);
          } finally {
            passTurn();
          }
        }
      }
      progress.advance(w.dataBytes());
    } finally {
      source.release();
    }
  }

  /** Asks the writer where each non-zero block goes, in guest order. */
  private void allocate(Window w, DataRuns runs, Slot s) throws IOException {
    for (int r = 0; r < runs.count(); r++) {
      for (int i = runs.from(r); i < runs.to(r); i++) {
        long guest = w.start + (long) i * block;
        s.position[i] = compress && s.compressor.length(i) > 0
            ? writer.allocateCompressed(guest, s.compressor.length(i))
            : writer.allocate(guest);
      }
    }
  }

  /**
   * Writes the window's non-zero blocks where they were allocated, the last block of the disk up to
   * the disk's end. Blocks contiguous both in their buffer and in the output go in one write
   * (allocated one after another, clusters are contiguous except where an L2 table was put
   * between them).
   */
  private void write(Window w, DataRuns runs, Slot s) throws IOException {
    ByteBuffer runBuf = null;
    int runFrom = 0;
    int runLen = 0;
    long runAt = 0;
    int packedPos = 0;
    for (int r = 0; r < runs.count(); r++) {
      for (int i = runs.from(r); i < runs.to(r); i++) {
        ByteBuffer src;
        int from;
        int len;
        if (compress && s.compressor.length(i) > 0) {
          src = s.compressor.packed();
          from = packedPos;
          len = s.compressor.length(i);
          packedPos += len;
        } else {
          src = runs.buffer(r);
          from = runs.position(r) + (i - runs.from(r)) * block;
          len = Math.min(block, w.len - i * block);
        }
        long at = s.position[i];
        if (runBuf == src && runFrom + runLen == from && runAt + runLen == at) {
          runLen += len;
          continue;
        }
        if (runBuf != null) {
          put(runBuf.duplicate().limit(runFrom + runLen).position(runFrom), runAt);
        }
        runBuf = src;
        runFrom = from;
        runLen = len;
        runAt = at;
      }
    }
    if (runBuf != null) {
      put(runBuf.duplicate().limit(runFrom + runLen).position(runFrom), runAt);
    }
  }

  /**
   * One write to the output at a time. The kernel runs writes to one file one at a time anyway
   * (ext4 holds the inode lock for each), and a worker waiting for that lock spins on it: 20 % of
   * all CPU samples in {@code rwsem_spin_on_owner} for qcow2 -> qcow2 on the benchmark machine.
   * Waiting here parks it instead (system CPU 0.56-0.64 -> 0.44-0.57 s, and 0.05-0.5 s less
   * elapsed time, for 1 GiB of data).
   */
  private void put(ByteBuffer b, long at) throws IOException {
    synchronized (writeLock) {
      writer.write(b, at);
    }
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
