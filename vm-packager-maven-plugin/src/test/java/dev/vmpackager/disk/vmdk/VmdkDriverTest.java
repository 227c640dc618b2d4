package dev.vmpackager.disk.vmdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.disk.DiskExtent;
import dev.vmpackager.disk.DiskImageReader;
import dev.vmpackager.disk.DiskOpenOptions;
import dev.vmpackager.disk.FileImageSource;
import dev.vmpackager.disk.FormatDriver;
import dev.vmpackager.disk.UnsupportedImageException;
import dev.vmpackager.testing.PatternedDisk;
import dev.vmpackager.testing.QemuImg;
import dev.vmpackager.testing.ReaderDump;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.Deflater;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads every VMDK variant qemu-img writes, and a VMware-style stream, back to what they were made from. */
class VmdkDriverTest {

  static final long SIZE = 64L << 20;

  @TempDir static Path dir;
  static Path source;

  private final VmdkDriver driver = new VmdkDriver();

  @BeforeAll
  static void source() throws IOException {
    source = PatternedDisk.create(dir.resolve("src.raw"), SIZE, 42);
  }

  /** Opens a fixture through the driver (after checking it is detected) and dumps it to raw. */
  static Path readBack(VmdkDriver driver, Path vmdk, String expectedCreateType) throws IOException {
    try (FileImageSource src = FileImageSource.open(vmdk)) {
      assertTrue(driver.matches(head(vmdk), src), vmdk + " should be detected as VMDK");
      try (DiskImageReader r = driver.open(src, DiskOpenOptions.DEFAULT)) {
        assertEquals(expectedCreateType, ((VmdkReader) r).createType());
        Path raw = vmdk.resolveSibling(vmdk.getFileName() + ".out.raw");
        return ReaderDump.toRaw(r, raw);
      }
    }
  }

  static ByteBuffer head(Path file) throws IOException {
    byte[] all = new byte[(int) Math.min(Files.size(file), FormatDriver.HEAD_BYTES)];
    try (FileChannel ch = FileChannel.open(file)) {
      ByteBuffer b = ByteBuffer.wrap(all);
      while (b.hasRemaining() && ch.read(b) >= 0) {
        // fill
      }
    }
    return ByteBuffer.wrap(all);
  }

  private void roundTrip(String name, String subformat, String createType, String... extra) throws Exception {
    Path sub = Files.createDirectories(dir.resolve(name));
    Path vmdk = sub.resolve(name + ".vmdk");
    List<String> opts = new ArrayList<>(List.of("-o", "subformat=" + subformat));
    opts.addAll(List.of(extra));
    QemuImg.convert(source, vmdk, "vmdk", opts.toArray(new String[0]));
    Path raw = readBack(driver, vmdk, createType);
    QemuImg.assertIdentical(vmdk, "vmdk", raw, "raw");
    QemuImg.assertIdentical(source, "raw", raw, "raw");
  }

  @Test
  void monolithicSparse() throws Exception {
    roundTrip("mono", "monolithicSparse", "monolithicSparse");
  }

  @Test
  void streamOptimizedQemuLayout() throws Exception {
    roundTrip("stream", "streamOptimized", "streamOptimized");
  }

  @Test
  void monolithicFlat() throws Exception {
    // Read with the default options: extents are part of the disk (DESIGN.md, allowExternalFiles).
    roundTrip("flat", "monolithicFlat", "monolithicFlat");
  }

  @Test
  void twoGbMaxExtentSparse() throws Exception {
    roundTrip("twogbs", "twoGbMaxExtentSparse", "twoGbMaxExtentSparse");
  }

  @Test
  void twoGbMaxExtentFlat() throws Exception {
    roundTrip("twogbf", "twoGbMaxExtentFlat", "twoGbMaxExtentFlat");
    assertEquals(List.of("twogbf-f001.vmdk"), VmdkDriver.extentFileNames(dir.resolve("twogbf/twogbf.vmdk")));
    assertEquals(List.of(), VmdkDriver.extentFileNames(dir.resolve("twogbf/twogbf-f001.vmdk")));
  }

