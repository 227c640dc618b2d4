package dev.vmpackager.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.disk.DiskExtent;
import dev.vmpackager.disk.DiskImageException;
import dev.vmpackager.disk.DiskImageReader;
import dev.vmpackager.disk.DiskOpenOptions;
import dev.vmpackager.disk.FileImageSource;
import dev.vmpackager.disk.FormatDriver;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Shared checks for format driver tests: detection, dumping through a reader, hostile files, patching bytes. */
public final class DriverChecks {

  /** The size of the patterned source every fixture is made from. */
  public static final long SOURCE_SIZE = 64L << 20;

  private DriverChecks() {}

  /** Creates the 64 MiB patterned raw source in {@code dir}. */
  public static Path patternedSource(Path dir) throws IOException {
    return PatternedDisk.create(dir.resolve("source.raw"), SOURCE_SIZE, 20261124L);
  }

  /** @return whether {@code driver} recognises the file from its content */
  public static boolean matches(FormatDriver driver, Path image) throws IOException {
    try (FileImageSource src = FileImageSource.open(image)) {
      ByteBuffer head = ByteBuffer.allocate((int) Math.min(FormatDriver.HEAD_BYTES, src.size()));
      src.readFully(head, 0);
      head.flip();
      return driver.matches(head, src);
    }
  }

  /**
   * Asserts the driver recognises {@code image}, reads it whole into {@code raw} through
   * {@link ReaderDump} and, from several threads at once, compares random reads with that dump.
   *
   * @return {@code raw}
   */
  public static Path dump(FormatDriver driver, Path image, Path raw) throws Exception {
    assertTrue(matches(driver, image), () -> driver.format() + " driver does not recognise " + image);
    try (FileImageSource src = FileImageSource.open(image);
        DiskImageReader reader = driver.open(src, DiskOpenOptions.DEFAULT)) {
      ReaderDump.toRaw(reader, raw);
      assertConcurrentReadsAgree(reader, raw);
    }
    return raw;
  }

  /** @return the extents of the whole disk, in order */
  public static List<DiskExtent> extents(FormatDriver driver, Path image) throws IOException {
    try (FileImageSource src = FileImageSource.open(image);
        DiskImageReader reader = driver.open(src, DiskOpenOptions.DEFAULT)) {
      List<DiskExtent> out = new ArrayList<>();
      for (long at = 0; at < reader.virtualSize(); ) {
        DiskExtent e = reader.extentAt(at);
        out.add(e);
        at = e.end();
      }
      return out;
    }
  }

