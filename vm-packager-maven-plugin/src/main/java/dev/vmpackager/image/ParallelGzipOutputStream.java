package dev.vmpackager.image;

import dev.vmpackager.io.ParallelCompressorOutputStream;
import java.io.IOException;
import java.io.OutputStream;
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
 * <p>The pipeline (workers, the ordered writer, the SHA-256 of the input, the layer's diff id, and of
 * the output, the blob digest, computed while writing; bounded memory) is
 * {@link ParallelCompressorOutputStream}'s, shared with the zstd writer; this class adds the gzip
 * header, the CRC-32 and the trailer, and deflates a block.
 */
public final class ParallelGzipOutputStream extends ParallelCompressorOutputStream {

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

  private final int level;
  private final CRC32 crc = new CRC32();
  private long inputSize;

  /**
   * @param out where the gzip stream goes; closed by {@link #close()}
   * @param level deflate level 0 (store) to 9
   * @param threads deflating threads (at least 1)
   */
  public ParallelGzipOutputStream(OutputStream out, int level, int threads) throws IOException {
    this(out, level, threads, DEFAULT_BLOCK_SIZE);
  }

  ParallelGzipOutputStream(OutputStream out, int level, int threads, int blockSize) throws IOException {
    super(out, "gzip", checkedThreads(level, threads), blockSize, GZIP_HEADER);
    this.level = level;
  }

  /** Checks the level before the pipeline starts its threads. */
  private static int checkedThreads(int level, int threads) {
    if (level < 0 || level > 9) {
      throw new IllegalArgumentException("deflate level must be 0..9, not " + level);
    }
    return threads;
  }

  /** The CRC-32 and length of the whole input, for the trailer. */
  @Override
  protected void consumed(byte[] block, int length) {
    crc.update(block, 0, length);
    inputSize += length;
  }

  /** The final deflate block ends the stream even when the input ended on a block boundary. */
  @Override
  protected boolean alwaysEndsWithLastBlock() {
    return true;
  }

  /** CRC-32 and length modulo 2^32, little-endian. */
  @Override
  protected byte[] trailer() {
    long c = crc.getValue();
    long isize = inputSize & 0xffffffffL;
    return new byte[] {
      (byte) c, (byte) (c >>> 8), (byte) (c >>> 16), (byte) (c >>> 24),
      (byte) isize, (byte) (isize >>> 8), (byte) (isize >>> 16), (byte) (isize >>> 24)
    };
  }

  /** One block raw-deflated on its own, ended with a sync flush (the last one with the final block). */
  @Override
  protected Compressed compress(byte[] block, int length, boolean last) {
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
      return new Compressed(buf, used);
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
