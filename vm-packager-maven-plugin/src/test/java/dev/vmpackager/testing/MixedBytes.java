package dev.vmpackager.testing;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/** Test data for the compressors: what a disk layer mixes, in stretches of up to 300 KB. */
public final class MixedBytes {

  private MixedBytes() {}

  /**
   * Random, text and zero stretches: incompressible, compressible and trivial pieces in one stream
   * (stored, deflated and trivially deflated gzip blocks; such zstd chunks). The same bytes for the
   * same arguments in every JVM (ParallelZstdOutputStreamTest pins a digest of their compression).
   */
  public static byte[] of(int size, long seed) {
    byte[] data = new byte[size];
    SplittableRandom r = new SplittableRandom(seed);
    byte[] text = "KubeVirt containerDisk layer text, compressible. ".getBytes(StandardCharsets.US_ASCII);
    int at = 0;
    while (at < size) {
      int len = Math.min(size - at, 1 + r.nextInt(300_000));
      switch (r.nextInt(3)) {
        case 0 -> {
          byte[] b = new byte[len];
          r.nextBytes(b);
          System.arraycopy(b, 0, data, at, len);
        }
        case 1 -> {
          for (int i = 0; i < len; i++) {
            data[at + i] = text[(i + at) % text.length];
          }
        }
        default -> { } // zeros
      }
      at += len;
    }
    return data;
  }
}
