package dev.vmpackager.disk.vmdk;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.disk.CorruptImageException;
import dev.vmpackager.disk.DiskExtent;
import dev.vmpackager.disk.DiskImageException;
import dev.vmpackager.disk.DiskImageReader;
import dev.vmpackager.disk.DiskOpenOptions;
import dev.vmpackager.disk.FileImageSource;
import dev.vmpackager.disk.UnsupportedImageException;
import dev.vmpackager.testing.PatternedDisk;
import dev.vmpackager.testing.QemuImg;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Damaged and malicious VMDKs: each fails with the right exception naming the file, fast, without OOM. */
@Timeout(60)
class VmdkHostileTest {

  @TempDir static Path dir;
  static Path mono;
  static Path stream;
  static Path vmware;
  static Path outside;
  private static final AtomicInteger COUNTER = new AtomicInteger();

  private final VmdkDriver driver = new VmdkDriver();

  @BeforeAll
  static void fixtures() throws Exception {
    Path src = PatternedDisk.create(dir.resolve("src.raw"), 64L << 20, 3);
    mono = dir.resolve("mono.vmdk");
    QemuImg.convert(src, mono, "vmdk");
    stream = dir.resolve("stream.vmdk");
    QemuImg.convert(src, stream, "vmdk", "-o", "subformat=streamOptimized");
    vmware = VmwareStreamWriter.write(src, dir.resolve("vmware.vmdk"));
    outside = src;
  }

  /** A fresh folder holding a copy of {@code base} named {@code name}. */
  private static Path copy(Path base, String name) throws IOException {
    Path sub = Files.createDirectories(dir.resolve("case" + COUNTER.incrementAndGet()));
    return Files.copy(base, sub.resolve(name));
  }

