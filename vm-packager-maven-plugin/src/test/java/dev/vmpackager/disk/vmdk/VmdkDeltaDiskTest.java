package dev.vmpackager.disk.vmdk;

import static dev.vmpackager.testing.ChainChecks.assertConversionRefused;
import static dev.vmpackager.testing.ChainChecks.assertConvertsLikeQemu;
import static dev.vmpackager.testing.ChainChecks.qemuIo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.disk.CorruptImageException;
import dev.vmpackager.disk.DiskExtent;
import dev.vmpackager.disk.DiskImageException;
import dev.vmpackager.disk.DiskImages;
import dev.vmpackager.disk.DiskOpenOptions;
import dev.vmpackager.disk.OpenedDisk;
import dev.vmpackager.disk.UnsupportedImageException;
import dev.vmpackager.testing.DriverChecks;
import dev.vmpackager.testing.QemuImg;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * VMDK delta disks (parentCID and parentFileNameHint in the descriptor) made by qemu-img, written
 * into with qemu-io, read through their parents when external files are allowed and converted
 * exactly as qemu-img reads them; refused with a clear message otherwise and for hostile chains.
 */
class VmdkDeltaDiskTest {

  @TempDir
  static Path dir;

  /** The 64 MiB patterned source every base is made from. */
  static Path source;

  @BeforeAll
  static void fixtures() throws Exception {
    source = DriverChecks.patternedSource(dir);
  }

  /** A fresh folder holding a monolithicSparse base made from the patterned source. */
  private static Path folderWithBase(String name) throws Exception {
    Path sub = Files.createDirectories(dir.resolve(name));
    QemuImg.convert(source, sub.resolve("base.vmdk"), "vmdk");
    return sub;
  }

  private static Path work(String name) {
    return dir.resolve("work-" + name);
  }

  @Test
  void monolithicSparseChildReadsUnallocatedGrainsFromItsParent() throws Exception {
    Path sub = folderWithBase("mono");
    Path child = sub.resolve("child.vmdk");
    QemuImg.ok("create", "-q", "-f", "vmdk", "-b", "base.vmdk", "-F", "vmdk", child);
    // Partial grains (qemu copies the rest of the grain from the parent), whole grains, and a
    // zero write: without zeroed-grain GTEs qemu allocates grains of zeros, which must hide the
    // parent's data at 5 MiB + 12345.
    qemuIo(child, "vmdk", "write -P 0xab 1000k 200k", "write -P 0xcd 33M 64k", "write -z 5M 128k",
        "write -P 0x11 63M 4k");
    assertConvertsLikeQemu(child, "vmdk", work("mono"));
    try (OpenedDisk d = DiskImages.open(child, null, new DiskOpenOptions(true))) {
      ByteBuffer b = ByteBuffer.allocate(4096);
      d.reader().read(b, (5L << 20) + 12345);
      assertTrue(Arrays.equals(new byte[4096], b.array()), "the zero write must hide the parent's data");
      // Where the child has no grain and the parent has data, the parent's bytes show.
      ByteBuffer p = ByteBuffer.allocate(4096);
      d.reader().read(p.clear(), 3L << 20);
      assertEquals('T', p.get(0), "the parent's text at 3 MiB shows through");
    }
  }

  @Test
  void zeroedGrainsHideTheParentAndUnallocatedOnesDoNot() throws Exception {
    Path sub = folderWithBase("zeroed");
    Path child = sub.resolve("child.vmdk");
    QemuImg.ok("create", "-q", "-f", "vmdk", "-b", "base.vmdk", "-F", "vmdk", "-o", "zeroed_grain=on", child);
    qemuIo(child, "vmdk", "write -z 0 128k", "write -z 3M 1M", "write -P 0x5a 17M 64k");
    // qemu marks those grains zeroed (GTE 1): present, zero, no data, at depth 0.
    String map = QemuImg.ok("map", "--output=json", "-f", "vmdk", child);
    assertTrue(map.contains("{ \"start\": 0, \"length\": 131072, \"depth\": 0, \"present\": true, \"zero\": true,"
        + " \"data\": false}"), map);
    assertConvertsLikeQemu(child, "vmdk", work("zeroed"));
    try (OpenedDisk d = DiskImages.open(child, null, new DiskOpenOptions(true))) {
      DiskExtent zeroed = d.reader().extentAt(0);
      assertTrue(zeroed.zero() && zeroed.end() == 131072, () -> "zeroed grains: " + zeroed);
      // The parent has no data from 128 KiB to 1 MiB: the child's unallocated grains there are zeros
      // without reading anything; at 1 MiB the parent's data shows through.
      DiskExtent hole = d.reader().extentAt(131072);
      assertTrue(hole.zero() && hole.end() == 1 << 20, () -> "the parent's hole: " + hole);
      DiskExtent parent = d.reader().extentAt(1 << 20);
      assertTrue(!parent.zero(), () -> "the parent's data at 1 MiB: " + parent);
    }
  }

