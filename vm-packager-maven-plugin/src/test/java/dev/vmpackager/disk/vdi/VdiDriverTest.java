package dev.vmpackager.disk.vdi;

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
import dev.vmpackager.disk.DiskOpenOptions;
import dev.vmpackager.disk.UnsupportedImageException;
import dev.vmpackager.testing.DriverChecks;
import dev.vmpackager.testing.QemuImg;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VdiDriverTest {

  @TempDir static Path dir;
  static Path source;
  static Path dynamic;

  private final VdiDriver driver = new VdiDriver();

  @BeforeAll
  static void fixtures() throws Exception {
    source = DriverChecks.patternedSource(dir);
    dynamic = dir.resolve("dyn.vdi");
    QemuImg.convert(source, dynamic, "vdi");
  }

  @Test
  void readsQemuDynamicVdi() throws Exception {
    Path raw = dump(driver, dynamic, dir.resolve("dyn.raw"));
    QemuImg.assertIdentical(dynamic, "vdi", raw, "raw");
    QemuImg.assertIdentical(source, "raw", raw, "raw");
    List<DiskExtent> ex = extents(driver, dynamic);
    assertTrue(ex.stream().anyMatch(DiskExtent::zero), "unallocated blocks must be zero extents: " + ex);
    // Neighbouring blocks of one kind are merged: far fewer extents than 64 blocks.
    assertTrue(ex.size() < 20, () -> "extents not merged: " + ex);
  }

  @Test
  void readsQemuStaticVdi() throws Exception {
    Path image = dir.resolve("static.vdi");
    QemuImg.convert(source, image, "vdi", "-o", "static=on");
    Path raw = dump(driver, image, dir.resolve("static.raw"));
    QemuImg.assertIdentical(image, "vdi", raw, "raw");
  }

  /** VirtualBox puts the block map and the data at 1 MiB boundaries; qemu must read the result too. */
  @Test
  void readsVirtualBoxLayoutWithMiBAlignment() throws Exception {
    Path image = relayout(dir.resolve("vbox.vdi"), 1 << 20, 2 << 20, 0);
    QemuImg.assertIdentical(image, "vdi", source, "raw");
    Path raw = dump(driver, image, dir.resolve("vbox.raw"));
    QemuImg.assertIdentical(image, "vdi", raw, "raw");
  }

  /** block_extra bytes sit before each block's data (qemu ignores the field, so compare with the source). */
  @Test
  void honoursBlockExtra() throws Exception {
    Path image = relayout(dir.resolve("extra.vdi"), 1 << 20, 2 << 20, 4096);
    Path raw = dump(driver, image, dir.resolve("extra.raw"));
    QemuImg.assertIdentical(source, "raw", raw, "raw");
  }

  /** VBoxManage convertfromraw writes odd disk sizes; qemu rounds them up to a whole sector. */
  @Test
  void roundsOddDiskSizeUpLikeQemu() throws Exception {
    Path image = copy(dynamic, "odd.vdi");
    long odd = (64L << 20) - 1000;
    patch(image, 0x170, le(8).putLong(0, odd));
    Path raw = dump(driver, image, dir.resolve("odd.raw"));
    assertEquals((odd + 511) / 512 * 512, Files.size(raw));
    QemuImg.assertIdentical(image, "vdi", raw, "raw");
    assertTrue(QemuImg.ok("info", "--output=json", "-f", "vdi", image).contains("\"virtual-size\": " + Files.size(raw)));
  }

  @Test
  void zeroMarkersReadAsZeros() throws Exception {
    // Block 0 holds data; mark it discarded (0xFFFFFFFE): it must read as zeros, as in qemu.
    Path image = copy(dynamic, "discarded.vdi");
    long bmap = read(image, 0x154, 4).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    patch(image, bmap, le(4).putInt(0, 0xFFFFFFFE));
    Path raw = dump(driver, image, dir.resolve("discarded.raw"));
    QemuImg.assertIdentical(image, "vdi", raw, "raw");
    assertTrue(extents(driver, image).get(0).zero());
  }

  /** A large, nearly empty disk: tables bigger than one read chunk, a long merged zero extent. */
  @Test
  void readsLargeSparseImage() throws Exception {
    DriverChecks.assertLargeSparseImage(driver, dir.resolve("large.vdi"), 300L << 30, 290L << 30);
  }

  @Test
  void detectsByContentOnly() throws Exception {
    assertTrue(matches(driver, dynamic));
    assertFalse(matches(driver, source));
    Path renamed = copy(source, "not-really.vdi");
    assertFalse(matches(driver, renamed));
  }

  @Test
  void rejectsTruncatedImage() throws Exception {
    Path image = copy(dynamic, "truncated.vdi");
    DriverChecks.truncate(image, Files.size(image) / 2);
    assertRejected(driver, image, CorruptImageException.class);
    Path tiny = copy(dynamic, "tiny.vdi");
    DriverChecks.truncate(tiny, 0x100);
    assertRejected(driver, tiny, CorruptImageException.class);
  }

  @Test
  void rejectsMapPastEndOfFile() throws Exception {
    Path image = copy(dynamic, "mappast.vdi");
    patch(image, 0x154, le(4).putInt(0, 0x7FFFFE00));
    assertRejected(driver, image, CorruptImageException.class);
  }

  @Test
  void rejectsHugeBlockCountWithoutAllocating() throws Exception {
    Path image = copy(dynamic, "huge.vdi");
    patch(image, 0x180, le(4).putInt(0, 0xFFFFFFFF));
    patch(image, 0x170, le(8).putLong(0, 0xFFFFFFFFL << 20));
    assertRejected(driver, image, CorruptImageException.class);
  }

  @Test
  void rejectsBadBlockSizes() throws Exception {
    for (int bad : new int[] {0, 1000, 0x80000000}) {
      Path image = copy(dynamic, "bs" + Integer.toHexString(bad) + ".vdi");
      patch(image, 0x178, le(4).putInt(0, bad));
      assertRejected(driver, image, CorruptImageException.class);
    }
  }

  @Test
  void rejectsBlockIndexPastEndOfFileAndDuplicates() throws Exception {
    Path image = copy(dynamic, "index.vdi");
    long bmap = read(image, 0x154, 4).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    patch(image, bmap + 4 * 10, le(4).putInt(0, 63));
    assertRejected(driver, image, CorruptImageException.class);
    Path dup = copy(dynamic, "dup.vdi");
    patch(dup, bmap + 4 * 10, le(4).putInt(0, 0));
    CorruptImageException e = assertRejected(driver, dup, CorruptImageException.class);
    assertTrue(e.getMessage().contains("twice"), e.getMessage());
  }

  @Test
  void refusesDifferencingImages() throws Exception {
    Path image = copy(dynamic, "diff.vdi");
    patch(image, 0x1B8, new byte[] {1, 2, 3, 4});
    UnsupportedImageException e = assertRejected(driver, image, UnsupportedImageException.class);
    assertTrue(e.getMessage().contains("differencing"), e.getMessage());
    UnsupportedImageException e2 =
        assertRejected(driver, image, UnsupportedImageException.class, new DiskOpenOptions(true));
    // The opt-in does not help: the message says why (no qemu oracle) and what to do instead.
    assertTrue(e2.getMessage().contains("VBoxManage clonemedium") && e2.getMessage().contains("qemu-img")
        && !e2.getMessage().contains("yet"), e2.getMessage());
  }

  @Test
  void rejectsUnknownVersionAndSectorSize() throws Exception {
    Path image = copy(dynamic, "version.vdi");
    patch(image, 0x44, le(4).putInt(0, 0x00020000));
    assertRejected(driver, image, UnsupportedImageException.class);
    Path sector = copy(dynamic, "sector.vdi");
    patch(sector, 0x168, le(4).putInt(0, 4096));
    assertRejected(driver, sector, UnsupportedImageException.class);
  }

  private static ByteBuffer le(int n) {
    return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * Rebuilds the qemu-made dynamic VDI the way VirtualBox lays it out: block map at {@code bmapAt},
   * data at {@code dataAt}, each block preceded by {@code extra} bytes.
   */
  private static Path relayout(Path out, int bmapAt, int dataAt, int extra) throws IOException {
    ByteBuffer h = read(dynamic, 0, 0x200).order(ByteOrder.LITTLE_ENDIAN);
    int oldBmap = h.getInt(0x154);
    int oldData = h.getInt(0x158);
    int blocks = h.getInt(0x180);
    int allocated = h.getInt(0x184);
    int blockSize = h.getInt(0x178);
    byte[] text = "<<< Oracle VM VirtualBox Disk Image >>>\n".getBytes(StandardCharsets.US_ASCII);
    byte[] header = new byte[0x200];
    h.get(0, header);
    System.arraycopy(text, 0, header, 0, text.length);
    ByteBuffer nh = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
    nh.putInt(0x48, 0x190);
    nh.putInt(0x154, bmapAt);
    nh.putInt(0x158, dataAt);
    nh.putInt(0x17C, extra);
    try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(header), 0);
      ch.write(read(dynamic, oldBmap, blocks * 4), bmapAt);
      for (int i = 0; i < allocated; i++) {
        ByteBuffer junk = ByteBuffer.allocate(extra);
        for (int j = 0; j < extra; j++) {
          junk.put(j, (byte) 0xA5);
        }
        long at = dataAt + (long) i * (blockSize + extra);
        ch.write(junk, at);
        ch.write(read(dynamic, oldData + (long) i * blockSize, blockSize), at + extra);
      }
    }
    return out;
  }
}