  private static void patchLong(Path f, long at, long v) throws IOException {
    patch(f, at, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, v));
  }

  private static void patchInt(Path f, long at, int v) throws IOException {
    patch(f, at, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, v));
  }

  private static void patch(Path f, long at, ByteBuffer b) throws IOException {
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
      ch.write(b, at);
    }
  }

  private static void truncate(Path f, long size) throws IOException {
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
      ch.truncate(size);
    }
  }

  private static long readLe(Path f, long at, int len) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel ch = FileChannel.open(f)) {
      ch.read(b.limit(len), at);
    }
    return b.clear().getLong(0);
  }

  /** The file sector holding guest grain 0's marker or data, via qemu's own GD/GT at the head. */
  private static long grain0Sector(Path f) throws IOException {
    long gd = readLe(f, 56, 8) * 512;
    long gt = readLe(f, gd, 4) * 512;
    return readLe(f, gt, 4);
  }

  /** Opens the image and reads every data extent; asserts the failure type and that it names the file. */
  private <T extends DiskImageException> T assertFails(Class<T> type, Path file, String... fragments) {
    T e = assertThrows(type, () -> {
      try (FileImageSource src = FileImageSource.open(file);
          DiskImageReader r = driver.open(src, new DiskOpenOptions(true))) {
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        for (long at = 0; at < r.virtualSize(); ) {
          DiskExtent x = r.extentAt(at);
          if (!x.zero()) {
            for (long p = x.offset(); p < x.end(); p += buf.capacity()) {
              buf.clear().limit((int) Math.min(buf.capacity(), x.end() - p));
              r.read(buf, p);
            }
          }
          at = x.end();
        }
      }
    });
    String m = e.getMessage();
    assertTrue(m.contains(file.getFileName().toString()), () -> "message should name the file: " + m);
    for (String f : fragments) {
      assertTrue(m.contains(f), () -> "message should say '" + f + "': " + m);
    }
    return e;
  }

  @Test
  void truncatedMonolithicSparse() throws Exception {
    Path f = copy(mono, "trunc.vmdk");
    truncate(f, Files.size(f) * 2 / 5);
    assertFails(CorruptImageException.class, f, "past the end");
  }

  @Test
  void truncatedInsideAGrain() throws Exception {
    // One grain of data: keep its first sector only, so the tables are intact and the data is not.
    Path sub = Files.createDirectories(dir.resolve("onegrain"));
    Path raw = sub.resolve("one.raw");
    try (FileChannel ch = FileChannel.open(raw, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 4096);
      ch.truncate(1 << 20);
      ch.write(ByteBuffer.wrap(new byte[1]), (1 << 20) - 1);
    }
    Path f = sub.resolve("trunc2.vmdk");
    QemuImg.convert(raw, f, "vmdk");
    truncate(f, (grain0Sector(f) + 1) * 512);
    assertFails(CorruptImageException.class, f, "truncated");
  }

  @Test
  void truncatedVmwareStreamHasNoFooter() throws Exception {
    Path f = copy(vmware, "cutstream.vmdk");
    truncate(f, Files.size(f) / 2);
    assertFails(CorruptImageException.class, f, "footer");
  }

  @Test
  void truncatedQemuStream() throws Exception {
    Path f = copy(stream, "cutqstream.vmdk");
    truncate(f, Files.size(f) / 2);
    assertFails(CorruptImageException.class, f);
  }

  @Test
  void grainDirectoryPastEndOfFile() throws Exception {
    Path f = copy(mono, "gd.vmdk");
    patchLong(f, 56, 1_000_000_000L);
    assertFails(CorruptImageException.class, f, "grain directory");
  }

  @Test
  void grainTablePastEndOfFile() throws Exception {
    Path f = copy(mono, "gt.vmdk");
    long gd = readLe(f, 56, 8) * 512;
    patchInt(f, gd, 0x7fffff00);
    assertFails(CorruptImageException.class, f, "grain table");
  }

  @Test
  void grainPastEndOfFile() throws Exception {
    Path f = copy(mono, "grain.vmdk");
    long gt = readLe(f, readLe(f, 56, 8) * 512, 4) * 512;
    patchInt(f, gt, 0x7fffff00);
    assertFails(CorruptImageException.class, f, "past the end");
  }

  @Test
  void tooManyGrainTableEntries() throws Exception {
    Path f = copy(mono, "gtes.vmdk");
    patchInt(f, 44, 1024);
    assertFails(CorruptImageException.class, f, "numGTEsPerGT");
  }

  @Test
  void hugeCapacityTinyFile() throws Exception {
    Path f = copy(mono, "huge.vmdk");
    patchLong(f, 12, 1L << 50); // 512 PiB claimed by a 1 MiB file
    assertFails(CorruptImageException.class, f, "capacity");
  }

  @Test
  void capacityOverflowingBytes() throws Exception {
    Path f = copy(mono, "overflow.vmdk");
    patchLong(f, 12, Long.MAX_VALUE);
    assertFails(CorruptImageException.class, f, "capacity");
  }

  @Test
  void grainSizeZero() throws Exception {
    Path f = copy(mono, "grain0.vmdk");
    patchLong(f, 20, 0);
    assertFails(CorruptImageException.class, f, "grain size");
  }

  @Test
  void grainSizeHuge() throws Exception {
    Path f = copy(mono, "grainhuge.vmdk");
    patchLong(f, 20, 1L << 40);
    assertFails(CorruptImageException.class, f, "grain size");
  }

  @Test
  void unknownVersion() throws Exception {
    Path f = copy(mono, "v4.vmdk");
    patchInt(f, 4, 4);
    assertFails(UnsupportedImageException.class, f, "version 4");
  }

  @Test
  void textModeDamagedNewlineBytes() throws Exception {
    Path f = copy(mono, "nl.vmdk");
    patch(f, 75, ByteBuffer.wrap(new byte[] {'\n'}));
    assertFails(CorruptImageException.class, f, "newline");
  }

  @Test
  void embeddedDescriptorTooLarge() throws Exception {
    Path f = copy(mono, "desc.vmdk");
    patchLong(f, 36, 1L << 40);
    assertFails(CorruptImageException.class, f, "descriptor");
  }

  @Test
  void markerSizeZero() throws Exception {
    Path f = copy(stream, "marker0.vmdk");
    patchInt(f, grain0Sector(f) * 512 + 8, 0);
    assertFails(CorruptImageException.class, f, "marker", "compressed size 0");
  }

  @Test
  void markerSizeHuge() throws Exception {
    Path f = copy(stream, "markerhuge.vmdk");
    patchInt(f, grain0Sector(f) * 512 + 8, 0x7fffffff);
    assertFails(CorruptImageException.class, f, "marker");
  }

  @Test
  void markerSizePastEndOfFile() throws Exception {
    Path f = copy(stream, "markereof.vmdk");
    long at = grain0Sector(f) * 512;
    patchInt(f, at + 8, 100_000);
    truncate(f, at + 20_000);
    assertFails(CorruptImageException.class, f);
  }

  @Test
  void markerLbaMismatch() throws Exception {
    Path f = copy(stream, "lba.vmdk");
    patchLong(f, grain0Sector(f) * 512, 999);
    assertFails(CorruptImageException.class, f, "LBA 999");
  }

  @Test
  void garbageCompressedData() throws Exception {
    Path f = copy(stream, "zlib.vmdk");
    patch(f, grain0Sector(f) * 512 + 12, ByteBuffer.wrap(new byte[] {0x12, 0x34, 0x56, 0x78, 0x11, 0x22}));
    assertFails(CorruptImageException.class, f, "zlib");
  }

  @Test
  void wrongChecksumOfAGrain() throws Exception {
    Path f = copy(stream, "adler.vmdk");
    long at = grain0Sector(f) * 512;
    long size = readLe(f, at + 8, 4);
    patch(f, at + 12 + size - 1, ByteBuffer.wrap(new byte[] {(byte) ~readLe(f, at + 12 + size - 1, 1)}));
    assertFails(CorruptImageException.class, f, "incorrect data check");
  }

  @Test
  void grainWithAZlibDictionary() throws Exception {
    Path f = copy(stream, "fdict.vmdk");
    // 78 BB: deflate, 32 KiB window, a valid header check, FDICT set.
    patch(f, grain0Sector(f) * 512 + 12, ByteBuffer.wrap(new byte[] {0x78, (byte) 0xbb}));
    assertFails(CorruptImageException.class, f, "needs a zlib dictionary");
  }

  @Test
  void grainWithABadZlibHeader() throws Exception {
    Path f = copy(stream, "header.vmdk");
    patch(f, grain0Sector(f) * 512 + 12, ByteBuffer.wrap(new byte[] {0x78, 0x00}));
    assertFails(CorruptImageException.class, f, "incorrect header check");
    patch(f, grain0Sector(f) * 512 + 12, ByteBuffer.wrap(new byte[] {0x79, 0x18}));
    assertFails(CorruptImageException.class, f, "unknown compression method");
  }

  @Test
  void descriptorNamingAbsolutePath() throws Exception {
    Path d = Files.createDirectories(dir.resolve("abs")).resolve("abs.vmdk");
    Files.writeString(d, "# Disk DescriptorFile\nversion=1\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\n"
        + "RW 8 FLAT \"/etc/passwd\" 0\n");
    assertFails(UnsupportedImageException.class, d, "/etc/passwd");
  }

  @Test
  void descriptorNamingParentFolder() throws Exception {
    Path d = Files.createDirectories(dir.resolve("dotdot")).resolve("dd.vmdk");
    Files.writeString(d, "# Disk DescriptorFile\nversion=1\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\n"
        + "RW 8 FLAT \"../src.raw\" 0\n");
    assertFails(UnsupportedImageException.class, d, "../src.raw");
    Files.writeString(d, "# Disk DescriptorFile\nversion=1\ncreateType=\"monolithicFlat\"\n"
        + "RW 8 FLAT \"sub\\..\\..\\src.raw\" 0\n");
    assertFails(UnsupportedImageException.class, d, "src.raw");
  }

  @Test
  void descriptorExtentSymlinkLeavingTheFolder() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("link"));
    Files.createSymbolicLink(sub.resolve("flat.bin"), outside);
    Path d = sub.resolve("link.vmdk");
    Files.writeString(d, "# Disk DescriptorFile\nversion=1\ncreateType=\"monolithicFlat\"\nRW 8 FLAT \"flat.bin\" 0\n");
    assertFails(UnsupportedImageException.class, d, "symbolic link");
  }

  @Test
  void descriptorExtentMissingOrTooShort() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("missing"));
    Path d = sub.resolve("m.vmdk");
    Files.writeString(d, "# Disk DescriptorFile\nversion=1\ncreateType=\"monolithicFlat\"\nRW 8 FLAT \"nope.bin\" 0\n");
    assertFails(CorruptImageException.class, d, "nope.bin", "does not exist");
    Files.write(sub.resolve("short.bin"), new byte[1024]);
    Files.writeString(d, "# Disk DescriptorFile\nversion=1\ncreateType=\"monolithicFlat\"\nRW 8 FLAT \"short.bin\" 0\n");
    assertFails(CorruptImageException.class, d, "short.bin", "too short");
  }

  @Test
  void noAccessExtentAndUnknownTypes() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("noaccess"));
    Files.write(sub.resolve("f.bin"), new byte[4096]);
    Path d = sub.resolve("na.vmdk");
    Files.writeString(d, "# Disk DescriptorFile\nversion=1\ncreateType=\"monolithicFlat\"\nNOACCESS 8 FLAT \"f.bin\" 0\n");
    assertFails(UnsupportedImageException.class, d, "NOACCESS");
    Files.writeString(d, "# Disk DescriptorFile\nversion=1\ncreateType=\"vmfsSparse\"\nRW 8 VMFSSPARSE \"f.bin\"\n");
    assertFails(UnsupportedImageException.class, d, "VMFSSPARSE");
    Files.writeString(d, "# Disk DescriptorFile\nversion=1\ncreateType=\"fullDevice\"\nRW 8 FLAT \"/dev/sda\" 0\n");
    assertFails(UnsupportedImageException.class, d, "fullDevice");
    Files.writeString(d, "# Disk DescriptorFile\nversion=1\ncreateType=\"monolithicFlat\"\nRW lots FLAT \"f.bin\" 0\n");
    assertFails(CorruptImageException.class, d, "line 4");
    Files.writeString(d, "# Disk DescriptorFile\nversion=1\ncreateType=\"monolithicFlat\"\n");
    assertFails(CorruptImageException.class, d, "no extent");
    Files.writeString(d, "# Disk DescriptorFile\nversion=1\ncreateType=\"monolithicFlat\"\n"
        + "RW 9223372036854775807 FLAT \"f.bin\" 0\n");
    assertFails(CorruptImageException.class, d, "out of range");
  }

  @Test
  void sparseExtentSmallerThanTheDescriptorSays() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("smaller"));
    Files.copy(mono, sub.resolve("s.vmdk"));
    Path d = sub.resolve("desc.vmdk");
    Files.writeString(d, "# Disk DescriptorFile\nversion=1\ncreateType=\"twoGbMaxExtentSparse\"\n"
        + "RW 4194304 SPARSE \"s.vmdk\"\n");
    assertFails(CorruptImageException.class, d, "s.vmdk");
  }

  @Test
  void hugeTextDescriptor() throws Exception {
    Path d = Files.createDirectories(dir.resolve("bigdesc")).resolve("big.vmdk");
    try (FileChannel ch = FileChannel.open(d, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap("# Disk DescriptorFile\nversion=1\n".getBytes(StandardCharsets.US_ASCII)));
      ch.write(ByteBuffer.wrap(new byte[1]), 8L << 30); // an 8 GiB sparse file
    }
    assertFails(CorruptImageException.class, d, "descriptor");
  }

  @Test
  void vmdk3CowdIsUnsupported() throws Exception {
    Path f = Files.createDirectories(dir.resolve("cowd")).resolve("cowd.vmdk");
    byte[] b = new byte[2048];
    b[0] = 'C';
    b[1] = 'O';
    b[2] = 'W';
    b[3] = 'D';
    Files.write(f, b);
    assertFails(UnsupportedImageException.class, f, "COWD");
  }

  @Test
  void tinyFiles() throws Exception {
    Path f = Files.createDirectories(dir.resolve("tiny")).resolve("tiny.vmdk");
    Files.write(f, new byte[] {'K', 'D', 'M'});
    assertFails(CorruptImageException.class, f, "too short");
    Files.write(f, new byte[] {'K', 'D', 'M', 'V', 1, 0, 0, 0});
    assertFails(CorruptImageException.class, f, "truncated");
    try (FileImageSource src = FileImageSource.open(f)) {
      assertFalse(driver.matches(ByteBuffer.wrap(new byte[] {'K', 'D', 'M'}), src));
    }
  }
}