  @Test
  void twoGbMaxExtentSparseChildLargerThanItsParent() throws Exception {
    Path sub = folderWithBase("split");
    Path child = sub.resolve("child.vmdk");
    QemuImg.ok("create", "-q", "-f", "vmdk", "-b", "base.vmdk", "-F", "vmdk", "-o", "subformat=twoGbMaxExtentSparse",
        child, "100M");
    assertTrue(Files.readString(child).contains("parentFileNameHint=\"base.vmdk\""));
    assertTrue(Files.exists(sub.resolve("child-s001.vmdk")));
    // Data across the parent's end (64 MiB) and beyond it; the rest past 64 MiB reads as zeros.
    qemuIo(child, "vmdk", "write -P 0x77 63M 2M", "write -P 0x66 90M 100k", "write -z 1M 64k");
    assertConvertsLikeQemu(child, "vmdk", work("split"));
    try (OpenedDisk d = DiskImages.open(child, null, new DiskOpenOptions(true))) {
      assertEquals(100L << 20, d.reader().virtualSize());
      DiskExtent tail = d.reader().extentAt(70L << 20);
      assertTrue(tail.zero(), () -> "past the parent's end, unallocated grains are zeros: " + tail);
    }
  }

  @Test
  void threeDeepChain() throws Exception {
    Path sub = folderWithBase("deep");
    QemuImg.ok("create", "-q", "-f", "vmdk", "-b", "base.vmdk", "-F", "vmdk", sub.resolve("mid.vmdk"));
    qemuIo(sub.resolve("mid.vmdk"), "vmdk", "write -P 0x21 0 300k", "write -P 0x22 40M 1M");
    QemuImg.ok("create", "-q", "-f", "vmdk", "-b", "mid.vmdk", "-F", "vmdk", "-o", "subformat=twoGbMaxExtentSparse",
        sub.resolve("top.vmdk"));
    qemuIo(sub.resolve("top.vmdk"), "vmdk", "write -P 0x31 100k 100k", "write -P 0x32 40M 64k");
    assertConvertsLikeQemu(sub.resolve("top.vmdk"), "vmdk", work("deep"));
  }

  @Test
  void refusedWithoutTheOptInNamingIt() throws Exception {
    Path sub = folderWithBase("optin");
    Path child = sub.resolve("child.vmdk");
    QemuImg.ok("create", "-q", "-f", "vmdk", "-b", "base.vmdk", "-F", "vmdk", child);
    assertConversionRefused(child, false, UnsupportedImageException.class, work("optin"),
        "differencing", "base.vmdk", "vm.allowExternalFiles");
    // The split form (a text descriptor with a parent) too.
    Path split = sub.resolve("split.vmdk");
    QemuImg.ok("create", "-q", "-f", "vmdk", "-b", "base.vmdk", "-F", "vmdk", "-o", "subformat=twoGbMaxExtentSparse",
        split);
    assertConversionRefused(split, false, UnsupportedImageException.class, work("optin-split"),
        "differencing", "base.vmdk", "vm.allowExternalFiles");
  }

  @Test
  void parentOutsideTheFolderIsRefused() throws Exception {
    Path sub = Files.createDirectories(folderWithBase("outside").resolve("inner"));
    Path up = sub.resolve("up.vmdk");
    QemuImg.ok("create", "-q", "-f", "vmdk", "-b", "../base.vmdk", "-F", "vmdk", up);
    assertConversionRefused(up, true, UnsupportedImageException.class, work("outside-rel"), "outside", "../base.vmdk");
    Path abs = sub.resolve("abs.vmdk");
    Path base = sub.getParent().resolve("base.vmdk").toAbsolutePath();
    QemuImg.ok("create", "-q", "-f", "vmdk", "-b", base, "-F", "vmdk", abs);
    assertTrue(Files.readString(abs, java.nio.charset.StandardCharsets.ISO_8859_1).contains(base.toString()));
    assertConversionRefused(abs, true, UnsupportedImageException.class, work("outside-abs"), "outside");
    // A symbolic link in the folder pointing out of it is refused too.
    Path linked = sub.resolve("linked.vmdk");
    Files.createSymbolicLink(sub.resolve("base-link.vmdk"), base);
    QemuImg.ok("create", "-q", "-f", "vmdk", "-b", "base-link.vmdk", "-F", "vmdk", linked);
    assertConversionRefused(linked, true, UnsupportedImageException.class, work("outside-link"), "outside");
  }

