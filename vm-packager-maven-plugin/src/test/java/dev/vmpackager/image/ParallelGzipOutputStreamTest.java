package dev.vmpackager.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.testing.MixedBytes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParallelGzipOutputStreamTest {

  @TempDir Path dir;

  private static String sha256(byte[] b, int off, int len) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update(b, off, len);
    return "sha256:" + HexFormat.of().formatHex(md.digest());
  }

  private Path compress(byte[] data, int level, int threads, int blockSize, int writeSize, ParallelGzipOutputStream[] out)
      throws IOException {
    Path file = dir.resolve("out-" + level + "-" + threads + "-" + blockSize + "-" + data.length + ".gz");
    try (OutputStream fileOut = Files.newOutputStream(file)) {
      ParallelGzipOutputStream gz = new ParallelGzipOutputStream(fileOut, level, threads, blockSize);
      for (int i = 0; i < data.length; i += writeSize) {
        gz.write(data, i, Math.min(writeSize, data.length - i));
      }
      gz.close();
      out[0] = gz;
    }
    return file;
  }

  @Test
  void outputIsOneGzipStreamOfTheExactInputWithBothDigests() throws Exception {
    byte[] data = MixedBytes.of(5_000_000, 42);
    for (int level : new int[] {0, 1, 6}) {
      ParallelGzipOutputStream[] gz = new ParallelGzipOutputStream[1];
      Path file = compress(data, level, 2, 64 << 10, 77_777, gz);
      byte[] back;
      try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
        back = in.readAllBytes();
      }
      assertArrayEquals(data, back, "level " + level);
      byte[] compressed = Files.readAllBytes(file);
      assertEquals(sha256(data, 0, data.length), gz[0].uncompressedDigest());
      assertEquals(sha256(compressed, 0, compressed.length), gz[0].compressedDigest());
      assertEquals(compressed.length, gz[0].compressedSize());
      // The system's gzip accepts it as one member with the right CRC and length.
      Process p = new ProcessBuilder("gzip", "-t", "-v", file.toString()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, p.waitFor(), out);
      if (level == 0) {
        assertTrue(compressed.length > data.length, "stored blocks are not smaller");
        assertTrue(compressed.length < data.length * 1.001 + 100, "stored overhead is tiny: " + compressed.length);
      } else {
        assertTrue(compressed.length < data.length * 0.8, "text and zeros compress: " + compressed.length);
      }
    }
  }

  @Test
  void randomDataIsStoredNotInflated() throws Exception {
    byte[] data = new byte[3 << 20];
    new SplittableRandom(7).nextBytes(data);
    ParallelGzipOutputStream[] gz = new ParallelGzipOutputStream[1];
    Path file = compress(data, 6, 2, 1 << 20, 1 << 16, gz);
    long size = Files.size(file);
    assertTrue(size < data.length + data.length / 1000 + 100, "random data costs almost nothing: " + size);
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      assertArrayEquals(data, in.readAllBytes());
    }
  }

  @Test
  void highEntropyTextIsStillCompressed() throws Exception {
    byte[] random = new byte[3 << 20];
    new SplittableRandom(9).nextBytes(random);
    byte[] data = java.util.Base64.getMimeEncoder().encode(random); // Huffman-only territory
    ParallelGzipOutputStream[] gz = new ParallelGzipOutputStream[1];
    Path file = compress(data, 1, 2, 1 << 20, 1 << 16, gz);
    long size = Files.size(file);
    assertTrue(size < data.length * 0.78, "base64 shrinks to about 76%: " + size + " of " + data.length);
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      assertArrayEquals(data, in.readAllBytes());
    }
    run("gzip", "-t", file.toString());
  }

  private static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
  }

  @Test
  void edgeSizesEmptyOneByteAndExactBlockMultiples() throws Exception {
    for (int size : new int[] {0, 1, 4096, 8192, 3 * 4096, 3 * 4096 + 1}) {
      byte[] data = MixedBytes.of(size, size);
      ParallelGzipOutputStream[] gz = new ParallelGzipOutputStream[1];
      Path file = compress(data, 1, 3, 4096, 1000, gz);
      ByteArrayOutputStream back = new ByteArrayOutputStream();
      try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
        in.transferTo(back);
      }
      assertArrayEquals(data, back.toByteArray(), "size " + size);
      Process p = new ProcessBuilder("gzip", "-t", file.toString()).redirectErrorStream(true).start();
      assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void sameInputGivesSameBytesWhateverTheThreadCount() throws Exception {
    byte[] data = MixedBytes.of(2_000_000, 3);
    ParallelGzipOutputStream[] a = new ParallelGzipOutputStream[1];
    ParallelGzipOutputStream[] b = new ParallelGzipOutputStream[1];
    compress(data, 1, 1, 64 << 10, 5000, a);
    compress(data, 1, 4, 64 << 10, 1 << 20, b);
    assertEquals(a[0].compressedDigest(), b[0].compressedDigest());
  }
}
