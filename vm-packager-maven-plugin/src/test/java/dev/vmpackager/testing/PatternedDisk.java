package dev.vmpackager.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/**
 * Writes a sparse raw disk with stretches of random data, text and zeros at awkward offsets
 * (not cluster-aligned, across table boundaries, the last bytes), the one source every fixture
 * of every format is made from.
 */
public final class PatternedDisk {

  private PatternedDisk() {}

  /**
   * @param file the raw file to create
   * @param size the disk size in bytes (64 MiB or more exercises several tables)
   * @param seed the random seed, so fixtures are reproducible
   * @return {@code file}
   */
  public static Path create(Path file, long size, long seed) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      ch.truncate(0);
      long[] randomRuns = {0, 1 << 20, (5 << 20) + 12345, 33L << 20, size / 2 + 777, size - 4096};
      for (long at : randomRuns) {
        if (at < 0 || at >= size) {
          continue;
        }
        int len = (int) Math.min(70_000, size - at);
        byte[] b = new byte[len];
        random.nextBytes(b);
        ch.write(ByteBuffer.wrap(b), at);
      }
      byte[] text = "The quick brown fox jumps over the lazy KubeVirt VM. ".repeat(4000).getBytes(StandardCharsets.US_ASCII);
      for (long at : new long[] {3L << 20, (17L << 20) + 511, size / 3}) {
        if (at + text.length <= size) {
          ch.write(ByteBuffer.wrap(text), at);
        }
      }
      // A run of explicit zeros in the middle of data, and a lone non-zero byte in a zero stretch.
      ch.write(ByteBuffer.wrap(new byte[65536]), (1 << 20) + 8192);
      ch.write(ByteBuffer.wrap(new byte[] {1}), Math.min(size - 1, (9L << 20) + 3));
      ch.truncate(size);
      if (ch.size() < size) {
        ch.write(ByteBuffer.wrap(new byte[1]), size - 1);
      }
    }
    return file;
  }
}
