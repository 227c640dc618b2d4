package dev.vmpackager.io;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A zstd writer that compresses on several threads and writes the same bytes whatever their
 * number: the input is cut into fixed {@value #CHUNK_SIZE}-byte chunks, each chunk is compressed on
 * its own into one complete zstd frame (content size and XXH64 checksum in it, no shared history),
 * and the frames are written in input order. Concatenated frames are one valid zstd stream (RFC 8878,
 * section 3.1), so {@code zstd -d}, Go's klauspost/compress (containerd, CRI-O, CDI) and any other
 * reader decompress it as a whole.
 *
 * <p>The output depends only on the input, the level and the bundled libzstd version (zstd-jni,
 * pinned by the build): not on the worker count, the machine's cores or how the caller splits its
 * writes. This does not rely on libzstd's own multi-threaded mode ({@code nbWorkers}), whose output
 * has depended on the worker count in some releases (facebook/zstd#2327); each frame here is one
 * single-threaded {@code ZSTD_compress2} call.
 *
 * <p>While writing it computes the SHA-256 of the uncompressed input and of the compressed output,
 * so the data is read once: the producer hashes the input, a writer thread hashes and writes the
 * frames while workers compress the next chunks. Memory is bounded: at most {@code 2 * workers + 2}
 * chunks (and their frames) are in flight.
 *
 * <p>Not thread-safe: one producer writes. The worker and writer threads are its own and end on
 * {@link #close()}.
 */
public final class ParallelZstdOutputStream extends OutputStream {

  /**
   * The chunk each frame holds: twice level 3's 2 MiB window, so cutting the history costs about
   * 1 % of the size; part of the output format, so never changed without a reason.
   */
  public static final int CHUNK_SIZE = 4 << 20;

  /** The level {@code zstd} uses by default: its speed and ratio are what the images are tuned for. */
  public static final int DEFAULT_LEVEL = 3;

  private static final AtomicInteger POOL_NUMBER = new AtomicInteger();

  /** A compressed frame: {@code length} bytes of {@code bytes}. */
  private record Frame(byte[] bytes, int length) {}

  private static final CompletableFuture<Frame> END = CompletableFuture.completedFuture(new Frame(new byte[0], 0));

  private final OutputStream out;
  private final int level;
  private final int chunkSize;
  private final ExecutorService compressors;
  private final BlockingQueue<ZstdCompressCtx> contexts;
  private final List<ZstdCompressCtx> allContexts = new ArrayList<>();
  private final Thread writer;
  private final BlockingQueue<byte[]> freeBuffers;
  /** Frame buffers to reuse: fresh 4 MiB arrays per frame cost page faults and GC time. */
  private final BlockingQueue<byte[]> freeFrames;
  private final int frameCapacity;
  private final BlockingQueue<CompletableFuture<Frame>> pending;
  private final MessageDigest uncompressedDigest = Digests.sha256();
  private final MessageDigest compressedDigest = Digests.sha256();
  private volatile Throwable writerFailure;
  private byte[] current;
  private int currentLength;
  private long uncompressedSize;
  private long frames;
  private volatile long compressedSize;
  private boolean closed;

  /**
   * Compresses at {@link #DEFAULT_LEVEL}.
   *
   * @param out where the zstd stream goes; closed by {@link #close()}
   * @param workers compressing threads (at least 1); the output is the same for any number
   * @throws IllegalArgumentException when {@code workers} is below 1
   */
  public ParallelZstdOutputStream(OutputStream out, int workers) {
    this(out, DEFAULT_LEVEL, workers);
  }

  /**
   * @param out where the zstd stream goes; closed by {@link #close()}
   * @param level zstd level 1 to 19 (3 is {@code zstd}'s default)
   * @param workers compressing threads (at least 1); the output is the same for any number
   * @throws IllegalArgumentException when the level or worker count is out of range
   */
  public ParallelZstdOutputStream(OutputStream out, int level, int workers) {
    this(out, level, workers, CHUNK_SIZE);
  }

  /** With another chunk size: for tests that need many frames from little data. */
  ParallelZstdOutputStream(OutputStream out, int level, int workers, int chunkSize) {
    if (level < 1 || level > 19) {
      throw new IllegalArgumentException("zstd level must be 1..19, not " + level);
    }
    if (workers < 1) {
      throw new IllegalArgumentException("at least one worker is needed, not " + workers);
    }
    if (chunkSize < 1024) {
      throw new IllegalArgumentException("chunk size must be at least 1024, not " + chunkSize);
    }
    this.out = out;
    this.level = level;
    this.chunkSize = chunkSize;
    int inFlight = 2 * workers + 2;
    this.freeBuffers = new ArrayBlockingQueue<>(inFlight + 1);
    for (int i = 0; i < inFlight + 1; i++) {
      freeBuffers.add(new byte[chunkSize]);
    }
    this.pending = new ArrayBlockingQueue<>(inFlight);
    // At most inFlight queued frames and the one being written exist at a time.
    this.freeFrames = new ArrayBlockingQueue<>(inFlight + 2);
    this.frameCapacity = (int) Zstd.compressBound(chunkSize);
    this.contexts = new ArrayBlockingQueue<>(workers);
    int pool = POOL_NUMBER.incrementAndGet();
    AtomicInteger n = new AtomicInteger();
    this.compressors = Executors.newFixedThreadPool(workers, r -> {
      Thread t = new Thread(r, "vm-packager-zstd-" + pool + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.writer = new Thread(this::writeLoop, "vm-packager-zstd-" + pool + "-writer");
    writer.setDaemon(true);
    writer.start();
    this.current = freeBuffers.poll();
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    ensureOpen();
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    while (len > 0) {
      int n = Math.min(len, chunkSize - currentLength);
      System.arraycopy(b, off, current, currentLength, n);
      currentLength += n;
      off += n;
      len -= n;
      if (currentLength == chunkSize) {
        dispatch();
        current = takeBuffer();
      }
    }
  }

  /**
   * Compresses the last chunk, waits for every frame to be written and closes the underlying
   * stream. Empty input still gives one (empty) frame, so the result is always a valid zstd stream.
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (currentLength > 0 || frames == 0) {
        dispatch();
      }
      put(END);
      writer.join();
      checkWriter();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while compressing");
    } finally {
      compressors.shutdownNow();
      writer.interrupt();
      try {
        compressors.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      // A context still held by a running worker is freed by its cleaner instead.
      synchronized (allContexts) {
        allContexts.forEach(ZstdCompressCtx::close);
      }
      out.close();
    }
  }

  /** @return {@code sha256:<hex>} of the uncompressed input; after {@link #close()} */
  public String uncompressedDigest() {
    requireClosed();
    return Digests.ociDigest(uncompressedDigest.digest());
  }

  /** @return {@code sha256:<hex>} of the zstd stream; after {@link #close()} */
  public String compressedDigest() {
    requireClosed();
    return Digests.ociDigest(compressedDigest.digest());
  }

  /** @return the number of bytes written to the underlying stream; after {@link #close()} */
  public long compressedSize() {
    requireClosed();
    return compressedSize;
  }

  /** @return the number of uncompressed bytes written so far */
  public long uncompressedSize() {
    return uncompressedSize + currentLength;
  }

  private void requireClosed() {
    if (!closed) {
      throw new IllegalStateException("the stream is not closed yet");
    }
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("stream closed");
    }
    checkWriter();
  }

  private void checkWriter() throws IOException {
    Throwable t = writerFailure;
    if (t != null) {
      if (t instanceof IOException io) {
        throw new IOException("writing the zstd stream failed: " + io.getMessage(), io);
      }
      throw new IOException("zstd compression failed: " + t, t);
    }
  }

  private void dispatch() throws IOException {
    byte[] chunk = current;
    int length = currentLength;
    current = null;
    currentLength = 0;
    uncompressedDigest.update(chunk, 0, length);
    uncompressedSize += length;
    frames++;
    CompletableFuture<Frame> f = CompletableFuture.supplyAsync(() -> {
      try {
        return compress(chunk, length);
      } finally {
        freeBuffers.offer(chunk);
      }
    }, compressors);
    put(f);
  }

  private Frame compress(byte[] chunk, int length) {
    ZstdCompressCtx ctx = contexts.poll();
    if (ctx == null) {
      ctx = new ZstdCompressCtx();
      ctx.setLevel(level);
      ctx.setChecksum(true);
      ctx.setContentSize(true);
      synchronized (allContexts) {
        allContexts.add(ctx);
      }
    }
    try {
      byte[] dst = freeFrames.poll();
      if (dst == null) {
        dst = new byte[frameCapacity];
      }
      int n = ctx.compressByteArray(dst, 0, dst.length, chunk, 0, length);
      return new Frame(dst, n);
    } finally {
      contexts.offer(ctx);
    }
  }

  private void put(CompletableFuture<Frame> f) throws IOException {
    try {
      pending.put(f);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while compressing");
    }
    checkWriter();
  }

  private byte[] takeBuffer() throws IOException {
    try {
      return freeBuffers.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while compressing");
    }
  }

  /** The writer thread: takes frames in input order, writes them and hashes them. */
  private void writeLoop() {
    try {
      while (true) {
        CompletableFuture<Frame> f = pending.take();
        if (f == END) {
          return;
        }
        Frame frame = f.get();
        out.write(frame.bytes(), 0, frame.length());
        compressedDigest.update(frame.bytes(), 0, frame.length());
        compressedSize += frame.length();
        freeFrames.offer(frame.bytes());
      }
    } catch (InterruptedException e) {
      writerFailure = e;
    } catch (ExecutionException e) {
      writerFailure = e.getCause() instanceof ZstdException z
          ? new IOException("zstd: " + z.getMessage(), z) : e.getCause();
      drain();
    } catch (IOException | RuntimeException e) {
      writerFailure = e;
      drain();
    }
  }

  /** After a failure: keeps taking so the producer never blocks on a full queue. */
  private void drain() {
    try {
      while (pending.take() != END) {
        // discard
      }
    } catch (InterruptedException ignored) {
      // closing
    }
  }
}