  @Test
  void zeroedGrainsVersion2AreZeroExtents() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("zg"));
    Path vmdk = sub.resolve("zg.vmdk");
    QemuImg.convert(source, vmdk, "vmdk", "-o", "zeroed_grain=on");
    ByteBuffer h = head(vmdk).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(2, h.getInt(4), "zeroed_grain=on writes version 2");
    assertTrue((h.getInt(8) & 4) != 0, "and sets the zeroed-grain flag");
    Path raw = readBack(driver, vmdk, "monolithicSparse");
    QemuImg.assertIdentical(vmdk, "vmdk", raw, "raw");
    try (FileImageSource src = FileImageSource.open(vmdk); DiskImageReader r = driver.open(src, DiskOpenOptions.DEFAULT)) {
      assertTrue(r.extentAt(10L << 20).zero(), "an unwritten grain is a zero extent");
      assertFalse(r.extentAt(0).zero(), "the first grain holds data");
    }
  }

  @Test
  void zeroedGrainEntriesAreNotRead() throws Exception {
    // Make GTE=1 entries: take a version 2 image and mark an allocated grain as zeroed.
    Path sub = Files.createDirectories(dir.resolve("zg1"));
    Path vmdk = sub.resolve("zg1.vmdk");
    QemuImg.convert(source, vmdk, "vmdk", "-o", "zeroed_grain=on");
    QemuImg.ok("map", "--output=json", "-f", "vmdk", vmdk);
    // Rewrite the GTE of grain 0 (guest offset 0) to 1 = zeroed; qemu then reads zeros there too.
    ByteBuffer h = head(vmdk).order(ByteOrder.LITTLE_ENDIAN);
    long gdOffset = h.getLong(56) * 512;
    try (FileChannel ch = FileChannel.open(vmdk, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer gde = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(gde, gdOffset);
      long gt = Integer.toUnsignedLong(gde.getInt(0)) * 512;
      ch.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 1), gt);
    }
    try (FileImageSource src = FileImageSource.open(vmdk); DiskImageReader r = driver.open(src, DiskOpenOptions.DEFAULT)) {
      DiskExtent e = r.extentAt(0);
      assertTrue(e.zero(), "a zeroed grain (GTE 1) is a zero extent");
      assertEquals(65536, e.length());
    }
    Path raw = readBack(driver, vmdk, "monolithicSparse");
    QemuImg.assertIdentical(vmdk, "vmdk", raw, "raw");
  }

  @Test
  void multiExtentSparseFiveGiB() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("big"));
    Path bigRaw = PatternedDisk.create(sub.resolve("big.raw"), 5L << 30, 7);
    Path vmdk = sub.resolve("big.vmdk");
    QemuImg.convert(bigRaw, vmdk, "vmdk", "-o", "subformat=twoGbMaxExtentSparse");
    assertTrue(Files.exists(sub.resolve("big-s003.vmdk")), "5 GiB makes three extents");
    try (FileImageSource src = FileImageSource.open(vmdk); DiskImageReader r = driver.open(src, DiskOpenOptions.DEFAULT)) {
      assertEquals(5L << 30, r.virtualSize());
      Path raw = dumpDataOnly(r, sub.resolve("big.out.raw"));
      QemuImg.assertIdentical(vmdk, "vmdk", raw, "raw");
    }
  }

  @Test
  void emptyCreatedMultiExtentIsAllZeroExtents() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("empty5g"));
    Path vmdk = sub.resolve("e.vmdk");
    QemuImg.ok("create", "-f", "vmdk", "-o", "subformat=twoGbMaxExtentSparse", vmdk, "5G");
    try (FileImageSource src = FileImageSource.open(vmdk); DiskImageReader r = driver.open(src, DiskOpenOptions.DEFAULT)) {
      DiskExtent e = r.extentAt(0);
      assertEquals(new DiskExtent(0, 5L << 30, true), e, "holes of all three extents merge into one zero run");
    }
  }

  /**
   * Dumps only data extents (ReaderDump reads every zero byte, too slow for 5 GiB), checking the
   * extents tile the disk and sampling each zero run.
   */
  static Path dumpDataOnly(DiskImageReader r, Path raw) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    try (FileChannel out = FileChannel.open(raw, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      long at = 0;
      while (at < r.virtualSize()) {
        DiskExtent e = r.extentAt(at);
        assertEquals(at, e.offset());
        if (e.zero()) {
          buf.clear().limit((int) Math.min(buf.capacity(), e.length()));
          r.read(buf, at);
          buf.flip();
          while (buf.hasRemaining()) {
            if (buf.get() != 0) {
              throw new AssertionError("zero extent at " + at + " reads non-zero");
            }
          }
        } else {
          for (long p = e.offset(); p < e.end(); ) {
            int n = (int) Math.min(buf.capacity(), e.end() - p);
            buf.clear().limit(n);
            r.read(buf, p);
            buf.flip();
            while (buf.hasRemaining()) {
              out.write(buf, p + buf.position());
            }
            p += n;
          }
        }
        at = e.end();
      }
      out.truncate(r.virtualSize());
      if (out.size() < r.virtualSize()) {
        out.write(ByteBuffer.wrap(new byte[1]), r.virtualSize() - 1);
      }
    }
    return raw;
  }

  @Test
  void largeGrainsWithTheChecksumSplitBetweenInputReads() throws Exception {
    // 128 KiB grains take two input reads or more. Grain 0 is a random head and zeros whose
    // compressed length puts the Adler-32 trailer across the end of the first read, so the trailer
    // is read from the file on its own; grain 1 is all random (three reads), grain 2 all zeros.
    Path sub = Files.createDirectories(dir.resolve("bigGrains"));
    int grain = 128 << 10;
    byte[] noise = new byte[grain];
    new SplittableRandom(7).nextBytes(noise);
    byte[] head = null;
    Deflater deflater = new Deflater();
    byte[] sink = new byte[2 * grain];
    for (int r = SparseExtent.INPUT_CHUNK - 2000; head == null && r < SparseExtent.INPUT_CHUNK; r++) {
      byte[] b = new byte[grain];
      System.arraycopy(noise, 0, b, 0, r);
      deflater.reset();
      deflater.setInput(b);
      deflater.finish();
      long inSecondRead = deflater.deflate(sink) - (SparseExtent.INPUT_CHUNK - 12L);
      if (inSecondRead >= 1 && inSecondRead <= 3) {
        head = b;
      }
    }
    deflater.end();
    assertTrue(head != null, "a head length must put the checksum across the first read's end");
    Path raw = sub.resolve("big.raw");
    try (FileChannel ch = FileChannel.open(raw, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(head), 0);
      ch.write(ByteBuffer.wrap(noise), grain);
      ch.write(ByteBuffer.wrap(new byte[grain]), 2L * grain);
    }
    Path vmdk = VmwareStreamWriter.write(raw, sub.resolve("big.vmdk"), grain / 512);
    QemuImg.assertIdentical(vmdk, "vmdk", raw, "raw");
    QemuImg.assertIdentical(raw, "raw", readBack(driver, vmdk, "streamOptimized"), "raw");
    // And it is checked there: a wrong checksum in grain 0 fails the read.
    long at;
    try (FileChannel ch = FileChannel.open(vmdk, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer h = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(h, 0);
      at = h.getLong(64) * 512;
      ByteBuffer m = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(m, at);
      assertEquals(0, m.getLong(0), "grain 0's marker comes first");
      ch.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 0}), at + 12 + m.getInt(8) - 4);
    }
    IOException e = assertThrows(IOException.class, () -> readBack(driver, vmdk, "streamOptimized"));
    assertTrue(e.getMessage().contains("incorrect data check"), e.getMessage());
  }

  @Test
  void vmwareStyleStreamWithFooterAndShortLastGrain() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("vmware"));
    // 7 sectors past 64 MiB: the last grain is short.
    Path odd = PatternedDisk.create(sub.resolve("odd.raw"), SIZE + 7 * 512, 42);
    Path vmdk = VmwareStreamWriter.write(odd, sub.resolve("vmware.vmdk"));
    byte[] head = Files.readAllBytes(vmdk);
    // Grain data is zlib with the 78 9C header, right after the first grain marker.
    int firstGrain = (1 + 1) * 512;
    assertEquals(0x78, head[firstGrain + 12] & 0xff);
    assertEquals(0x9c, head[firstGrain + 13] & 0xff);
    // qemu-img itself reads it as identical to its source: the fixture is a real VMware-layout stream.
    QemuImg.assertIdentical(vmdk, "vmdk", odd, "raw");
    Path raw = readBack(driver, vmdk, "streamOptimized");
    QemuImg.assertIdentical(odd, "raw", raw, "raw");
    assertEquals(Files.size(odd), Files.size(raw));
  }

  @Test
  void descriptorWithOffsetsZeroAndReadOnlyExtents() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("custom"));
    Files.copy(source, sub.resolve("data.bin"));
    // 20 MiB from data.bin at 0, 10 MiB of ZERO, then data.bin from 30 MiB on, read-only.
    String desc = "# Disk DescriptorFile\r\nversion=1\r\nCID=fffffffe\r\nparentCID=ffffffff\r\n"
        + "createType=\"custom\"\r\n\r\n# Extent description\r\n"
        + "RW 40960 FLAT \"data.bin\" 0\r\n"
        + "RW 20480 ZERO\r\n"
        + "RDONLY 69632 FLAT \"data.bin\" 61440\r\n";
    Path vmdk = Files.writeString(sub.resolve("custom.vmdk"), desc);
    byte[] expected = Files.readAllBytes(source);
    java.util.Arrays.fill(expected, 20 << 20, 30 << 20, (byte) 0);
    Path exp = Files.write(sub.resolve("expected.raw"), expected);
    try (FileImageSource src = FileImageSource.open(vmdk); DiskImageReader r = driver.open(src, DiskOpenOptions.DEFAULT)) {
      assertEquals(SIZE, r.virtualSize());
      assertEquals(new DiskExtent(20 << 20, 10 << 20, true), r.extentAt(20 << 20));
      Path raw = ReaderDump.toRaw(r, sub.resolve("custom.out.raw"));
      assertArrayEquals(expected, Files.readAllBytes(raw));
    }
    QemuImg.assertIdentical(exp, "raw", sub.resolve("custom.out.raw"), "raw");
  }

  @Test
  void version3Uncompressed() throws Exception {
    // qemu reads non-compressed version 3 (VMware's CBT-era sparse) read-only; so do we.
    Path sub = Files.createDirectories(dir.resolve("v3"));
    Path vmdk = sub.resolve("v3.vmdk");
    QemuImg.convert(source, vmdk, "vmdk");
    try (FileChannel ch = FileChannel.open(vmdk, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 3), 4);
    }
    QemuImg.assertIdentical(vmdk, "vmdk", source, "raw");
    Path raw = readBack(driver, vmdk, "monolithicSparse");
    QemuImg.assertIdentical(source, "raw", raw, "raw");
  }

  @Test
  void vmfsDescriptor() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("vmfs"));
    Files.copy(source, sub.resolve("esx-flat.vmdk"));
    Path vmdk = Files.writeString(sub.resolve("esx.vmdk"), "# Disk DescriptorFile\nversion=1\nencoding=\"UTF-8\"\n"
        + "CID=fffffffe\nparentCID=ffffffff\ncreateType=\"vmfs\"\n\n# Extent description\n"
        + "RW " + (SIZE / 512) + " VMFS \"esx-flat.vmdk\"\n\n# The Disk Data Base\n#DDB\n\n"
        + "ddb.adapterType = \"lsilogic\"\nddb.thinProvisioned = \"1\"\n");
    Path raw = readBack(driver, vmdk, "vmfs");
    QemuImg.assertIdentical(vmdk, "vmdk", raw, "raw");
    QemuImg.assertIdentical(source, "raw", raw, "raw");
  }

  @Test
  void differencingDiskIsRefusedWithoutTheOptIn() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("diff"));
    Path base = sub.resolve("base.vmdk");
    QemuImg.convert(source, base, "vmdk");
    Path child = sub.resolve("child.vmdk");
    QemuImg.ok("create", "-f", "vmdk", "-b", base.getFileName(), "-F", "vmdk", child);
    try (FileImageSource src = FileImageSource.open(child)) {
      UnsupportedImageException e = assertThrows(UnsupportedImageException.class,
          () -> driver.open(src, DiskOpenOptions.DEFAULT).close());
      assertTrue(e.getMessage().contains("child.vmdk") && e.getMessage().contains("differencing")
          && e.getMessage().contains("base.vmdk") && e.getMessage().contains("vm.allowExternalFiles"), e.getMessage());
    }
  }

  @Test
  void detectionIsByContent() throws Exception {
    try (FileImageSource src = FileImageSource.open(source)) {
      assertFalse(driver.matches(head(source), src), "a raw disk is not a VMDK");
    }
    Path q = dir.resolve("notvmdk.vmdk");
    QemuImg.convert(source, q, "qcow2");
    try (FileImageSource src = FileImageSource.open(q)) {
      assertFalse(driver.matches(head(q), src), "a qcow2 named .vmdk is not a VMDK");
    }
    ByteBuffer qemuStyle = ByteBuffer.wrap("# comment\nversion=1\nCID=1\n".getBytes(StandardCharsets.US_ASCII));
    assertTrue(driver.matches(qemuStyle, null), "qemu's probe: comments then version=1");
  }

  @Test
  void concurrentReadsMatchTheSource() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("conc"));
    Path vmdk = sub.resolve("c.vmdk");
    QemuImg.convert(source, vmdk, "vmdk", "-o", "subformat=streamOptimized");
    byte[] expected = Files.readAllBytes(source);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (FileImageSource src = FileImageSource.open(vmdk); DiskImageReader r = driver.open(src, DiskOpenOptions.DEFAULT)) {
      List<Future<?>> jobs = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int start = t;
        jobs.add(pool.submit(() -> {
          // Odd-sized, unaligned reads that straddle grains, interleaved between threads.
          byte[] b = new byte[100_003];
          for (long at = start * 100_003L; at + b.length <= SIZE; at += 4 * 100_003L) {
            ByteBuffer buf = ByteBuffer.wrap(b);
            r.read(buf, at);
            assertEquals(0, java.util.Arrays.compare(expected, (int) at, (int) at + b.length, b, 0, b.length),
                "bytes at " + at);
          }
          return null;
        }));
      }
      for (Future<?> f : jobs) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
