package dev.vmpackager.disk.qed;

import static dev.vmpackager.testing.ChainChecks.assertConversionRefused;
import static dev.vmpackager.testing.ChainChecks.assertConvertsLikeQemu;
import static dev.vmpackager.testing.ChainChecks.qemuIo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.disk.CorruptImageException;
import dev.vmpackager.disk.DiskExtent;
import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageException;
import dev.vmpackager.disk.DiskImages;
import dev.vmpackager.disk.DiskOpenOptions;
import dev.vmpackager.disk.OpenedDisk;
import dev.vmpackager.disk.UnsupportedImageException;
import dev.vmpackager.testing.DriverChecks;
import dev.vmpackager.testing.QemuImg;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * QED images with backing files made by qemu-img (raw, qcow2, vmdk and qed bases), written into
 * with qemu-io, read through the backing file when external files are allowed and converted
 * exactly as qemu-img reads them; refused with a clear message otherwise and for hostile chains.
 */
class QedBackingFileTest {

  @TempDir
  static Path dir;

  /** The 64 MiB patterned source every base is made from. */
  static Path source;

  @BeforeAll
  static void fixtures() throws Exception {
    source = DriverChecks.patternedSource(dir);
  }

  private static Path work(String name) {
    return dir.resolve("work-" + name);
  }

  /** A fresh folder with a base of the given format made from the patterned source. */
  private static Path folderWithBase(String name, String format) throws Exception {
    Path sub = Files.createDirectories(dir.resolve(name));
    QemuImg.convert(source, sub.resolve("base." + format), format);
    return sub;
  }

