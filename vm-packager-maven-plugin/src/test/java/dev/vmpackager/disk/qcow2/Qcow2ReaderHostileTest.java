package dev.vmpackager.disk.qcow2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.disk.CorruptImageException;
import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageException;
import dev.vmpackager.disk.DiskImages;
import dev.vmpackager.disk.DiskOpenOptions;
import dev.vmpackager.disk.OpenedDisk;
import dev.vmpackager.disk.UnsupportedImageException;
import dev.vmpackager.testing.PatternedDisk;
import dev.vmpackager.testing.QemuImg;
import dev.vmpackager.testing.ReaderDump;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Hand-patched qcow2 headers and tables: each ends in the right exception naming the file. */
class Qcow2ReaderHostileTest {

  @TempDir
  static Path dir;

  static Path raw;
  static Path good;
  static Path compressed;

  @BeforeAll
  static void fixtures() throws Exception {
    Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
    raw = PatternedDisk.create(dir.resolve("src.raw"), 64L << 20, 7);
    good = dir.resolve("good.qcow2");
    QemuImg.convert(raw, good, "qcow2");
    compressed = dir.resolve("comp.qcow2");
    QemuImg.convert(raw, compressed, "qcow2", "-c");
  }

  private static Path patched(String name, Path from, long offset, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.copy(from, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(bytes), offset);
    }
    return p;
  }

  private static byte[] be32(long v) {
    return ByteBuffer.allocate(4).putInt((int) v).array();
  }

  private static byte[] be64(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  private static long readLong(Path p, long at) throws IOException {
    try (FileChannel ch = FileChannel.open(p)) {
      ByteBuffer b = ByteBuffer.allocate(8);
      ch.read(b, at);
      return b.flip().getLong();
    }
  }

  /** Opens (and reads through) the image, expecting {@code type} with the file name and {@code words}. */
  private static <T extends DiskImageException> T expect(Class<T> type, Path p, String... words) {
    return expect(type, DiskOpenOptions.DEFAULT, p, words);
  }

  private static <T extends DiskImageException> T expect(Class<T> type, DiskOpenOptions options, Path p,
      String... words) {
    Executable open = () -> {
      try (OpenedDisk d = DiskImages.open(p, null, options)) {
        ReaderDump.toRaw(d.reader(), dir.resolve("dump.raw"));
      }
    };
    T e = assertThrows(type, open);
    assertTrue(e.getMessage().contains(p.getFileName().toString()), e.getMessage());
    for (String w : words) {
      assertTrue(e.getMessage().contains(w), () -> "'" + w + "' missing from: " + e.getMessage());
    }
    return e;
  }

  @Test
  void goodImageReadsLikeTheSource() throws Exception {
    try (OpenedDisk d = DiskImages.open(good, null, DiskOpenOptions.DEFAULT)) {
      assertEquals(DiskFormat.QCOW2, d.format());
      ReaderDump.toRaw(d.reader(), dir.resolve("good.raw"));
    }
    assertEquals(-1, Files.mismatch(raw, dir.resolve("good.raw")));
  }

  @Test
  void truncatedHeader() throws Exception {
    Path p = dir.resolve("trunc40.qcow2");
    Files.write(p, Arrays.copyOf(Files.readAllBytes(good), 40));
    expect(CorruptImageException.class, p, "truncated");
  }

  @Test
  void truncatedBeforeTables() throws Exception {
    Path p = dir.resolve("trunc.qcow2");
    try (FileChannel in = FileChannel.open(good); FileChannel out = FileChannel.open(p, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE)) {
      in.transferTo(0, 0x28000, out);
    }
    expect(CorruptImageException.class, p, "past the end");
  }

  @Test
  void truncatedData() throws Exception {
    Path p = dir.resolve("truncdata.qcow2");
    try (FileChannel in = FileChannel.open(good); FileChannel out = FileChannel.open(p, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE)) {
      in.transferTo(0, 0x60000, out);
    }
    expect(CorruptImageException.class, p, "past the end");
  }

  @Test
  void l1PastEof() throws Exception {
    expect(CorruptImageException.class, patched("l1eof.qcow2", good, 40, be64(1L << 40)), "l1_table_offset");
  }

  @Test
  void hugeL1Size() throws Exception {
    expect(CorruptImageException.class, patched("l1huge.qcow2", good, 36, be32(0x7fffffffL)), "l1_size");
  }

  @Test
  void hugeVirtualSize() throws Exception {
    expect(CorruptImageException.class, patched("size.qcow2", good, 24, be64(1L << 60)), "l1_size");
  }

  @Test
  void refcountTablePastEof() throws Exception {
    expect(CorruptImageException.class, patched("rt.qcow2", good, 48, be64(1L << 40)), "refcount_table_offset");
  }

  @Test
  void clusterBits40() throws Exception {
    expect(CorruptImageException.class, patched("cb40.qcow2", good, 20, be32(40)), "cluster_bits");
  }

  @Test
  void unknownIncompatibleBit() throws Exception {
    expect(UnsupportedImageException.class, patched("incompat.qcow2", good, 72, be64(1L << 40)),
        "incompatible");
  }

  @Test
  void encrypted() throws Exception {
    expect(UnsupportedImageException.class, patched("crypt.qcow2", good, 32, be32(2)), "encrypted");
  }

  @Test
  void l2PastEof() throws Exception {
    long l1 = readLong(good, 40);
    expect(CorruptImageException.class, patched("l2eof.qcow2", good, l1, be64((1L << 40) | (1L << 63))), "L1 entry 0");
  }

  @Test
  void dataClusterPastEof() throws Exception {
    long l2 = readLong(good, readLong(good, 40)) & Qcow2Reader.OFFSET_MASK;
    expect(CorruptImageException.class, patched("dataeof.qcow2", good, l2, be64((1L << 40) | (1L << 63))),
        "past the end");
  }

  /** @return the file offset of the first compressed L2 entry of the fixture */
  private static long firstCompressedEntry() throws IOException {
    long l2 = readLong(compressed, readLong(compressed, 40)) & Qcow2Reader.OFFSET_MASK;
    for (int i = 0; i < 8192; i++) {
      if ((readLong(compressed, l2 + 8L * i) & Qcow2Reader.COMPRESSED) != 0) {
        return l2 + 8L * i;
      }
    }
    throw new AssertionError("no compressed cluster in the fixture");
  }

  @Test
  void compressedClusterPastEof() throws Exception {
    long l2 = firstCompressedEntry();
    long e = readLong(compressed, l2);
    long x = 62 - (16 - 8);
    long bad = (e & ~((1L << x) - 1)) | (1L << 40);
    expect(CorruptImageException.class, patched("compeof.qcow2", compressed, l2, be64(bad)), "compressed", "past the end");
  }

  @Test
  void garbageCompressedCluster() throws Exception {
    long e = readLong(compressed, firstCompressedEntry());
    long x = 62 - (16 - 8);
    long at = e & ((1L << x) - 1);
    byte[] junk = new byte[512];
    Arrays.fill(junk, (byte) 0xff);
    expect(CorruptImageException.class, patched("compjunk.qcow2", compressed, at, junk), "compressed");
  }

  @Test
  void backingFileRefusedByDefault() throws Exception {
    Path base = dir.resolve("base.qcow2");
    Files.copy(good, base, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Path overlay = dir.resolve("overlay.qcow2");
    QemuImg.ok("create", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", overlay);
    expect(UnsupportedImageException.class, overlay, "backing file", "base.qcow2");
  }

  @Test
  void backingFileReadWhenAllowed() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("chain"));
    Path base = sub.resolve("base.qcow2");
    Files.copy(good, base, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Path overlay = sub.resolve("overlay.qcow2");
    QemuImg.ok("create", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", overlay);
    // Data of its own over part of the base, and a zeroed range that must hide the base's data.
    qemuIo(overlay, "write -P 0xab 1000k 200k");
    qemuIo(overlay, "write -z 5M 128k");
    try (OpenedDisk d = DiskImages.open(overlay, null, new DiskOpenOptions(true))) {
      ReaderDump.toRaw(d.reader(), sub.resolve("overlay.raw"));
    }
    QemuImg.assertIdentical(overlay, "qcow2", sub.resolve("overlay.raw"), "raw");
    assertTrue(Files.mismatch(raw, sub.resolve("overlay.raw")) >= 0, "the overlay's own data must show");
  }

  private static void qemuIo(Path image, String command) throws Exception {
    Process p = new ProcessBuilder("qemu-io", "-f", "qcow2", "-c", command, image.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
  }

  @Test
  void backingFileOutsideFolderRefused() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("inner"));
    Path overlay = sub.resolve("up.qcow2");
    QemuImg.ok("create", "-f", "qcow2", "-b", "../good.qcow2", "-F", "qcow2", overlay);
    expect(UnsupportedImageException.class, new DiskOpenOptions(true), overlay, "outside");
  }

  @Test
  void backingLoop() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("loop"));
    QemuImg.ok("create", "-f", "qcow2", "-u", "-b", "b.qcow2", "-F", "qcow2", sub.resolve("a.qcow2"), "64M");
    QemuImg.ok("create", "-f", "qcow2", "-u", "-b", "a.qcow2", "-F", "qcow2", sub.resolve("b.qcow2"), "64M");
    DiskImageException e = assertThrows(DiskImageException.class,
        () -> DiskImages.open(sub.resolve("a.qcow2"), null, new DiskOpenOptions(true)).close());
    assertTrue(e.getMessage().contains("backing chain"), e.getMessage());
  }
}
