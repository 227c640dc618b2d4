package dev.vmpackager.io;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pipeline behind the parallel gzip and zstd writers: the input is cut into fixed-size blocks,
 * each block is compressed on its own by one of several workers, and a writer thread writes the
 * results in input order. A block's output depends only on its bytes (and whether it is the last),
 * never on which worker or how many there are, so the stream is the same bytes on any machine.
 *
 * <p>The data is read once: the producer hashes the input (and lets a subclass see it, for gzip's
 * CRC-32) while workers compress, and the writer thread hashes what it writes, so both SHA-256 (an
 * image layer's diff id and blob digest) are ready at {@link #close()}. Memory is bounded: at most
 * {@code 2 * workers + 2} blocks are in flight, and their buffers are reused.
 *
 * <p>Not thread-safe: one producer writes. Worker and writer threads are the stream's own and end on
 * {@link #close()}. A subclass says how a block is compressed and, optionally, what comes before the
 * first block and after the last.
 */
public abstract class ParallelCompressorOutputStream extends OutputStream {

  /** A compressed block: the first {@code length} bytes of {@code bytes}. */
  public record Compressed(byte[] bytes, int length) {}

  private static final AtomicInteger POOL_NUMBER = new AtomicInteger();
  private static final CompletableFuture<Compressed> END =
      CompletableFuture.completedFuture(new Compressed(new byte[0], 0));

  private final OutputStream out;
  private final String format;
  private final int blockSize;
  private final ExecutorService workers;
  private final Thread writer;
  private final BlockingQueue<byte[]> freeBuffers;
  private final BlockingQueue<CompletableFuture<Compressed>> pending;
  private final MessageDigest uncompressedDigest = Digests.sha256();
  private final MessageDigest compressedDigest = Digests.sha256();
  private final byte[] header;
  private volatile Throwable writerFailure;
  private byte[] current;
  private int currentLength;
  private long uncompressedSize;
  private long blocks;
  private volatile long compressedSize;
  private boolean closed;

  /**
   * @param out where the compressed stream goes; closed by {@link #close()}
   * @param format the format's name, for thread names and error messages ({@code gzip}, {@code zstd})
   * @param workers compressing threads, at least 1
   * @param blockSize the input each block holds, at least 1024; part of the output format
   * @param header bytes written before the first block (may be empty)
   */
  protected ParallelCompressorOutputStream(OutputStream out, String format, int workers, int blockSize,
      byte[] header) {
    if (workers < 1) {
      throw new IllegalArgumentException("at least one worker is needed, not " + workers);
    }
    if (blockSize < 1024) {
      throw new IllegalArgumentException("block size must be at least 1024, not " + blockSize);
    }
    this.out = Objects.requireNonNull(out, "out");
    this.format = format;
    this.blockSize = blockSize;
    this.header = header.clone();
    int inFlight = 2 * workers + 2;
    this.freeBuffers = new ArrayBlockingQueue<>(inFlight + 1);
    for (int i = 0; i < inFlight + 1; i++) {
      freeBuffers.add(new byte[blockSize]);
    }
    this.pending = new ArrayBlockingQueue<>(inFlight);
    int pool = POOL_NUMBER.incrementAndGet();
    AtomicInteger n = new AtomicInteger();
    this.workers = Executors.newFixedThreadPool(workers, r -> {
      Thread t = new Thread(r, "vm-packager-" + format + "-" + pool + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.writer = new Thread(this::writeLoop, "vm-packager-" + format + "-" + pool + "-writer");
    writer.setDaemon(true);
    writer.start();
    this.current = freeBuffers.poll();
  }

  /**
   * Compresses one block, on a worker thread. Failures are thrown unchecked ({@link UncheckedIOException}
   * for a message of the format's own) and surface as an {@link IOException} from the next write or
   * {@link #close()}.
   *
   * @param block the input, not to be kept: its buffer is reused once this returns
   * @param length the bytes of {@code block} to compress
   * @param last whether no block follows
   * @return the compressed bytes, handed to {@link #recycle(byte[])} once written
   */
  protected abstract Compressed compress(byte[] block, int length, boolean last);

  /**
   * Sees the input in order on the producer's thread (gzip's CRC-32); nothing by default.
   *
   * @param block the input
   * @param length its bytes
   */
  protected void consumed(byte[] block, int length) {}

  /** @return whether a last, empty block is compressed even after full blocks (gzip's final deflate block) */
  protected boolean alwaysEndsWithLastBlock() {
    return false;
  }

  /** @return the bytes after the last block, once every block is written (gzip's trailer); none by default */
  protected byte[] trailer() {
    return new byte[0];
  }

  /**
   * Takes back a written block's buffer for reuse; nothing by default.
   *
   * @param compressed the {@link Compressed#bytes()} just written
   */
  protected void recycle(byte[] compressed) {}

  /** Frees what the workers held, after they have stopped; nothing by default. */
  protected void released() {}

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    ensureOpen();
    Objects.checkFromIndexSize(off, len, b.length);
    while (len > 0) {
      int n = Math.min(len, blockSize - currentLength);
      System.arraycopy(b, off, current, currentLength, n);
      currentLength += n;
      off += n;
      len -= n;
      if (currentLength == blockSize) {
        dispatch(false);
        current = takeBuffer();
      }
    }
  }

  /**
   * Compresses the last block, waits for every block to be written, writes the trailer and closes
   * the underlying stream. Empty input still gives one (empty) block, so the result is always a
   * valid stream.
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (currentLength > 0 || blocks == 0 || alwaysEndsWithLastBlock()) {
        dispatch(true);
      }
      put(END);
      writer.join();
      checkWriter();
      byte[] trailer = trailer();
      out.write(trailer);
      compressedDigest.update(trailer);
      compressedSize += trailer.length;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while compressing");
    } finally {
      workers.shutdownNow();
      writer.interrupt();
      try {
        workers.awaitTermination(1, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      released();
      out.close();
    }
  }

  /** @return {@code sha256:<hex>} of the uncompressed input (a layer's diff id); after {@link #close()} */
  public String uncompressedDigest() {
    requireClosed();
    return Digests.ociDigest(uncompressedDigest.digest());
  }

  /** @return {@code sha256:<hex>} of the compressed stream (a blob's digest); after {@link #close()} */
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
        throw new IOException("writing the " + format + " stream failed: " + io.getMessage(), io);
      }
      throw new IOException(format + " compression failed: " + t, t);
    }
  }

  private void dispatch(boolean last) throws IOException {
    byte[] block = current;
    int length = currentLength;
    current = null;
    currentLength = 0;
    consumed(block, length);
    uncompressedDigest.update(block, 0, length);
    uncompressedSize += length;
    blocks++;
    CompletableFuture<Compressed> f = CompletableFuture.supplyAsync(() -> {
      try {
        return compress(block, length, last);
      } finally {
        freeBuffers.offer(block);
      }
    }, workers);
    put(f);
  }

  private void put(CompletableFuture<Compressed> f) throws IOException {
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

  /** The writer thread: the header, then the blocks in input order, each written and hashed. */
  private void writeLoop() {
    try {
      out.write(header);
      compressedDigest.update(header);
      compressedSize += header.length;
      while (true) {
        CompletableFuture<Compressed> f = pending.take();
        if (f == END) {
          return;
        }
        Compressed c = f.get();
        out.write(c.bytes(), 0, c.length());
        compressedDigest.update(c.bytes(), 0, c.length());
        compressedSize += c.length();
        recycle(c.bytes());
      }
    } catch (InterruptedException e) {
      writerFailure = e;
    } catch (ExecutionException e) {
      writerFailure = e.getCause() instanceof UncheckedIOException u ? u.getCause() : e.getCause();
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
