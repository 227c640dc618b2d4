package dev.vmpackager.artifact;

import com.github.luben.zstd.ZstdOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** The zstd stream a disk layer is compressed with. */
final class ZstdStreams {

  /** zstd's default level, as KubeVirt's exporter ({@code SpeedDefault}) and the {@code zstd} command use. */
  static final int LEVEL = 3;

  private ZstdStreams() {}

  /**
   * @param out where the compressed bytes go
   * @param threads worker threads (0: one per core)
   * @return a stream compressing into {@code out}, whose bytes do not depend on {@code threads}
   */
  static OutputStream compress(OutputStream out, int threads) throws IOException {
    // TEMPORARY until dev.vmpackager.io.ParallelZstdOutputStream (branch i14-zstd) is merged.
    ZstdOutputStream z = new ZstdOutputStream(out, LEVEL);
    z.setChecksum(false);
    return z;
  }
}
