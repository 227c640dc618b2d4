package dev.vmpackager.disk.vhdx;

import static dev.vmpackager.testing.DriverChecks.assertRejected;
import static dev.vmpackager.testing.DriverChecks.copy;
import static dev.vmpackager.testing.DriverChecks.dump;
import static dev.vmpackager.testing.DriverChecks.extents;
import static dev.vmpackager.testing.DriverChecks.matches;
import static dev.vmpackager.testing.DriverChecks.patch;
import static dev.vmpackager.testing.DriverChecks.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VhdxDriverTest {

  static final long MiB = 1L << 20;

  @TempDir static Path dir;
  static Path source;
  static Path dynamic;

  private final VhdxDriver driver = new VhdxDriver();

  @BeforeAll
  static void fixtures() throws Exception {
    source = DriverChecks.patternedSource(dir);
    dynamic = dir.resolve("dyn.vhdx");
    QemuImg.convert(source, dynamic, "vhdx");
  }

  @Test
  void readsQemuDynamicVhdx() throws Exception {
    Path raw = dump(driver, dynamic, dir.resolve("dyn.raw"));
    QemuImg.assertIdentical(dynamic, "vhdx", raw, "raw");
    List<DiskExtent> ex = extents(driver, dynamic);
    assertTrue(ex.stream().anyMatch(DiskExtent::zero), "ZERO/NOT_PRESENT blocks must be zero extents");
  }

  @Test
  void readsQemuFixedVhdx() throws Exception {
    Path image = dir.resolve("fixed.vhdx");
    QemuImg.convert(source, image, "vhdx", "-o", "subformat=fixed");
    QemuImg.assertIdentical(image, "vhdx", dump(driver, image, dir.resolve("fixed.raw")), "raw");
  }

  @Test
  void readsOtherBlockAndLogSizes() throws Exception {
    for (String opts : new String[] {"block_size=1M", "block_size=32M", "log_size=1M", "block_state_zero=off"}) {
      Path image = dir.resolve(opts.replace('=', '-') + ".vhdx");
      QemuImg.convert(source, image, "vhdx", "-o", opts);
      QemuImg.assertIdentical(image, "vhdx", dump(driver, image, dir.resolve(opts.replace('=', '-') + ".raw")), "raw");
    }
  }

  /** A 4096-byte logical sector changes only the chunk ratio (no interleaving in a small disk). */
  @Test
  void readsLogicalSectorSize4096() throws Exception {
    Path image = copy(dynamic, "lss4k.vhdx");
    long item = metadataItem(image, "8141BF1D-A96F-4709-BA47-F233A8FAAB5F");
    patch(image, item, le(4).putInt(0, 4096));
    QemuImg.assertIdentical(source, "raw", dump(driver, image, dir.resolve("lss4k.raw")), "raw");
  }

  /**
   * With 256 MiB blocks and 512-byte sectors a sector-bitmap entry follows every 16 payload
   * entries: payload block 16 is BAT entry 17.
   */
  @Test
  void skipsInterleavedSectorBitmapEntries() throws Exception {
    long size = (4L << 30) + (512L << 20);
    Path raw = dir.resolve("big.raw");
    byte[] marker = "payload block sixteen, after the first sector bitmap entry".getBytes(StandardCharsets.US_ASCII);
    byte[] last = "payload block seventeen".getBytes(StandardCharsets.US_ASCII);
    try (var ch = java.nio.channels.FileChannel.open(raw, java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(ByteBuffer.wrap(marker), (4L << 30) + 100);
      ch.write(ByteBuffer.wrap(last), (4L << 30) + (256L << 20) + 7);
      ch.write(ByteBuffer.wrap("block zero".getBytes(StandardCharsets.US_ASCII)), 5);
      ch.write(ByteBuffer.wrap(new byte[1]), size - 1);
    }
    Path image = dir.resolve("big.vhdx");
    QemuImg.convert(raw, image, "vhdx", "-o", "block_size=256M");
    Files.delete(raw);
    try (FileImageSource src = FileImageSource.open(image);
        DiskImageReader r = driver.open(src, DiskOpenOptions.DEFAULT)) {
      assertEquals(size, r.virtualSize());
      assertArrayEquals(marker, readGuest(r, (4L << 30) + 100, marker.length));
      assertArrayEquals(last, readGuest(r, (4L << 30) + (256L << 20) + 7, last.length));
      assertArrayEquals(new byte[10], readGuest(r, (2L << 30), 10));
      assertTrue(r.extentAt(256L << 20).zero());
      assertEquals(new DiskExtent(256L << 20, (4L << 30) - (256L << 20), true), r.extentAt(256L << 20));
      assertFalse(r.extentAt(4L << 30).zero());
    }
  }

  /** A large, nearly empty disk: tables bigger than one read chunk, a long merged zero extent. */
  @Test
  void readsLargeSparseImage() throws Exception {
    DriverChecks.assertLargeSparseImage(driver, dir.resolve("large.vhdx"), 200L << 30, 190L << 30, "-o", "block_size=1M");
  }

  @Test
  void detectsByContentOnly() throws Exception {
    assertTrue(matches(driver, dynamic));
    assertFalse(matches(driver, source));
  }

  /** Log replay: a hand-built log sequence of two entries (plus stale and foreign ones) changes payload and BAT. */
  @Test
  void replaysLogInMemoryWithoutWritingTheSource() throws Exception {
    Path image = copy(dynamic, "logged.vhdx");
    long bat = region(image, "2DC27766-F623-4200-9D64-115E9BFD4A08");
    long logOffset = header(image).getLong(72);
    long logLength = header(image).getInt(68) & 0xFFFFFFFFL;
    long block0 = (read(image, bat, 8).order(ByteOrder.LITTLE_ENDIAN).getLong(0) >>> 20) * MiB;
    long block4 = (read(image, bat + 4 * 8, 8).order(ByteOrder.LITTLE_ENDIAN).getLong(0) >>> 20) * MiB;
    long fileSize = Files.size(image);
    byte[] guid = new byte[16];
    Arrays.fill(guid, (byte) 0x3C);

    byte[] first = sector('1');
    byte[] second = sector('2');
    // The BAT's first sector with payload block 2 (16-24 MiB) turned to ZERO state.
    ByteBuffer batSector = read(image, bat, 4096).order(ByteOrder.LITTLE_ENDIAN);
    batSector.putLong(2 * 8, 2);
    byte[] batBytes = batSector.array();

    long seq = 0x1_0000_0007L;
    byte[] e1 = logEntry(guid, seq, 0, fileSize, List.of(new Desc(block0, first)));
    byte[] e2 = logEntry(guid, seq + 1, 0, fileSize,
        List.of(new Desc(block0, second), new Desc(bat, batBytes), new Desc(block4 + MiB, null, 8192)));
    byte[] stale = logEntry(guid, seq + 50, 0, fileSize, List.of(new Desc(block0 + 4096, sector('S'))));
    stale[100] ^= 1; // checksum no longer matches: ignored
    byte[] otherGuid = new byte[16];
    byte[] foreign = logEntry(otherGuid, seq + 60, 512 * 1024, fileSize, List.of(new Desc(block0 + 4096, sector('F'))));
    patch(image, logOffset, e1);
    patch(image, logOffset + e1.length, e2);
    patch(image, logOffset + 256 * 1024, stale);
    patch(image, logOffset + 512 * 1024, foreign);
    setLogGuid(image, guid);
    byte[] before = Files.readAllBytes(image);

    Path expected = copy(source, "logged-expected.raw");
    patch(expected, 0, second);
    patch(expected, 16 * MiB, new byte[(int) (8 * MiB)]);
    patch(expected, 33 * MiB, new byte[8192]);
    Path raw = dump(driver, image, dir.resolve("logged.raw"));
    QemuImg.assertIdentical(expected, "raw", raw, "raw");
    assertArrayEquals(before, Files.readAllBytes(image), "the source must not be written");
    assertTrue(extents(driver, image).stream().anyMatch(e -> e.offset() == 16 * MiB && e.zero()));
    // The converter maps stored data from the file, but not from a file whose log is replayed.
    Path converted = dir.resolve("logged-converted.raw");
    new dev.vmpackager.disk.convert.DiskConverter().convert(dev.vmpackager.disk.convert.ConversionRequest.builder()
        .source(image).output(converted).outputFormat(dev.vmpackager.disk.DiskFormat.RAW).build());
    QemuImg.assertIdentical(expected, "raw", converted, "raw");
    assertArrayEquals(before, Files.readAllBytes(image), "the source must not be written");

    // qemu replays the log when it may write: a copy it replays must read the same as our dump.
    Path replayed = copy(image, "logged-qemu.vhdx");
    QemuImg.run("check", "-r", "all", "-f", "vhdx", replayed);
    assertEquals(0, header(replayed).getLong(48), "qemu replayed and cleared the log");
    QemuImg.assertIdentical(replayed, "vhdx", raw, "raw");
    assertTrue(logLength >= 1 << 20);
  }

  /**
   * A log entry that wraps around the end of the log and grows the file: it allocates payload
   * block 5 (40-48 MiB, all zeros so far) past the end of the file and writes one sector into it.
   */
  @Test
  void replaysWrappedLogEntryThatGrowsTheFile() throws Exception {
    Path image = copy(dynamic, "grown.vhdx");
    long bat = region(image, "2DC27766-F623-4200-9D64-115E9BFD4A08");
    long logOffset = header(image).getLong(72);
    int logLength = header(image).getInt(68);
    long fileSize = Files.size(image);
    long newBlock = (fileSize + MiB - 1) / MiB * MiB;
    ByteBuffer batSector = read(image, bat, 4096).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(2, batSector.getLong(5 * 8) & 7, "block 5 starts in ZERO state");
    batSector.putLong(5 * 8, (newBlock / MiB) << 20 | 6);
    byte[] data = sector('G');
    byte[] guid = new byte[16];
    Arrays.fill(guid, (byte) 0x77);
    int at = logLength - 4096;
    byte[] entry = logEntry(guid, 3, at, newBlock + 8 * MiB,
        List.of(new Desc(bat, batSector.array()), new Desc(newBlock + 4096, data)));
    // Not 1 MiB-aligned: qemu 7.2 grows the file on replay only then (it rounds up to 1 MiB, as we do).
    entry = withFileOffsets(entry, fileSize, newBlock + 8 * MiB - 4096);
    assertEquals(3 * 4096, entry.length);
    patch(image, logOffset + at, Arrays.copyOfRange(entry, 0, 4096));
    patch(image, logOffset, Arrays.copyOfRange(entry, 4096, entry.length));
    setLogGuid(image, guid);

    Path expected = copy(source, "grown-expected.raw");
    patch(expected, 40 * MiB + 4096, data);
    Path raw = dump(driver, image, dir.resolve("grown.raw"));
    QemuImg.assertIdentical(expected, "raw", raw, "raw");
    assertEquals(fileSize, Files.size(image), "the source is not grown");

    Path replayed = copy(image, "grown-qemu.vhdx");
    QemuImg.run("check", "-r", "all", "-f", "vhdx", replayed);
    assertEquals(0, header(replayed).getLong(48), "qemu replayed and cleared the log");
    QemuImg.assertIdentical(replayed, "vhdx", raw, "raw");
  }

  private static byte[] withFileOffsets(byte[] entry, long flushed, long last) {
    ByteBuffer b = ByteBuffer.wrap(entry).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(48, flushed).putLong(56, last);
    fixLogChecksum(entry);
    return entry;
  }

  @Test
  void rejectsCorruptLogs() throws Exception {
    long fileSize = Files.size(dynamic);
    byte[] guid = new byte[16];
    Arrays.fill(guid, (byte) 0x42);
    // A data descriptor whose data sector has a wrong signature, under a valid checksum.
    Path image = copy(dynamic, "badlog.vhdx");
    long logOffset = header(image).getLong(72);
    byte[] sector = sector('x');
    byte[] entry = logEntry(guid, 9, 0, fileSize, List.of(new Desc(2 * MiB, sector)));
    entry[4096] = 'X';
    fixLogChecksum(entry);
    patch(image, logOffset, entry);
    setLogGuid(image, guid);
    assertRejected(driver, image, CorruptImageException.class);

    // The log says the file was flushed at a size larger than it has: truncated.
    Path cut = copy(dynamic, "cutlog.vhdx");
    patch(cut, logOffset, logEntry(guid, 9, 0, fileSize + 64 * MiB, List.of(new Desc(2 * MiB, sector('c')))));
    setLogGuid(cut, guid);
    assertRejected(driver, cut, CorruptImageException.class);

    // The log region itself outside the file.
    Path past = copy(dynamic, "logpast.vhdx");
    setLogGuid(past, guid);
    for (long at : new long[] {64 * 1024, 128 * 1024}) {
      ByteBuffer h = read(past, at, 4096).order(ByteOrder.LITTLE_ENDIAN);
      h.putLong(72, 1L << 40);
      fixCrc(h, 4096);
      patch(past, at, h);
    }
    assertRejected(driver, past, CorruptImageException.class);

    // Entries whose tails chase each other in a circle never form a sequence: no replay, no hang.
    Path loop = copy(dynamic, "logloop.vhdx");
    patch(loop, logOffset, logEntry(guid, 20, 8192, fileSize, List.of(new Desc(2 * MiB, sector('a')))));
    patch(loop, logOffset + 8192, logEntry(guid, 22, 0, fileSize, List.of(new Desc(2 * MiB, sector('b')))));
    setLogGuid(loop, guid);
    QemuImg.assertIdentical(source, "raw", dump(driver, loop, dir.resolve("loop.raw")), "raw");
  }

  @Test
  void usesTheOtherHeaderWhenOneIsDamaged() throws Exception {
    Path image = copy(dynamic, "onehead.vhdx");
    patch(image, 64 * 1024 + 100, new byte[] {1, 2, 3});
    QemuImg.assertIdentical(source, "raw", dump(driver, image, dir.resolve("onehead.raw")), "raw");
    patch(image, 128 * 1024 + 100, new byte[] {1, 2, 3});
    assertRejected(driver, image, CorruptImageException.class);
  }

  @Test
  void rejectsTruncatedImages() throws Exception {
    for (long size : new long[] {100, 300 * 1024, 2 * MiB + 4096, Files.size(dynamic) - 4 * MiB}) {
      Path image = copy(dynamic, "cut" + size + ".vhdx");
      DriverChecks.truncate(image, size);
      assertRejected(driver, image, CorruptImageException.class);
    }
  }

  @Test
  void rejectsBadRegionTables() throws Exception {
    Path image = copy(dynamic, "regions.vhdx");
    patch(image, 192 * 1024 + 40, new byte[] {9});
    patch(image, 256 * 1024 + 40, new byte[] {9});
    assertRejected(driver, image, CorruptImageException.class);

    Path required = copy(dynamic, "required.vhdx");
    for (long at : new long[] {192 * 1024, 256 * 1024}) {
      ByteBuffer t = read(required, at, 64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
      int n = t.getInt(8);
      int e = 16 + n * 32;
      t.put(e, Guids.bytes("11111111-2222-3333-4444-555555555555"));
      t.putLong(e + 16, 8 * MiB).putInt(e + 24, (int) MiB).putInt(e + 28, 1);
      t.putInt(8, n + 1);
      fixCrc(t, 64 * 1024);
      patch(required, at, t);
    }
    UnsupportedImageException e = assertRejected(driver, required, UnsupportedImageException.class);
    assertTrue(e.getMessage().contains("11111111-2222-3333-4444-555555555555"), e.getMessage());

    Path batPast = copy(dynamic, "batregion.vhdx");
    for (long at : new long[] {192 * 1024, 256 * 1024}) {
      ByteBuffer t = read(batPast, at, 64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
      t.putLong(16 + 16, 1L << 45);
      fixCrc(t, 64 * 1024);
      patch(batPast, at, t);
    }
    assertRejected(driver, batPast, CorruptImageException.class);
  }

  @Test
  void rejectsBadMetadata() throws Exception {
    String fileParameters = "CAA16737-FA36-4D43-B3B6-33F0AA44E76B";
    for (int bad : new int[] {0, 3 << 20, 512 << 20}) {
      Path image = copy(dynamic, "bs" + bad + ".vhdx");
      patch(image, metadataItem(image, fileParameters), le(4).putInt(0, bad));
      assertRejected(driver, image, CorruptImageException.class);
    }
    Path parent = copy(dynamic, "parent.vhdx");
    patch(parent, metadataItem(parent, fileParameters) + 4, le(4).putInt(0, 2));
    UnsupportedImageException e = assertRejected(driver, parent, UnsupportedImageException.class);
    assertTrue(e.getMessage().contains("differencing"), e.getMessage());
    UnsupportedImageException e2 = assertRejected(driver, parent, UnsupportedImageException.class,
        new DiskOpenOptions(true));
    // The opt-in does not help: the message says why (no qemu oracle) and what to do instead.
    assertTrue(e2.getMessage().contains("Merge-VHD") && !e2.getMessage().contains("yet"), e2.getMessage());

    Path lss = copy(dynamic, "lss.vhdx");
    patch(lss, metadataItem(lss, "8141BF1D-A96F-4709-BA47-F233A8FAAB5F"), le(4).putInt(0, 1024));
    assertRejected(driver, lss, CorruptImageException.class);

    // A virtual size whose BAT would not fit the BAT region (a huge table count), and one past 64 TiB.
    for (long size : new long[] {60L << 40, 1L << 50, -1}) {
      Path huge = copy(dynamic, "size" + size + ".vhdx");
      patch(huge, metadataItem(huge, "2FA54224-CD1B-4876-B211-5DBED83BF4B8"), le(8).putLong(0, size));
      assertRejected(driver, huge, CorruptImageException.class);
    }
  }

  @Test
  void rejectsBadBatEntries() throws Exception {
    long bat = region(dynamic, "2DC27766-F623-4200-9D64-115E9BFD4A08");
    Path past = copy(dynamic, "blockpast.vhdx");
    patch(past, bat, le(8).putLong(0, (1L << 40) | 6));
    assertRejected(driver, past, CorruptImageException.class);
    Path partial = copy(dynamic, "partial.vhdx");
    patch(partial, bat, le(8).putLong(0, (8L << 20) | 7));
    assertRejected(driver, partial, UnsupportedImageException.class);
    Path unknown = copy(dynamic, "state4.vhdx");
    patch(unknown, bat, le(8).putLong(0, 4));
    assertRejected(driver, unknown, CorruptImageException.class);
  }

  // ---- helpers that build VHDX structures for the tests ----

  private record Desc(long fileOffset, byte[] data, long zeroLength) {
    Desc(long fileOffset, byte[] data) {
      this(fileOffset, data, 0);
    }
  }

  private static byte[] sector(char c) {
    byte[] b = new byte[4096];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (c + (i % 7));
    }
    return b;
  }

  /** A log entry: header and descriptors in the first sector(s), then one data sector per data descriptor. */
  private static byte[] logEntry(byte[] guid, long seq, int tail, long fileSize, List<Desc> descs) {
    List<Desc> data = new ArrayList<>();
    for (Desc d : descs) {
      if (d.data() != null) {
        data.add(d);
      }
    }
    int descSectors = (descs.size() + 2 + 127) / 128;
    int length = (descSectors + data.size()) * 4096;
    ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(0, "loge".getBytes(StandardCharsets.US_ASCII));
    b.putInt(8, length).putInt(12, tail).putLong(16, seq).putInt(24, descs.size());
    b.put(32, guid);
    b.putLong(48, fileSize).putLong(56, fileSize);
    int ds = descSectors * 4096;
    for (int i = 0; i < descs.size(); i++) {
      Desc d = descs.get(i);
      int at = 64 + i * 32;
      if (d.data() == null) {
        b.put(at, "zero".getBytes(StandardCharsets.US_ASCII));
        b.putLong(at + 8, d.zeroLength());
      } else {
        b.put(at, "desc".getBytes(StandardCharsets.US_ASCII));
        b.put(at + 4, d.data(), 4092, 4);
        b.put(at + 8, d.data(), 0, 8);
        b.put(ds, "data".getBytes(StandardCharsets.US_ASCII));
        b.putInt(ds + 4, (int) (seq >>> 32));
        b.put(ds + 8, d.data(), 8, 4084);
        b.putInt(ds + 4092, (int) seq);
        ds += 4096;
      }
      b.putLong(at + 16, d.fileOffset()).putLong(at + 24, seq);
    }
    byte[] out = b.array();
    fixLogChecksum(out);
    return out;
  }

  private static void fixLogChecksum(byte[] entry) {
    ByteBuffer b = ByteBuffer.wrap(entry).order(ByteOrder.LITTLE_ENDIAN);
    fixCrc(b, entry.length);
  }

  private static void fixCrc(ByteBuffer b, int length) {
    b.putInt(4, 0);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, length);
    b.putInt(4, (int) crc.getValue());
  }

  /** Sets the log GUID in both headers (keeping their sequence numbers) and fixes their checksums. */
  private static void setLogGuid(Path image, byte[] guid) throws IOException {
    for (long at : new long[] {64 * 1024, 128 * 1024}) {
      ByteBuffer h = read(image, at, 4096).order(ByteOrder.LITTLE_ENDIAN);
      h.put(48, guid);
      fixCrc(h, 4096);
      patch(image, at, h);
    }
  }

  /** The current header (highest sequence number). */
  private static ByteBuffer header(Path image) throws IOException {
    ByteBuffer h1 = read(image, 64 * 1024, 4096).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer h2 = read(image, 128 * 1024, 4096).order(ByteOrder.LITTLE_ENDIAN);
    return h2.getLong(8) > h1.getLong(8) ? h2 : h1;
  }

  private static long region(Path image, String guid) throws IOException {
    ByteBuffer t = read(image, 192 * 1024, 64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
    byte[] want = Guids.bytes(guid);
    for (int i = 0; i < t.getInt(8); i++) {
      byte[] g = new byte[16];
      t.get(16 + i * 32, g);
      if (Arrays.equals(g, want)) {
        return t.getLong(16 + i * 32 + 16);
      }
    }
    throw new AssertionError("no region " + guid);
  }

  /** @return the file offset of a metadata item's value */
  private static long metadataItem(Path image, String guid) throws IOException {
    long meta = region(image, "8B7CA206-4790-4B9A-B8FE-575F050F886E");
    ByteBuffer t = read(image, meta, 64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
    byte[] want = Guids.bytes(guid);
    for (int i = 0; i < (t.getShort(10) & 0xFFFF); i++) {
      byte[] g = new byte[16];
      t.get(32 + i * 32, g);
      if (Arrays.equals(g, want)) {
        return meta + (t.getInt(32 + i * 32 + 16) & 0xFFFFFFFFL);
      }
    }
    throw new AssertionError("no metadata item " + guid);
  }

  private static byte[] readGuest(DiskImageReader r, long at, int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n);
    r.read(b, at);
    return b.array();
  }

  private static ByteBuffer le(int n) {
    return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
  }
}