  /** Four threads read random ranges at once; each must equal the same range of {@code raw}. */
  static void assertConcurrentReadsAgree(DiskImageReader reader, Path raw) throws Exception {
    long size = reader.virtualSize();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (FileChannel expected = FileChannel.open(raw, StandardOpenOption.READ)) {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        long seed = t;
        futures.add(pool.submit(() -> {
          SplittableRandom r = new SplittableRandom(seed);
          for (int i = 0; i < 50; i++) {
            int len = (int) Math.min(size, 1 + r.nextInt(300_000));
            long at = r.nextLong(size - len + 1);
            ByteBuffer got = (i % 2 == 0 ? ByteBuffer.allocate(len) : ByteBuffer.allocateDirect(len));
            reader.read(got, at);
            ByteBuffer want = ByteBuffer.allocate(len);
            while (want.hasRemaining()) {
              int n = expected.read(want, at + want.position());
              if (n < 0) {
                break;
              }
            }
            byte[] g = new byte[len];
            got.flip().get(g);
            assertArrayEquals(want.array(), g, "concurrent read of " + len + " bytes at " + at);
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Asserts that opening {@code image} fails quickly with {@code type}, naming the file.
   *
   * @return the exception, for more checks on its message
   */
  public static <T extends DiskImageException> T assertRejected(FormatDriver driver, Path image, Class<T> type,
      DiskOpenOptions options) {
    T e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(type, () -> {
      try (FileImageSource src = FileImageSource.open(image);
          DiskImageReader reader = driver.open(src, options)) {
        // A reader that opens must still fail when read whole (a lazily checked map).
        ReaderDump.toRaw(reader, image.resolveSibling(image.getFileName() + ".dump"));
      }
    }, () -> "expected " + type.getSimpleName() + " for " + image));
    String name = image.getFileName().toString();
    assertTrue(e.getMessage().contains(name), () -> "message does not name the file: " + e.getMessage());
    return e;
  }

  /** Rejected with the default options. */
  public static <T extends DiskImageException> T assertRejected(FormatDriver driver, Path image, Class<T> type) {
    return assertRejected(driver, image, type, DiskOpenOptions.DEFAULT);
  }

  /**
   * Makes a large, nearly empty image with qemu-img create and writes 64 KiB of byte 0x5a at
   * {@code dataAt} with qemu-io, then checks through the driver: the virtual size qemu reports, a
   * zero extent from 0 up to the data's block, the data itself, zeros after it. Large tables cross
   * the drivers' chunked table reads.
   */
  public static void assertLargeSparseImage(FormatDriver driver, Path image, long size, long dataAt,
      String... createOptions) throws Exception {
    List<Object> args = new ArrayList<>(List.of("create", "-q", "-f", driver.format().id()));
    for (String o : createOptions) {
      args.add(o);
    }
    args.add(image);
    args.add(size);
    QemuImg.ok(args.toArray());
    Process p = new ProcessBuilder("qemu-io", "-f", driver.format().id(), "-c", "write -P 0x5a " + dataAt + " 64k",
        image.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), () -> "qemu-io failed: " + out);
    String info = QemuImg.ok("info", "--output=json", "-f", driver.format().id(), image);
    Matcher m = Pattern.compile("\"virtual-size\": (\\d+)").matcher(info);
    assertTrue(m.find(), info);
    try (FileImageSource src = FileImageSource.open(image);
        DiskImageReader r = driver.open(src, DiskOpenOptions.DEFAULT)) {
      assertEquals(Long.parseLong(m.group(1)), r.virtualSize(), "virtual size");
      DiskExtent first = r.extentAt(0);
      assertTrue(first.zero() && first.end() <= dataAt && first.end() > dataAt / 2, () -> "first extent " + first);
      DiskExtent data = r.extentAt(dataAt);
      assertTrue(!data.zero() && data.end() >= dataAt + 65536, () -> "data extent " + data);
      ByteBuffer b = ByteBuffer.allocate(65536 + 4096);
      r.read(b, dataAt);
      byte[] want = new byte[65536 + 4096];
      Arrays.fill(want, 0, 65536, (byte) 0x5a);
      assertArrayEquals(want, b.array());
    }
  }

  /** Copies {@code from} to a sibling named {@code name}. */
  public static Path copy(Path from, String name) throws IOException {
    return Files.copy(from, from.resolveSibling(name), StandardCopyOption.REPLACE_EXISTING);
  }

  /** Overwrites bytes of {@code file} at {@code offset}. */
  public static void patch(Path file, long offset, byte[] bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) {
        ch.write(b, offset + b.position());
      }
    }
  }

  /** Overwrites bytes of {@code file} at {@code offset} with the buffer's remaining bytes. */
  public static void patch(Path file, long offset, ByteBuffer bytes) throws IOException {
    byte[] b = new byte[bytes.remaining()];
    bytes.duplicate().get(b);
    patch(file, offset, b);
  }

  /** Reads {@code length} bytes of {@code file} at {@code offset}. */
  public static ByteBuffer read(Path file, long offset, int length) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(length);
      while (b.hasRemaining()) {
        if (ch.read(b, offset + b.position()) < 0) {
          throw new IOException("short file " + file);
        }
      }
      return b.flip();
    }
  }

  /** Cuts {@code file} to {@code size} bytes. */
  public static void truncate(Path file, long size) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(size);
    }
  }
}