  private static long features(Path qed) throws Exception {
    return DriverChecks.read(qed, 16, 8).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"raw", "qcow2", "vmdk", "qed"})
  void childReadsUnallocatedClustersFromItsBackingFile(String baseFormat) throws Exception {
    Path sub = folderWithBase("base-" + baseFormat, baseFormat);
    Path child = sub.resolve("child.qed");
    QemuImg.ok("create", "-q", "-f", "qed", "-b", "base." + baseFormat, "-F", baseFormat, child, "80M");
    // A raw backing file is marked "no probe" (feature 4): it is read raw, never probed.
    assertEquals(baseFormat.equals("raw") ? 5 : 1, features(child));
    // Partial clusters (qemu copies the rest from the backing file), whole clusters, aligned zero
    // writes (QED zero clusters, which must hide the backing file's data), an unaligned zero
    // write, and data past the backing file's end (64 MiB).
    qemuIo(child, "qed", "write -P 0xab 1000k 200k", "write -z 5M 128k", "write -z 3M 10000",
        "write -P 0x11 63M 2M", "write -P 0x12 75M 4k");
    assertConvertsLikeQemu(child, "qed", work("base-" + baseFormat));
    try (OpenedDisk d = DiskImages.open(child, null, new DiskOpenOptions(true))) {
      ByteBuffer b = ByteBuffer.allocate(4096);
      d.reader().read(b, (5L << 20) + 12345);
      assertTrue(Arrays.equals(new byte[4096], b.array()), "the zero clusters must hide the backing file's data");
      DiskExtent zero = d.reader().extentAt(5L << 20);
      assertTrue(zero.zero() && zero.end() == (5L << 20) + (128 << 10), () -> "zero clusters: " + zero);
      DiskExtent text = d.reader().extentAt(17L << 20);
      assertTrue(!text.zero(), () -> "the backing file's data shows through: " + text);
      DiskExtent tail = d.reader().extentAt(70L << 20);
      assertTrue(tail.zero(), () -> "past the backing file's end: " + tail);
    }
  }

  @Test
  void mixedThreeDeepChain() throws Exception {
    // raw <- qed <- qcow2 <- qed: each opened by content (or as the child says) through DiskImages.
    Path sub = folderWithBase("mixed", "raw");
    QemuImg.ok("create", "-q", "-f", "qed", "-b", "base.raw", "-F", "raw", sub.resolve("mid.qed"));
    qemuIo(sub.resolve("mid.qed"), "qed", "write -P 0x21 0 300k", "write -z 33M 64k");
    QemuImg.ok("create", "-q", "-f", "qcow2", "-b", "mid.qed", "-F", "qed", sub.resolve("upper.qcow2"));
    qemuIo(sub.resolve("upper.qcow2"), "qcow2", "write -P 0x31 100k 100k", "write -z 0 64k");
    QemuImg.ok("create", "-q", "-f", "qed", "-b", "upper.qcow2", "-F", "qcow2", sub.resolve("top.qed"));
    qemuIo(sub.resolve("top.qed"), "qed", "write -P 0x41 40M 1M");
    assertConvertsLikeQemu(sub.resolve("top.qed"), "qed", work("mixed"));
  }

  @Test
  void rawBackingFileIsNotProbed() throws Exception {
    // The backing file holds a qcow2 image, but the child says raw ("no probe"): qemu reads the
    // qcow2 file's bytes as they are, and so must we, never following what the bytes claim.
    Path sub = folderWithBase("noprobe", "qcow2");
    Path child = sub.resolve("child.qed");
    QemuImg.ok("create", "-q", "-f", "qed", "-b", "base.qcow2", "-F", "raw", child, "64M");
    try (OpenedDisk d = DiskImages.open(child, null, new DiskOpenOptions(true))) {
      ByteBuffer magic = ByteBuffer.allocate(4);
      d.reader().read(magic, 0);
      assertEquals(0x514649FB, magic.getInt(0), "the qcow2 header itself, read raw");
    }
    assertConvertsLikeQemu(child, "qed", work("noprobe"));
  }

  @Test
  void refusedWithoutTheOptInNamingIt() throws Exception {
    Path sub = folderWithBase("optin", "qcow2");
    Path child = sub.resolve("child.qed");
    QemuImg.ok("create", "-q", "-f", "qed", "-b", "base.qcow2", "-F", "qcow2", child);
    assertConversionRefused(child, false, UnsupportedImageException.class, work("optin"), "backing file",
        "base.qcow2", "vm.allowExternalFiles");
  }

  @Test
  void backingFileOutsideTheFolderIsRefused() throws Exception {
    Path sub = Files.createDirectories(folderWithBase("outside", "raw").resolve("inner"));
    QemuImg.ok("create", "-q", "-f", "qed", "-b", "../base.raw", "-F", "raw", sub.resolve("up.qed"));
    assertConversionRefused(sub.resolve("up.qed"), true, UnsupportedImageException.class, work("outside-rel"),
        "outside", "../base.raw");
    Path abs = sub.getParent().resolve("base.raw").toAbsolutePath();
    QemuImg.ok("create", "-q", "-f", "qed", "-b", abs, "-F", "raw", sub.resolve("abs.qed"));
    assertConversionRefused(sub.resolve("abs.qed"), true, UnsupportedImageException.class, work("outside-abs"),
        "outside");
  }

  @Test
  void missingBackingFile() throws Exception {
    Path sub = folderWithBase("missing", "raw");
    QemuImg.ok("create", "-q", "-f", "qed", "-b", "base.raw", "-F", "raw", sub.resolve("orphan.qed"));
    Files.delete(sub.resolve("base.raw"));
    assertConversionRefused(sub.resolve("orphan.qed"), true, DiskImageException.class, work("missing"), "base.raw",
        "not found");
  }

  @Test
  void loopIsRefused() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("loop"));
    QemuImg.ok("create", "-q", "-f", "qed", "-u", "-b", "b.qed", "-F", "qed", sub.resolve("a.qed"), "1M");
    QemuImg.ok("create", "-q", "-f", "qed", "-u", "-b", "a.qed", "-F", "qed", sub.resolve("b.qed"), "1M");
    assertConversionRefused(sub.resolve("a.qed"), true, CorruptImageException.class, work("loop"), "loops");
  }

  @Test
  void chainsDeeperThanSixteenAreRefused() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("depth"));
    QemuImg.ok("create", "-q", "-f", "raw", sub.resolve("d0.raw"), "1M");
    String parent = "d0.raw";
    String parentFormat = "raw";
    for (int i = 1; i <= 16; i++) {
      QemuImg.ok("create", "-q", "-f", "qed", "-b", parent, "-F", parentFormat, sub.resolve("d" + i + ".qed"));
      parent = "d" + i + ".qed";
      parentFormat = "qed";
    }
    try (OpenedDisk d = DiskImages.open(sub.resolve("d15.qed"), null, new DiskOpenOptions(true))) {
      assertEquals(DiskFormat.QED, d.format());
    }
    assertConversionRefused(sub.resolve("d16.qed"), true, CorruptImageException.class, work("depth"),
        "deeper than 16");
  }
}
