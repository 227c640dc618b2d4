package dev.vmpackager.disk.convert;

import dev.vmpackager.disk.qcow2.Qcow2Writer;
import java.nio.ByteBuffer;
import java.util.zip.Deflater;

/**
 * Compresses a window's data clusters as qcow2 stores compressed clusters: each 64 KiB cluster
 * raw-deflated on its own, packed one after the other in guest order into one direct buffer of a
 * window's size. A cluster that does not shrink is stored as it is. One per worker, reused.
 */
final class ClusterCompressor {

  private static final int CLUSTER = Qcow2Writer.CLUSTER_SIZE;

  private final ByteBuffer packed;
  /** Per window cluster: its compressed length, or 0 when it is stored as it is. */
  private final int[] length;
  private Deflater deflater;

  /** @param window the window size, a multiple of the cluster size */
  ClusterCompressor(int window) {
    packed = ByteBuffer.allocateDirect(window);
    length = new int[window / CLUSTER];
  }

  /** Compresses the clusters of {@code runs} (blocks of the cluster size), replacing what the last call packed. */
  void compress(DataRuns runs) {
    if (deflater == null) {
      deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    }
    packed.clear();
    for (int r = 0; r < runs.count(); r++) {
      ByteBuffer data = runs.buffer(r);
      int at = runs.position(r);
      for (int i = runs.from(r); i < runs.to(r); i++, at += CLUSTER) {
        length[i] = deflate(data, at);
      }
    }
  }

  /** @return the compressed length of the window's cluster {@code i}, or 0 when it is stored as it is */
  int length(int i) {
    return length[i];
  }

  /** @return the compressed clusters, packed in guest order from offset 0 */
  ByteBuffer packed() {
    return packed;
  }

  /** Deflates the cluster at {@code data[from]} into the packed buffer; returns its length, or 0 when it did not shrink. */
  private int deflate(ByteBuffer data, int from) {
    Deflater d = deflater;
    int start = packed.position();
    // qemu inflates with a 4 KiB window (windowBits -12): a full flush every 4 KiB keeps every
    // back-reference within it, whatever window Java's deflater uses.
    d.reset();
    ByteBuffer out = packed.slice(start, CLUSTER - 1);
    for (int k = 0; k < CLUSTER; k += 4096) {
      d.setInput(data.duplicate().limit(from + k + 4096).position(from + k));
      boolean last = k + 4096 >= CLUSTER;
      if (last) {
        d.finish();
      }
      for (int guard = 0; ; guard++) {
        d.deflate(out, last ? Deflater.NO_FLUSH : Deflater.FULL_FLUSH);
        if (!out.hasRemaining() || guard > 64) {
          return 0;
        }
        if (last ? d.finished() : d.needsInput()) {
          break;
        }
      }
    }
    packed.position(start + out.position());
    return out.position();
  }
}
