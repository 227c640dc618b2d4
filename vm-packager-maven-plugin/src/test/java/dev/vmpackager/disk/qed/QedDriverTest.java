package dev.vmpackager.disk.qed;

import static dev.vmpackager.testing.DriverChecks.assertRejected;
import static dev.vmpackager.testing.DriverChecks.copy;
import static dev.vmpackager.testing.DriverChecks.dump;
import static dev.vmpackager.testing.DriverChecks.extents;
import static dev.vmpackager.testing.DriverChecks.matches;
import static dev.vmpackager.testing.DriverChecks.patch;
import static dev.vmpackager.testing.DriverChecks.read;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.disk.CorruptImageException;
import dev.vmpackager.disk.DiskExtent;
import dev.vmpackager.disk.DiskOpenOptions;
import dev.vmpackager.disk.UnsupportedImageException;
import dev.vmpackager.testing.DriverChecks;
import dev.vmpackager.testing.QemuImg;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QedDriverTest {

  @TempDir static Path dir;
  static Path source;
  static Path image;

  private final QedDriver driver = new QedDriver();

  @BeforeAll
  static void fixtures() throws Exception {
    source = DriverChecks.patternedSource(dir);
    image = dir.resolve("img.qed");
    QemuImg.convert(source, image, "qed");
  }

  @Test
  void readsQemuQed() throws Exception {
    Path raw = dump(driver, image, dir.resolve("img.raw"));
    QemuImg.assertIdentical(image, "qed", raw, "raw");
    List<DiskExtent> ex = extents(driver, image);
    assertTrue(ex.stream().anyMatch(DiskExtent::zero), "unallocated clusters must be zero extents");
    assertTrue(ex.size() < 40, () -> "extents not merged: " + ex.size());
  }

  @Test
  void readsSmallClustersAndTables() throws Exception {
    Path small = dir.resolve("small.qed");
    QemuImg.convert(source, small, "qed", "-o", "cluster_size=4096,table_size=2");
    QemuImg.assertIdentical(small, "qed", dump(driver, small, dir.resolve("small.raw")), "raw");
  }

  @Test
  void zeroClusterPointerReadsAsZeros() throws Exception {
    Path zc = copy(image, "zerocluster.qed");
    long l2 = l1Entry(zc, 0);
    patch(zc, l2, le(8).putLong(0, 1)); // guest cluster 0: explicit zero cluster
    Path raw = dump(driver, zc, dir.resolve("zerocluster.raw"));
    QemuImg.assertIdentical(zc, "qed", raw, "raw");
    assertTrue(extents(driver, zc).get(0).zero());
  }

  @Test
  void readsImagesMarkedNeedCheck() throws Exception {
    Path nc = copy(image, "needcheck.qed");
    patch(nc, 16, le(8).putLong(0, 2));
    QemuImg.assertIdentical(source, "raw", dump(driver, nc, dir.resolve("needcheck.raw")), "raw");
  }

  @Test
  void detectsByContentOnly() throws Exception {
    assertTrue(matches(driver, image));
    assertFalse(matches(driver, source));
  }

  @Test
  void refusesBackingFilesWithoutTheOptIn() throws Exception {
    Path base = dir.resolve("base.qed");
    QemuImg.convert(source, base, "qed");
    Path overlay = dir.resolve("overlay.qed");
    QemuImg.ok("create", "-f", "qed", "-b", base.getFileName(), "-F", "qed", overlay);
    UnsupportedImageException e = assertRejected(driver, overlay, UnsupportedImageException.class);
    assertTrue(e.getMessage().contains("base.qed") && e.getMessage().contains("vm.allowExternalFiles"),
        e.getMessage());
  }

  @Test
  void rejectsTruncatedImages() throws Exception {
    for (long size : new long[] {10, 4096, 0x20000, Files.size(image) - 0x10000}) {
      Path cut = copy(image, "cut" + size + ".qed");
      DriverChecks.truncate(cut, size);
      assertRejected(driver, cut, CorruptImageException.class);
    }
  }

  @Test
  void rejectsBadHeaders() throws Exception {
    int[][] fields = {
      {4, 0}, {4, 3000}, {4, 1 << 27}, // cluster size
      {8, 0}, {8, 3}, {8, 32}, // table size
    };
    for (int[] f : fields) {
      Path bad = copy(image, "field" + f[0] + "-" + f[1] + ".qed");
      patch(bad, f[0], le(4).putInt(0, f[1]));
      assertRejected(driver, bad, CorruptImageException.class);
    }
    Path feature = copy(image, "feature.qed");
    patch(feature, 16, le(8).putLong(0, 1L << 40));
    assertRejected(driver, feature, UnsupportedImageException.class);

    Path size = copy(image, "size.qed");
    patch(size, 48, le(8).putLong(0, 1L << 62));
    assertRejected(driver, size, CorruptImageException.class);
    Path odd = copy(image, "oddsize.qed");
    patch(odd, 48, le(8).putLong(0, (64L << 20) - 100));
    assertRejected(driver, odd, CorruptImageException.class);

    // Tables of 16 clusters of 64 MiB (1 GiB each) in a small file: refused before allocating.
    Path huge = copy(image, "hugetables.qed");
    patch(huge, 4, le(8).putInt(0, 64 << 20).putInt(4, 16));
    patch(huge, 40, le(8).putLong(0, 64L << 20));
    assertRejected(driver, huge, CorruptImageException.class);
  }

  @Test
  void rejectsTablePointersOutsideTheFile() throws Exception {
    Path l1 = copy(image, "l1past.qed");
    patch(l1, 40, le(8).putLong(0, 1L << 40));
    assertRejected(driver, l1, CorruptImageException.class);
    Path l1header = copy(image, "l1header.qed");
    patch(l1header, 40, le(8).putLong(0, 0));
    assertRejected(driver, l1header, CorruptImageException.class);

    long l1Offset = read(image, 40, 8).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    Path l2 = copy(image, "l2past.qed");
    patch(l2, l1Offset, le(8).putLong(0, 1L << 40));
    assertRejected(driver, l2, CorruptImageException.class);

    Path data = copy(image, "datapast.qed");
    patch(data, l1Entry(data, 0), le(8).putLong(0, 1L << 40));
    assertRejected(driver, data, CorruptImageException.class);
    Path unaligned = copy(image, "unaligned.qed");
    patch(unaligned, l1Entry(unaligned, 0), le(8).putLong(0, 0x50000 + 512));
    assertRejected(driver, unaligned, CorruptImageException.class);
    // A data pointer into the L1 table itself is allowed by the format (it is just bytes), but into the header is not.
    Path header = copy(image, "intoheader.qed");
    patch(header, l1Entry(header, 0), le(8).putLong(0, 4096));
    assertRejected(driver, header, CorruptImageException.class);
  }

  /** @return the file offset of L2 entry 0 of the table L1 entry {@code i} points at */
  private static long l1Entry(Path file, int i) throws IOException {
    long l1 = read(file, 40, 8).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    return read(file, l1 + 8L * i, 8).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
  }

  private static ByteBuffer le(int n) {
    return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
  }
}
