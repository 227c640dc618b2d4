package dev.vmpackager.image;

import dev.vmpackager.io.Digests;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A gzip writer that deflates on several threads, pigz-style: the input is cut into independent
 * blocks, each block is raw-deflated on its own (no shared dictionary) and ended with a sync flush,
 * and the blocks are concatenated into <em>one</em> gzip member whose trailer carries the CRC-32
 * and length of the whole input. Any gzip reader ({@code gzip -t}, {@link java.util.zip.GZIPInputStream},
 * Go's compress/gzip in containerd) reads it as an ordinary single-member stream.
 *
 * <p>Each block is sampled first: content that does not compress (already compressed guest files,
 * encrypted data, random bytes) is written as stored deflate blocks, high-entropy content that
 * string matching does not help (base64, hex) is Huffman-coded only, four times faster; the rest is
 * deflated at the given level. Level {@code 0} stores everything (a gzip container around the
 * uncompressed tar).
 *
 * <p>While writing it computes the SHA-256 of the uncompressed input (the layer's diff id) and of
 * the compressed output (the blob digest), so the data is read once. Memory is bounded: at most
 * {@code 2 * threads + 2} blocks are in flight.
 *
 * <p>Not thread-safe: one producer writes. Worker and writer threads are its own and end on
 * {@link #close()}.
 */
public final class ParallelGzipOutputStream extends OutputStream {

  /** The default block size: large enough that per-block overhead vanishes, small enough to spread. */
  static final int DEFAULT_BLOCK_SIZE = 1 << 20;

  private static final int SAMPLE_SIZE = 8 << 10;
  private static final int SAMPLES = 4;
  /** A block whose samples shrink less than this is stored. */
  private static final double INCOMPRESSIBLE_RATIO = 0.97;
  /** Huffman-only coding is chosen when its samples are at most this much (of the input) larger. */
  private static final double HUFFMAN_TOLERANCE = 0.01;

  private static final byte[] GZIP_HEADER = {
    0x1f, (byte) 0x8b, 8, 0, // magic, deflate, no flags
    0, 0, 0, 0, // mtime 0: reproducible
    0, (byte) 0xff // no extra flags, OS unknown
  };
  private static final AtomicInteger POOL_NUMBER = new AtomicInteger();

  private final OutputStream out;
  private final int level;
  private final int blockSize;
  private final ExecutorService deflaters;
  private final Thread writer;
  private final BlockingQueue<byte[]> freeBuffers;
  private final BlockingQueue<CompletableFuture<byte[]>> pending;
  private final CRC32 crc = new CRC32();
  private final MessageDigest uncompressedDigest = Digests.sha256();
  private final MessageDigest compressedDigest = Digests.sha256();
  private volatile Throwable writerFailure;
  private byte[] current;
  private int currentLength;
  private long uncompressedSize;
  private volatile long compressedSize;
  private boolean closed;
  private static final CompletableFuture<byte[]> END = CompletableFuture.completedFuture(new byte[0]);

  /**
   * @param out where the gzip stream goes; closed by {@link #close()}
   * @param level deflate level 0 (store) to 9
   * @param threads deflating threads (at least 1)
   */
  public ParallelGzipOutputStream(OutputStream out, int level, int threads) throws IOException {
    this(out, level, threads, DEFAULT_BLOCK_SIZE);
  }

  ParallelGzipOutputStream(OutputStream out, int level, int threads, int blockSize) throws IOException {
    if (level < 0 || level > 9) {
      throw new IllegalArgumentException("deflate level must be 0..9, not " + level);
    }
    if (threads < 1 || blockSize < 1024) {
      throw new IllegalArgumentException("threads >= 1 and blockSize >= 1024 required");
    }
    this.out = out;
    this.level = level;
    this.blockSize = blockSize;
    int inFlight = 2 * threads + 2;
    this.freeBuffers = new ArrayBlockingQueue<>(inFlight + 1);
    for (int i = 0; i < inFlight + 1; i++) {
      freeBuffers.add(new byte[blockSize]);
    }
    this.pending = new ArrayBlockingQueue<>(inFlight);
    int pool = POOL_NUMBER.incrementAndGet();
    AtomicInteger n = new AtomicInteger();
    this.deflaters = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "vm-packager-gzip-" + pool + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    out.write(GZIP_HEADER);
    compressedDigest.update(GZIP_HEADER);
    compressedSize = GZIP_HEADER.length;
    this.writer = new Thread(this::writeLoop, "vm-packager-gzip-" + pool + "-writer");
    writer.setDaemon(true);
    writer.start();
    this.current = takeBuffer();
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    ensureOpen();
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

  /** Finishes the gzip stream (last block, trailer) and closes the underlying stream. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      dispatch(true);
      put(END);
      writer.join();
      checkWriter();
      long c = crc.getValue();
      long isize = uncompressedSize & 0xffffffffL;
      byte[] trailer = {
        (byte) c, (byte) (c >>> 8), (byte) (c >>> 16), (byte) (c >>> 24),
        (byte) isize, (byte) (isize >>> 8), (byte) (isize >>> 16), (byte) (isize >>> 24)
      };
      out.write(trailer);
      compressedDigest.update(trailer);
      compressedSize += trailer.length;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while compressing");
    } finally {
      deflaters.shutdownNow();
      writer.interrupt();
      out.close();
    }
  }

  /** @return {@code sha256:<hex>} of the uncompressed input (the layer diff id); after {@link #close()} */
  public String uncompressedDigest() {
    requireClosed();
    return Digests.ociDigest(uncompressedDigest.digest());
  }

  /** @return {@code sha256:<hex>} of the gzip stream (the blob digest); after {@link #close()} */
  public String compressedDigest() {
    requireClosed();
    return Digests.ociDigest(compressedDigest.digest());
  }

  /** @return the number of bytes written to the underlying stream; after {@link #close()} */
  public long compressedSize() {
    requireClosed();
    return compressedSize;
  }

  /** @return the number of uncompressed bytes written */
  public long uncompressedSize() {
    return uncompressedSize;
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
        throw new IOException("writing the compressed layer failed: " + io.getMessage(), io);
      }
      throw new IOException("compressing the layer failed: " + t, t);
    }
  }

  private void dispatch(boolean last) throws IOException {
    byte[] block = current;
    int length = currentLength;
    current = null;
    currentLength = 0;
    crc.update(block, 0, length);
    uncompressedDigest.update(block, 0, length);
    uncompressedSize += length;
    CompletableFuture<byte[]> f = CompletableFuture.supplyAsync(() -> {
      try {
        return deflateBlock(block, length, last);
      } finally {
        freeBuffers.offer(block);
      }
    }, deflaters);
    put(f);
  }

  private void put(CompletableFuture<byte[]> f) throws IOException {
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

  /** The writer thread: takes blocks in order, writes them and hashes them. */
  private void writeLoop() {
    try {
      while (true) {
        CompletableFuture<byte[]> f = pending.take();
        if (f == END) {
          return;
        }
        if (writerFailure != null) {
          continue; // drain so the producer never blocks on a full queue
        }
        byte[] compressed = f.get();
        out.write(compressed);
        compressedDigest.update(compressed);
        compressedSize += compressed.length;
      }
    } catch (InterruptedException e) {
      writerFailure = e;
    } catch (ExecutionException e) {
      writerFailure = e.getCause();
      drain();
    } catch (IOException | RuntimeException e) {
      writerFailure = e;
      drain();
    }
  }

  private void drain() {
    try {
      while (pending.take() != END) {
        // discard
      }
    } catch (InterruptedException ignored) {
      // closing
    }
  }

  private byte[] deflateBlock(byte[] block, int length, boolean last) {
    int effectiveLevel = level;
    int strategy = Deflater.DEFAULT_STRATEGY;
    if (level > 0) {
      switch (probe(block, length)) {
        case STORE -> effectiveLevel = Deflater.NO_COMPRESSION;
        case HUFFMAN -> strategy = Deflater.HUFFMAN_ONLY;
        case DEFLATE -> { }
      }
    }
    Deflater deflater = new Deflater(effectiveLevel, true);
    deflater.setStrategy(strategy);
    try {
      deflater.setInput(block, 0, length);
      // Stored blocks add 5 bytes per 64 KiB; deflate never grows data by more than that.
      byte[] buf = new byte[length + (length >> 10) + 64];
      int used = 0;
      if (last) {
        deflater.finish();
        while (!deflater.finished()) {
          if (used == buf.length) {
            buf = java.util.Arrays.copyOf(buf, buf.length * 2);
          }
          used += deflater.deflate(buf, used, buf.length - used);
        }
      } else {
        while (true) {
          if (used == buf.length) {
            buf = java.util.Arrays.copyOf(buf, buf.length * 2);
          }
          int space = buf.length - used;
          int n = deflater.deflate(buf, used, space, Deflater.SYNC_FLUSH);
          used += n;
          if (n < space && deflater.needsInput()) {
            break;
          }
        }
      }
      return java.util.Arrays.copyOf(buf, used);
    } finally {
      deflater.end();
    }
  }

  /** How a block is best written, judged from samples. */
  enum Method { DEFLATE, HUFFMAN, STORE }

  /**
   * Deflates a few samples of the block twice, with the configured level and with Huffman coding
   * only (no string matching). Nothing shrinks: the block is stored (compressed or encrypted data,
   * where deflating costs 20 ms per MiB for nothing). Huffman coding alone does as well: it is used,
   * four times faster (high-entropy text such as base64, logs of hex). Otherwise the block is
   * deflated at the configured level. The choice depends on the block's bytes only, so the output
   * stays reproducible.
   */
  private Method probe(byte[] block, int length) {
    if (length < SAMPLES * SAMPLE_SIZE * 2) {
      return Method.DEFLATE;
    }
    byte[] sink = new byte[SAMPLE_SIZE + 256];
    long in = (long) SAMPLES * SAMPLE_SIZE;
    long lz = 0;
    long huffman = 0;
    Deflater full = new Deflater(level, true);
    Deflater huff = new Deflater(level, true);
    huff.setStrategy(Deflater.HUFFMAN_ONLY);
    try {
      for (int i = 0; i < SAMPLES; i++) {
        int start = (int) ((long) (length - SAMPLE_SIZE) * i / (SAMPLES - 1));
        lz += deflatedSize(full, block, start, sink);
        huffman += deflatedSize(huff, block, start, sink);
      }
    } finally {
      full.end();
      huff.end();
    }
    if (lz >= in * INCOMPRESSIBLE_RATIO && huffman >= in * INCOMPRESSIBLE_RATIO) {
      return Method.STORE;
    }
    return huffman <= lz + in * HUFFMAN_TOLERANCE ? Method.HUFFMAN : Method.DEFLATE;
  }

  private static int deflatedSize(Deflater d, byte[] block, int start, byte[] sink) {
    d.reset();
    d.setInput(block, start, SAMPLE_SIZE);
    d.finish();
    int n = 0;
    while (!d.finished()) {
      n += d.deflate(sink);
    }
    return n;
  }
}
