package dev.vmpackager.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.testing.MixedBytes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The zstd CLI is the oracle: it must read every stream back, frame by frame, checksums checked. */
class ParallelZstdOutputStreamTest {

  @TempDir Path dir;

  private Path compress(byte[] data, int level, int workers, int chunkSize, int writeSize,
      ParallelZstdOutputStream[] stream) throws IOException {
    Path file = Files.createTempFile(dir, "out-" + level + "-" + workers + "-", ".zst");
    try (OutputStream fileOut = Files.newOutputStream(file)) {
      ParallelZstdOutputStream z = chunkSize == ParallelZstdOutputStream.CHUNK_SIZE
          ? new ParallelZstdOutputStream(fileOut, level, workers)
          : new ParallelZstdOutputStream(fileOut, level, workers, chunkSize);
      for (int i = 0; i < data.length; i += writeSize) {
        z.write(data, i, Math.min(writeSize, data.length - i));
      }
      z.close();
      stream[0] = z;
    }
    return file;
  }

  private static String run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
    return out;
  }

  private byte[] zstdDecompress(Path file) throws Exception {
    Path back = dir.resolve(file.getFileName() + ".back");
    run("zstd", "-q", "-d", "-f", file.toString(), "-o", back.toString());
    return Files.readAllBytes(back);
  }

  private static long frameCount(String zstdList) {
    Matcher m = Pattern.compile("# Zstandard Frames: (\\d+)").matcher(zstdList);
    assertTrue(m.find(), zstdList);
    return Long.parseLong(m.group(1));
  }

  @Test
  void zstdReadsBackTheExactInputFromFramesOfOneChunkEachWithBothDigests() throws Exception {
    byte[] data = MixedBytes.of(5_000_000, 42);
    for (int level : new int[] {1, 3, 9}) {
      ParallelZstdOutputStream[] z = new ParallelZstdOutputStream[1];
      Path file = compress(data, level, 2, 64 << 10, 77_777, z);
      assertArrayEquals(data, zstdDecompress(file), "level " + level);
      byte[] compressed = Files.readAllBytes(file);
      assertEquals(Digests.sha256(data), z[0].uncompressedDigest());
      assertEquals(Digests.sha256(compressed), z[0].compressedDigest());
      assertEquals(compressed.length, z[0].compressedSize());
      assertEquals(data.length, z[0].uncompressedSize());
      assertTrue(compressed.length < data.length * 0.8, "text and zeros compress: " + compressed.length);
      String list = run("zstd", "-l", "-v", file.toString());
      assertEquals((data.length + (64 << 10) - 1) / (64 << 10), frameCount(list), list);
      assertTrue(list.contains("XXH64"), "each frame carries its checksum: " + list);
    }
  }

  @Test
  void sameBytesForOneTwoAndFourWorkersAndAnyWriteSize() throws Exception {
    // Three default-size chunks and a tail: the real chunking, not a test-only one.
    byte[] data = MixedBytes.of(3 * ParallelZstdOutputStream.CHUNK_SIZE + 123_457, 3);
    String digest = null;
    int[][] runs = {{1, 5000}, {2, 1 << 20}, {4, 65536}, {4, 333}};
    for (int[] r : runs) {
      ParallelZstdOutputStream[] z = new ParallelZstdOutputStream[1];
      Path file = compress(data, ParallelZstdOutputStream.DEFAULT_LEVEL, r[0], ParallelZstdOutputStream.CHUNK_SIZE,
          r[1], z);
      if (digest == null) {
        digest = z[0].compressedDigest();
        assertArrayEquals(data, zstdDecompress(file));
        assertEquals(4, frameCount(run("zstd", "-l", "-v", file.toString())));
      } else {
        assertEquals(digest, z[0].compressedDigest(), r[0] + " workers, writes of " + r[1]);
      }
    }
  }

  @Test
  void singleByteWritesGiveTheSameStreamAsBulkWrites() throws Exception {
    byte[] data = MixedBytes.of(300_000, 5);
    ByteArrayOutputStream bulk = new ByteArrayOutputStream();
    try (ParallelZstdOutputStream z = new ParallelZstdOutputStream(bulk, 3, 4, 4096)) {
      z.write(data);
    }
    ByteArrayOutputStream single = new ByteArrayOutputStream();
    try (ParallelZstdOutputStream z = new ParallelZstdOutputStream(single, 3, 1, 4096)) {
      for (byte b : data) {
        z.write(b);
      }
    }
    assertArrayEquals(bulk.toByteArray(), single.toByteArray());
  }

  /**
   * The bytes of a fixed input are pinned: a zstd-jni upgrade (or a change of chunk size, level or
   * frame flags) that changes them changes every image digest, and must be a decision, not a surprise.
   */
  @Test
  void outputOfAFixedInputIsPinned() throws Exception {
    byte[] data = MixedBytes.of(ParallelZstdOutputStream.CHUNK_SIZE + 1_000_000, 11);
    ParallelZstdOutputStream[] z = new ParallelZstdOutputStream[1];
    compress(data, ParallelZstdOutputStream.DEFAULT_LEVEL, 2, ParallelZstdOutputStream.CHUNK_SIZE, 1 << 16, z);
    assertEquals(PINNED, z[0].compressedDigest());
  }

  static final String PINNED = "sha256:156c759f6cb02e6295f92d307c4225a118e60406451d6cf0082ac6cf85911754";

  @Test
  void emptyInputIsOneEmptyFrame() throws Exception {
    ParallelZstdOutputStream[] z = new ParallelZstdOutputStream[1];
    Path file = compress(new byte[0], 3, 2, 4096, 1, z);
    assertTrue(Files.size(file) > 0 && Files.size(file) < 32, "one small frame: " + Files.size(file));
    assertArrayEquals(new byte[0], zstdDecompress(file));
    assertEquals(Digests.sha256(new byte[0]), z[0].uncompressedDigest());
  }

  @Test
  void exactChunkMultiplesAddNoEmptyFrame() throws Exception {
    for (int size : new int[] {1, 4096, 8192, 3 * 4096, 3 * 4096 + 1}) {
      byte[] data = MixedBytes.of(size, size);
      ParallelZstdOutputStream[] z = new ParallelZstdOutputStream[1];
      Path file = compress(data, 3, 3, 4096, 1000, z);
      assertArrayEquals(data, zstdDecompress(file), "size " + size);
      assertEquals((size + 4095) / 4096, frameCount(run("zstd", "-l", "-v", file.toString())), "size " + size);
    }
  }

  @Test
  void aFailingDownstreamEndsInAnIOExceptionNotAHang() {
    OutputStream broken = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        throw new IOException("No space left on device");
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        throw new IOException("No space left on device");
      }
    };
    byte[] data = MixedBytes.of(2_000_000, 8);
    IOException e = assertThrows(IOException.class, () -> {
      try (ParallelZstdOutputStream z = new ParallelZstdOutputStream(broken, 3, 2, 4096)) {
        for (int i = 0; i < 20; i++) {
          z.write(data);
        }
      }
    });
    assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
  }

  @Test
  void badArgumentsAreRefusedNamingTheValue() {
    OutputStream sink = OutputStream.nullOutputStream();
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new ParallelZstdOutputStream(sink, 0, 1))
        .getMessage().contains("1..19, not 0"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new ParallelZstdOutputStream(sink, 3, 0))
        .getMessage().contains("not 0"));
  }

  @Test
  void digestsAreOnlyReadAfterClose() throws Exception {
    ParallelZstdOutputStream z = new ParallelZstdOutputStream(OutputStream.nullOutputStream(), 1);
    z.write(new byte[10]);
    assertThrows(IllegalStateException.class, z::compressedDigest);
    z.close();
    z.close(); // twice is harmless
    assertThrows(IOException.class, () -> z.write(1));
    assertEquals(10, z.uncompressedSize());
  }
}
