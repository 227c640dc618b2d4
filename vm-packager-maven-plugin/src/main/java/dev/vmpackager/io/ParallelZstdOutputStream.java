package dev.vmpackager.io;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

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
 * <p>The pipeline (workers, the ordered writer, both SHA-256 computed while writing, bounded memory)
 * is {@link ParallelCompressorOutputStream}'s, shared with the gzip writer; this class compresses a
 * chunk into a frame and reuses the frames' buffers and libzstd's contexts.
 */
public final class ParallelZstdOutputStream extends ParallelCompressorOutputStream {

  /**
   * The chunk each frame holds: twice level 3's 2 MiB window, so cutting the history costs little
   * (0.2 % of the size against {@code zstd -3 -T2} on 2 GiB of system files); part of the output
   * format, so never changed without a reason.
   */
  public static final int CHUNK_SIZE = 4 << 20;

  /** The level {@code zstd} uses by default: its speed and ratio are what the images are tuned for. */
  public static final int DEFAULT_LEVEL = 3;

  private final int level;
  private final BlockingQueue<ZstdCompressCtx> contexts;
  private final List<ZstdCompressCtx> allContexts = new ArrayList<>();
  /** Frame buffers to reuse: fresh 4 MiB arrays per frame cost page faults and GC time. */
  private final BlockingQueue<byte[]> freeFrames;
  private final int frameCapacity;

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
    super(out, "zstd", checkedWorkers(level, workers), chunkSize, new byte[0]);
    this.level = level;
    // At most 2 * workers + 2 queued frames and the one being written exist at a time.
    this.freeFrames = new ArrayBlockingQueue<>(2 * workers + 4);
    this.frameCapacity = (int) Zstd.compressBound(chunkSize);
    this.contexts = new ArrayBlockingQueue<>(workers);
  }

  /** Checks the level before the pipeline starts its threads. */
  private static int checkedWorkers(int level, int workers) {
    if (level < 1 || level > 19) {
      throw new IllegalArgumentException("zstd level must be 1..19, not " + level);
    }
    return workers;
  }

  /** One chunk into one complete frame (content size and checksum in it), on a worker's context. */
  @Override
  protected Compressed compress(byte[] chunk, int length, boolean last) {
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
      return new Compressed(dst, n);
    } catch (ZstdException e) {
      throw new UncheckedIOException(new IOException("zstd: " + e.getMessage(), e));
    } finally {
      contexts.offer(ctx);
    }
  }

  @Override
  protected void recycle(byte[] frame) {
    freeFrames.offer(frame);
  }

  /** A context still held by a running worker is freed by its cleaner instead. */
  @Override
  protected void released() {
    synchronized (allContexts) {
      allContexts.forEach(ZstdCompressCtx::close);
    }
  }
}
