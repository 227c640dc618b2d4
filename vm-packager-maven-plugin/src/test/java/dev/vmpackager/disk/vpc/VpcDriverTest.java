package dev.vmpackager.disk.vpc;

import static dev.vmpackager.testing.DriverChecks.assertRejected;
import static dev.vmpackager.testing.DriverChecks.copy;
import static dev.vmpackager.testing.DriverChecks.dump;
import static dev.vmpackager.testing.DriverChecks.extents;
import static dev.vmpackager.testing.DriverChecks.matches;
import static dev.vmpackager.testing.DriverChecks.patch;
import static dev.vmpackager.testing.DriverChecks.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.disk.CorruptImageException;
import dev.vmpackager.disk.DiskExtent;
import dev.vmpackager.disk.DiskImageReader;
import dev.vmpackager.disk.DiskOpenOptions;
import dev.vmpackager.disk.FileImageSource;
import dev.vmpackager.disk.UnsupportedImageException;
import dev.vmpackager.testing.DriverChecks;
import dev.vmpackager.testing.QemuImg;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VpcDriverTest {

  @TempDir static Path dir;
  static Path source;
  static Path dynamic;
  static Path fixed;
  static Path fixedExact;

  private final VpcDriver driver = new VpcDriver();

  @BeforeAll
  static void fixtures() throws Exception {
    source = DriverChecks.patternedSource(dir);
    dynamic = dir.resolve("dyn.vhd");
    QemuImg.convert(source, dynamic, "vpc");
    fixed = dir.resolve("fixed.vhd");
    QemuImg.convert(source, fixed, "vpc", "-o", "subformat=fixed");
    fixedExact = dir.resolve("fixedfs.vhd");
    QemuImg.convert(source, fixedExact, "vpc", "-o", "subformat=fixed,force_size=on");
  }

  @Test
  void readsQemuDynamicVhd() throws Exception {
    Path raw = dump(driver, dynamic, dir.resolve("dyn.raw"));
    assertEquals(qemuVirtualSize(dynamic), Files.size(raw), "virtual size (CHS-rounded for creator 'qemu')");
    QemuImg.assertIdentical(dynamic, "vpc", raw, "raw");
    List<DiskExtent> ex = extents(driver, dynamic);
    assertTrue(ex.stream().anyMatch(DiskExtent::zero), "unallocated blocks must be zero extents");
    assertTrue(ex.size() < 20, () -> "extents not merged: " + ex);
  }

  @Test
  void readsQemuFixedVhd() throws Exception {
    Path raw = dump(driver, fixed, dir.resolve("fixed.raw"));
    assertEquals(qemuVirtualSize(fixed), Files.size(raw));
    QemuImg.assertIdentical(fixed, "vpc", raw, "raw");
  }

  @Test
  void readsQemuFixedVhdWithForcedSize() throws Exception {
    Path raw = dump(driver, fixedExact, dir.resolve("fixedfs.raw"));
    assertEquals(64L << 20, Files.size(raw), "creator qem2 with maximal CHS: current_size");
    assertEquals(qemuVirtualSize(fixedExact), Files.size(raw));
    QemuImg.assertIdentical(fixedExact, "vpc", raw, "raw");
  }

  /** Hyper-V ("win ") disks are sized by current_size, Virtual PC ("vpc ") ones by CHS, as in qemu. */
  @Test
  void sizesByCreatorLikeQemu() throws Exception {
    // A 64 MiB fixed disk whose CHS (1000/8/16 = 64000 KiB) is smaller than current_size.
    for (String creator : new String[] {"win ", "vpc ", "qemu", "qem2", "d2v "}) {
      Path image = copy(fixedExact, "creator-" + creator.trim() + ".vhd");
      long end = Files.size(image) - 512;
      ByteBuffer f = read(image, end, 512);
      f.put(28, creator.getBytes(StandardCharsets.ISO_8859_1));
      f.putShort(56, (short) 1000).put(58, (byte) 8).put(59, (byte) 16);
      fixChecksum(f, 64, 512);
      patch(image, end, f);
      Path raw = dump(driver, image, dir.resolve("creator.raw"));
      long expected = creator.equals("vpc ") || creator.equals("qemu") ? 1000L * 8 * 16 * 512 : 64L << 20;
      assertEquals(expected, Files.size(raw), creator);
      assertEquals(qemuVirtualSize(image), Files.size(raw), creator);
      QemuImg.assertIdentical(image, "vpc", raw, "raw");
    }
  }

  /** A clear bit in a block's sector bitmap means the sector is not present: it reads as zeros. */
  @Test
  void sectorBitmapDecidesPresence() throws Exception {
    Path image = copy(dynamic, "bitmap.vhd");
    long bat = read(image, 512 + 16, 8).getLong(0);
    long block0 = (read(image, bat, 4).getInt(0) & 0xFFFFFFFFL) * 512;
    patch(image, block0, new byte[] {0, 0x0F}); // sectors 0-7 and 8-11 absent
    Path raw = dump(driver, image, dir.resolve("bitmap.raw"));
    Path expected = copy(source, "bitmap-expected.raw");
    patch(expected, 0, new byte[12 * 512]);
    QemuImg.assertIdentical(expected, "raw", raw, "raw");
    List<DiskExtent> ex = extents(driver, image);
    assertEquals(new DiskExtent(0, 12 * 512, true), ex.get(0));
    assertFalse(ex.get(1).zero());
    // The converter maps present sectors straight from the file: the same bytes.
    Path converted = dir.resolve("bitmap-converted.raw");
    new dev.vmpackager.disk.convert.DiskConverter().convert(dev.vmpackager.disk.convert.ConversionRequest.builder()
        .source(image).output(converted).outputFormat(dev.vmpackager.disk.DiskFormat.RAW).build());
    QemuImg.assertIdentical(expected, "raw", converted, "raw");
  }

  /** A large, nearly empty disk: tables bigger than one read chunk, a long merged zero extent. */
  @Test
  void readsLargeSparseImage() throws Exception {
    DriverChecks.assertLargeSparseImage(driver, dir.resolve("large.vhd"), 600L << 30, 590L << 30);
  }

  @Test
  void detectsByContentOnly() throws Exception {
    assertTrue(matches(driver, dynamic));
    assertTrue(matches(driver, fixed), "fixed VHD by its footer at the end");
    assertTrue(matches(driver, fixedExact));
    assertFalse(matches(driver, source));
    Path badSum = copy(fixed, "badsum-detect.vhd");
    long end = Files.size(badSum) - 512;
    patch(badSum, end + 40, new byte[] {0x55});
    assertFalse(matches(driver, badSum), "a raw disk ending in a damaged footer is not taken for a VHD");
  }

  @Test
  void rejectsBadFooterChecksum() throws Exception {
    Path image = copy(fixed, "badsum.vhd");
    patch(image, Files.size(image) - 512 + 40, new byte[] {0x55});
    CorruptImageException e = assertRejected(driver, image, CorruptImageException.class);
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    Path dyn = copy(dynamic, "badsum-dyn.vhd");
    patch(dyn, 40, new byte[] {0x55});
    patch(dyn, Files.size(dyn) - 512 + 40, new byte[] {0x55});
    assertRejected(driver, dyn, CorruptImageException.class);
  }

  @Test
  void fallsBackToTheFooterAtTheEndWhenTheCopyIsDamaged() throws Exception {
    Path image = copy(dynamic, "headcopy.vhd");
    patch(image, 40, new byte[] {0x55});
    Path raw = dump(driver, image, dir.resolve("headcopy.raw"));
    QemuImg.assertIdentical(source, "raw", raw, "raw");
  }

  @Test
  void rejectsTruncatedImages() throws Exception {
    Path dyn = copy(dynamic, "truncated.vhd");
    DriverChecks.truncate(dyn, Files.size(dyn) / 2);
    assertRejected(driver, dyn, CorruptImageException.class);
    // A fixed disk cut short keeps no footer at its end: not a VHD any more.
    Path fix = copy(fixed, "truncated-fixed.vhd");
    DriverChecks.truncate(fix, Files.size(fix) / 2);
    assertFalse(matches(driver, fix));
    assertRejected(driver, fix, CorruptImageException.class);
    // A footer claiming more disk than the file holds.
    Path claim = copy(fixedExact, "claims-more.vhd");
    long end = Files.size(claim) - 512;
    ByteBuffer f = read(claim, end, 512);
    f.putLong(48, 1L << 30);
    fixChecksum(f, 64, 512);
    patch(claim, end, f);
    assertRejected(driver, claim, CorruptImageException.class);
  }

  @Test
  void rejectsBatPastEndOfFileAndHugeSizes() throws Exception {
    Path image = copy(dynamic, "batpast.vhd");
    ByteBuffer h = read(image, 512, 1024);
    h.putLong(16, 1L << 40);
    fixChecksum(h, 36, 1024);
    patch(image, 512, h);
    assertRejected(driver, image, CorruptImageException.class);

    // current_size of 2 TiB-ish with creator qem2 and enough table entries: BAT runs past EOF.
    Path huge = copy(dynamic, "huge.vhd");
    ByteBuffer f = read(huge, 0, 512);
    f.put(28, "qem2".getBytes(StandardCharsets.ISO_8859_1)).putLong(48, 2000L << 30);
    fixChecksum(f, 64, 512);
    patch(huge, 0, f);
    patch(huge, Files.size(huge) - 512, f);
    ByteBuffer dh = read(huge, 512, 1024);
    dh.putInt(28, 0xFFFFFFFF);
    fixChecksum(dh, 36, 1024);
    patch(huge, 512, dh);
    assertRejected(driver, huge, CorruptImageException.class);

    // Beyond the format's 2040 GiB.
    Path tooBig = copy(dynamic, "toobig.vhd");
    f.putLong(48, 1L << 50);
    fixChecksum(f, 64, 512);
    patch(tooBig, 0, f);
    assertRejected(driver, tooBig, UnsupportedImageException.class);
  }

  @Test
  void rejectsBadBlockSizesAndHeaderChecksum() throws Exception {
    for (int bad : new int[] {0, 3000, 1 << 30}) {
      Path image = copy(dynamic, "bs" + bad + ".vhd");
      ByteBuffer h = read(image, 512, 1024);
      h.putInt(32, bad);
      fixChecksum(h, 36, 1024);
      patch(image, 512, h);
      assertRejected(driver, image, CorruptImageException.class);
    }
    Path sum = copy(dynamic, "dynsum.vhd");
    patch(sum, 512 + 40, new byte[] {0x55});
    assertRejected(driver, sum, CorruptImageException.class);
  }

  @Test
  void rejectsBlocksPastEndOfFile() throws Exception {
    Path image = copy(dynamic, "blockpast.vhd");
    long bat = read(image, 512 + 16, 8).getLong(0);
    patch(image, bat + 4 * 5, ByteBuffer.allocate(4).putInt(0, 0x7FFFFFF0));
    assertRejected(driver, image, CorruptImageException.class);
  }

  @Test
  void refusesDifferencingVhdNamingTheParent() throws Exception {
    Path image = copy(dynamic, "child.vhd");
    ByteBuffer f = read(image, 0, 512);
    f.putInt(60, 4);
    fixChecksum(f, 64, 512);
    patch(image, 0, f);
    patch(image, Files.size(image) - 512, f);
    ByteBuffer h = read(image, 512, 1024);
    h.put(64, "parent-disk.vhd".getBytes(StandardCharsets.UTF_16BE));
    fixChecksum(h, 36, 1024);
    patch(image, 512, h);
    assertTrue(matches(driver, image));
    UnsupportedImageException e = assertRejected(driver, image, UnsupportedImageException.class);
    assertTrue(e.getMessage().contains("parent-disk.vhd"), e.getMessage());
    UnsupportedImageException e2 =
        assertRejected(driver, image, UnsupportedImageException.class, new DiskOpenOptions(true));
    // The opt-in does not help: the message says why (no qemu oracle) and what to do instead.
    assertTrue(e2.getMessage().contains("Merge-VHD") && e2.getMessage().contains("qemu-img")
        && !e2.getMessage().contains("yet"), e2.getMessage());
  }

  @Test
  void tinyFilesAreNotVhds() throws Exception {
    Path tiny = dir.resolve("tiny.vhd");
    Files.write(tiny, new byte[100]);
    assertFalse(matches(driver, tiny));
    assertRejected(driver, tiny, CorruptImageException.class);
    try (FileImageSource src = FileImageSource.open(fixedExact);
        DiskImageReader r = driver.open(src, DiskOpenOptions.DEFAULT)) {
      assertEquals(64L << 20, r.virtualSize());
    }
  }

  private static void fixChecksum(ByteBuffer b, int at, int length) {
    b.putInt(at, 0);
    int sum = 0;
    for (int i = 0; i < length; i++) {
      sum += b.get(i) & 0xFF;
    }
    b.putInt(at, ~sum);
  }

  private static long qemuVirtualSize(Path image) throws IOException, InterruptedException {
    String json = QemuImg.ok("info", "--output=json", "-f", "vpc", image);
    Matcher m = Pattern.compile("\"virtual-size\": (\\d+)").matcher(json);
    assertTrue(m.find(), json);
    return Long.parseLong(m.group(1));
  }
}