  @Test
  void missingParent() throws Exception {
    Path sub = folderWithBase("missing");
    Path child = sub.resolve("orphan.vmdk");
    QemuImg.ok("create", "-q", "-f", "vmdk", "-b", "base.vmdk", "-F", "vmdk", child);
    Files.delete(sub.resolve("base.vmdk"));
    assertConversionRefused(child, true, DiskImageException.class, work("missing"), "base.vmdk", "not found");
  }

  @Test
  void parentChangedAfterTheChildWasMadeIsACidMismatch() throws Exception {
    Path sub = folderWithBase("cid");
    Path child = sub.resolve("child.vmdk");
    QemuImg.ok("create", "-q", "-f", "vmdk", "-b", "base.vmdk", "-F", "vmdk", child);
    // Writing to the base gives it a new CID; the child's parentCID no longer matches.
    qemuIo(sub.resolve("base.vmdk"), "vmdk", "write -P 0x99 0 64k");
    QemuImg.Result qemu = QemuImg.run("compare", "-f", "vmdk", "-F", "raw", child, source);
    assertNotEquals(0, qemu.exitCode(), "qemu-img refuses the mismatched chain too: " + qemu.output());
    assertConversionRefused(child, true, CorruptImageException.class, work("cid"), "parentCID", "does not match",
        "base.vmdk");
  }

  @Test
  void parentThatIsNotAVmdkIsRefusedAsQemuDoes() throws Exception {
    Path sub = folderWithBase("notvmdk");
    Path child = sub.resolve("child.vmdk");
    QemuImg.ok("create", "-q", "-f", "vmdk", "-b", "base.vmdk", "-F", "vmdk", child);
    Files.delete(sub.resolve("base.vmdk"));
    QemuImg.convert(source, sub.resolve("base.vmdk"), "qcow2"); // same name, qcow2 inside
    QemuImg.Result qemu = QemuImg.run("compare", "-f", "vmdk", "-F", "raw", child, source);
    assertNotEquals(0, qemu.exitCode(), "qemu-img reads no VMDK child over a qcow2 parent: " + qemu.output());
    assertConversionRefused(child, true, UnsupportedImageException.class, work("notvmdk"), "qcow2",
        "must be a VMDK");
  }

  @Test
  void loopIsRefused() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("loop"));
    Files.write(sub.resolve("a-flat.vmdk"), new byte[1 << 20]);
    Files.write(sub.resolve("b-flat.vmdk"), new byte[1 << 20]);
    Files.writeString(sub.resolve("a.vmdk"), descriptor("aaaaaaaa", "bbbbbbbb", "b.vmdk", "a-flat.vmdk"));
    Files.writeString(sub.resolve("b.vmdk"), descriptor("bbbbbbbb", "aaaaaaaa", "a.vmdk", "b-flat.vmdk"));
    assertConversionRefused(sub.resolve("a.vmdk"), true, CorruptImageException.class, work("loop"), "loops",
        "a.vmdk");
    Files.writeString(sub.resolve("self.vmdk"), descriptor("cccccccc", "cccccccc", "self.vmdk", "a-flat.vmdk"));
    assertConversionRefused(sub.resolve("self.vmdk"), true, CorruptImageException.class, work("self"), "loops");
  }

  private static String descriptor(String cid, String parentCid, String parent, String flat) {
    return "# Disk DescriptorFile\nversion=1\nCID=" + cid + "\nparentCID=" + parentCid
        + "\ncreateType=\"monolithicFlat\"\nparentFileNameHint=\"" + parent + "\"\n\n# Extent description\n"
        + "RW 2048 FLAT \"" + flat + "\" 0\n";
  }

  @Test
  void chainsDeeperThanSixteenAreRefused() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("depth"));
    QemuImg.ok("create", "-q", "-f", "vmdk", sub.resolve("d0.vmdk"), "1M");
    for (int i = 1; i <= 17; i++) {
      QemuImg.ok("create", "-q", "-f", "vmdk", "-b", "d" + (i - 1) + ".vmdk", "-F", "vmdk",
          sub.resolve("d" + i + ".vmdk"));
    }
    // Sixteen images in all (d15 over d0) are read; seventeen are not.
    try (OpenedDisk d = DiskImages.open(sub.resolve("d15.vmdk"), null, new DiskOpenOptions(true))) {
      assertEquals(1L << 20, d.reader().virtualSize());
    }
    assertConversionRefused(sub.resolve("d16.vmdk"), true, CorruptImageException.class, work("depth"),
        "deeper than 16");
  }
}
