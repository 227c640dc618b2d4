package dev.vmpackager.disk.ova;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.disk.CorruptImageException;
import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageException;
import dev.vmpackager.disk.DiskImageReader;
import dev.vmpackager.disk.DiskImages;
import dev.vmpackager.disk.DiskOpenOptions;
import dev.vmpackager.disk.FileImageSource;
import dev.vmpackager.disk.FormatDriver;
import dev.vmpackager.disk.OpenedDisk;
import dev.vmpackager.disk.UnsupportedImageException;
import dev.vmpackager.disk.vmdk.VmwareStreamWriter;
import dev.vmpackager.testing.PatternedDisk;
import dev.vmpackager.testing.QemuImg;
import dev.vmpackager.testing.ReaderDump;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** OVAs built here (ovf + mf + streamOptimized VMDK) read back in place; bad ones fail by name. */
@Timeout(60)
class OvaDriverTest {

  static final long SIZE = 64L << 20;
  static final String STREAM_FORMAT = "http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized";

  @TempDir static Path dir;
  static Path source;
  static byte[] vmwareDisk;
  static byte[] qemuDisk;

  private final OvaDriver driver = new OvaDriver();

  @BeforeAll
  static void fixtures() throws Exception {
    source = PatternedDisk.create(dir.resolve("src.raw"), SIZE, 11);
    vmwareDisk = Files.readAllBytes(VmwareStreamWriter.write(source, dir.resolve("vmware.vmdk")));
    Path q = dir.resolve("qemu.vmdk");
    QemuImg.convert(source, q, "vmdk", "-o", "subformat=streamOptimized");
    qemuDisk = Files.readAllBytes(q);
  }

  static String ovf(String... diskHrefs) {
    StringBuilder refs = new StringBuilder();
    StringBuilder disks = new StringBuilder();
    for (int i = 0; i < diskHrefs.length; i++) {
      refs.append("    <File ovf:id=\"file").append(i).append("\" ovf:href=\"").append(diskHrefs[i]).append("\"/>\n");
      disks.append("    <Disk ovf:capacity=\"64\" ovf:capacityAllocationUnits=\"byte * 2^20\" ovf:diskId=\"vmdisk")
          .append(i).append("\" ovf:fileRef=\"file").append(i).append("\" ovf:format=\"").append(STREAM_FORMAT)
          .append("\"/>\n");
    }
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<Envelope xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\" xmlns:ovf=\"http://schemas.dmtf.org/ovf/envelope/1\">\n"
        + "  <References>\n" + refs + "  </References>\n"
        + "  <DiskSection>\n    <Info>Virtual disk information</Info>\n" + disks + "  </DiskSection>\n"
        + "  <VirtualSystem ovf:id=\"app\"><Info>A virtual machine</Info></VirtualSystem>\n"
        + "</Envelope>\n";
  }

  static String digest(String alg, byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance(alg).digest(data));
  }

  /** A minimal ustar writer, so tests can write names a careful tool would refuse. */
  static Path tar(Path out, Map<String, byte[]> entries) throws IOException {
    try (OutputStream o = Files.newOutputStream(out)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        byte[] h = new byte[512];
        put(h, 0, e.getKey());
        put(h, 100, "0000644");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", e.getValue().length));
        put(h, 136, "00000000000");
        h[156] = '0';
        put(h, 257, "ustar");
        put(h, 263, "00");
        for (int i = 148; i < 156; i++) {
          h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
          sum += b & 0xff;
        }
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        o.write(h);
        o.write(e.getValue());
        o.write(new byte[(512 - e.getValue().length % 512) % 512]);
      }
      o.write(new byte[1024]);
    }
    return out;
  }

  private static void put(byte[] h, int at, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, at, b.length);
  }

  private Map<String, byte[]> ova(String diskName, byte[] disk, String alg, String mfAlg) throws Exception {
    byte[] ovf = ovf(diskName).getBytes(StandardCharsets.UTF_8);
    String mf = mfAlg + "(app.ovf)= " + digest(alg, ovf) + "\n" + mfAlg + "(" + diskName + ")= " + digest(alg, disk) + "\n";
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("app.ovf", ovf);
    m.put("app.mf", mf.getBytes(StandardCharsets.US_ASCII));
    m.put(diskName, disk);
    return m;
  }

  private Path readBack(Path ova) throws Exception {
    try (FileImageSource src = FileImageSource.open(ova)) {
      ByteBuffer head = ByteBuffer.allocate((int) Math.min(FormatDriver.HEAD_BYTES, src.size()));
      src.readFully(head, 0);
      head.flip();
      assertTrue(driver.matches(head, src), ova + " should be detected as an OVA");
      try (DiskImageReader r = driver.open(src, DiskOpenOptions.DEFAULT)) {
        assertEquals(DiskFormat.OVA, r.format());
        assertEquals(DiskFormat.VMDK, ((OvaReader) r).diskFormat());
        assertEquals(SIZE, r.virtualSize());
        return ReaderDump.toRaw(r, ova.resolveSibling(ova.getFileName() + ".raw"));
      }
    }
  }

  @Test
  void ovaWithSha256ManifestAndVmwareStream() throws Exception {
    Path ova = tar(dir.resolve("app.ova"), ova("disk1.vmdk", vmwareDisk, "SHA-256", "SHA256"));
    QemuImg.assertIdentical(source, "raw", readBack(ova), "raw");
  }

  /**
   * Disks of the other formats inside an OVA, opened through {@link DiskImages} as the plugin does:
   * by the driver {@code ovf:format} names, or (a format URI we do not know) by content, with the
   * same driver list {@link DiskImages} detects files with.
   */
  @ParameterizedTest
  @CsvSource({"qcow2, qcow2, QCOW2", "vdi, vdi, VDI", "vhdx, vhdx, VHDX", "vpc, vhd, VPC", "qed, x-unknown, QED",
      "qcow2, x-unknown, QCOW2"})
  void disksOfOtherFormatsInside(String qemuFormat, String ovfFormat, DiskFormat expected) throws Exception {
    Path sub = Files.createDirectories(dir.resolve("inside-" + qemuFormat + "-" + ovfFormat));
    Path disk = sub.resolve("disk1." + qemuFormat);
    QemuImg.convert(source, disk, qemuFormat, qemuFormat.equals("vpc") ? new String[] {"-o", "force_size=on"}
        : new String[0]);
    byte[] ovf = ovf(disk.getFileName().toString()).replace(STREAM_FORMAT, "http://example.org/formats/" + ovfFormat)
        .getBytes(StandardCharsets.UTF_8);
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("app.ovf", ovf);
    entries.put(disk.getFileName().toString(), Files.readAllBytes(disk));
    Path ova = tar(sub.resolve("app.ova"), entries);
    try (OpenedDisk d = DiskImages.open(ova, null, DiskOpenOptions.DEFAULT)) {
      assertEquals(expected, ((OvaReader) d.reader()).diskFormat());
      QemuImg.assertIdentical(source, "raw", ReaderDump.toRaw(d.reader(), sub.resolve("read.raw")), "raw");
    }
  }

  @Test
  void deltaDiskInsideAnOvaIsRefusedEvenWithTheOptIn() throws Exception {
    // The parent lies both beside the OVA and inside it: a disk inside an archive has no folder of
    // its own, and it may not reach out of the archive for its parent.
    Path sub = Files.createDirectories(dir.resolve("delta-ova"));
    QemuImg.convert(source, sub.resolve("base.vmdk"), "vmdk");
    QemuImg.ok("create", "-q", "-f", "vmdk", "-b", "base.vmdk", "-F", "vmdk", sub.resolve("child.vmdk"));
    Map<String, byte[]> entries = ova("child.vmdk", Files.readAllBytes(sub.resolve("child.vmdk")), "SHA-256", "SHA256");
    entries.put("base.vmdk", Files.readAllBytes(sub.resolve("base.vmdk")));
    Path ova = tar(sub.resolve("delta.ova"), entries);
    try (FileImageSource src = FileImageSource.open(ova)) {
      UnsupportedImageException e = assertThrows(UnsupportedImageException.class,
          () -> driver.open(src, new DiskOpenOptions(true)).close());
      assertTrue(e.getMessage().contains("child.vmdk") && e.getMessage().contains("base.vmdk")
          && e.getMessage().contains("archive"), e.getMessage());
    }
  }

  @Test
  void ovaMadeByGnuTarWithSha1ManifestAndQemuStream() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("gnutar"));
    for (Map.Entry<String, byte[]> e : ova("disk.vmdk", qemuDisk, "SHA-1", "SHA1").entrySet()) {
      Files.write(sub.resolve(e.getKey()), e.getValue());
    }
    Path ova = sub.resolve("gnu.ova");
    Process p = new ProcessBuilder("tar", "--format=ustar", "-cf", ova.toString(), "-C", sub.toString(),
        "app.ovf", "app.mf", "disk.vmdk").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, out);
    QemuImg.assertIdentical(source, "raw", readBack(ova), "raw");
  }

  @Test
  void paxLongNamesAreFollowed() throws Exception {
    String longName = "a-very-long-directory-name-for-the-disk-of-this-application/" + "x".repeat(90) + ".vmdk";
    Path ova = dir.resolve("pax.ova");
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(Files.newOutputStream(ova))) {
      t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Map.Entry<String, byte[]> e : ova(longName, vmwareDisk, "SHA-512", "SHA512").entrySet()) {
        TarArchiveEntry te = new TarArchiveEntry(e.getKey());
        te.setSize(e.getValue().length);
        t.putArchiveEntry(te);
        t.write(e.getValue());
        t.closeArchiveEntry();
      }
    }
    QemuImg.assertIdentical(source, "raw", readBack(ova), "raw");
  }

  @Test
  void firstOfSeveralDisksIsRead() throws Exception {
    byte[] ovf = ovf("first.vmdk", "second.vmdk").getBytes(StandardCharsets.UTF_8);
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("app.ovf", ovf);
    m.put("first.vmdk", vmwareDisk);
    m.put("second.vmdk", "not a disk".getBytes(StandardCharsets.US_ASCII));
    Path ova = tar(dir.resolve("two.ova"), m);
    QemuImg.assertIdentical(source, "raw", readBack(ova), "raw");
  }

  @Test
  void badManifestHashNamesTheEntry() throws Exception {
    Map<String, byte[]> m = ova("disk1.vmdk", vmwareDisk, "SHA-256", "SHA256");
    byte[] altered = vmwareDisk.clone();
    altered[altered.length / 2] ^= 1;
    m.put("disk1.vmdk", altered);
    Path ova = tar(dir.resolve("badhash.ova"), m);
    try (FileImageSource src = FileImageSource.open(ova)) {
      CorruptImageException e = assertThrows(CorruptImageException.class, () -> driver.open(src, DiskOpenOptions.DEFAULT));
      assertTrue(e.getMessage().contains("badhash.ova!disk1.vmdk") && e.getMessage().contains("manifest"), e.getMessage());
    }
  }

  @Test
  void dotDotEntryIsRefused() throws Exception {
    Map<String, byte[]> m = ova("../x.vmdk", vmwareDisk, "SHA-256", "SHA256");
    Path ova = tar(dir.resolve("dotdot.ova"), m);
    try (FileImageSource src = FileImageSource.open(ova)) {
      UnsupportedImageException e = assertThrows(UnsupportedImageException.class,
          () -> driver.open(src, DiskOpenOptions.DEFAULT));
      assertTrue(e.getMessage().contains("dotdot.ova") && e.getMessage().contains("../x.vmdk"), e.getMessage());
    }
  }

  @Test
  void absoluteEntryIsRefused() throws Exception {
    Map<String, byte[]> m = ova("disk1.vmdk", vmwareDisk, "SHA-256", "SHA256");
    m.put("/etc/cron.d/x", new byte[10]);
    Path ova = tar(dir.resolve("abs.ova"), m);
    try (FileImageSource src = FileImageSource.open(ova)) {
      UnsupportedImageException e = assertThrows(UnsupportedImageException.class,
          () -> driver.open(src, DiskOpenOptions.DEFAULT));
      assertTrue(e.getMessage().contains("/etc/cron.d/x"), e.getMessage());
    }
  }

  @Test
  void truncatedOvaFailsClearly() throws Exception {
    Path full = tar(dir.resolve("full.ova"), ova("disk1.vmdk", vmwareDisk, "SHA-256", "SHA256"));
    Path cut = dir.resolve("cut.ova");
    try (FileChannel in = FileChannel.open(full); FileChannel out = FileChannel.open(cut,
        java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
      in.transferTo(0, in.size() - vmwareDisk.length / 2, out);
    }
    try (FileImageSource src = FileImageSource.open(cut)) {
      CorruptImageException e = assertThrows(CorruptImageException.class, () -> driver.open(src, DiskOpenOptions.DEFAULT));
      assertTrue(e.getMessage().contains("cut.ova") && e.getMessage().contains("truncated")
          && e.getMessage().contains("disk1.vmdk"), e.getMessage());
    }
  }

  @Test
  void firstEntryMustBeTheOvf() throws Exception {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("disk1.vmdk", vmwareDisk);
    m.put("app.ovf", ovf("disk1.vmdk").getBytes(StandardCharsets.UTF_8));
    Path ova = tar(dir.resolve("order.ova"), m);
    try (FileImageSource src = FileImageSource.open(ova)) {
      ByteBuffer head = ByteBuffer.allocate(FormatDriver.HEAD_BYTES);
      src.readFully(head, 0);
      head.flip();
      assertFalse(driver.matches(head, src), "a tar not starting with .ovf is not an OVA");
      DiskImageException e = assertThrows(DiskImageException.class, () -> driver.open(src, DiskOpenOptions.DEFAULT));
      assertTrue(e.getMessage().contains("order.ova") && e.getMessage().contains(".ovf"), e.getMessage());
    }
    try (FileImageSource src = FileImageSource.open(source)) {
      ByteBuffer head = ByteBuffer.allocate(FormatDriver.HEAD_BYTES);
      src.readFully(head, 0);
      head.flip();
      assertFalse(driver.matches(head, src), "a raw disk is not an OVA");
    }
  }

  @Test
  void ovfWithDoctypeIsRejected() throws Exception {
    String evil = "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n"
        + ovf("disk1.vmdk").substring(ovf("disk1.vmdk").indexOf('\n') + 1).replace("<Info>Virtual", "<Info>&e;Virtual");
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("app.ovf", evil.getBytes(StandardCharsets.UTF_8));
    m.put("disk1.vmdk", vmwareDisk);
    Path ova = tar(dir.resolve("xxe.ova"), m);
    try (FileImageSource src = FileImageSource.open(ova)) {
      CorruptImageException e = assertThrows(CorruptImageException.class, () -> driver.open(src, DiskOpenOptions.DEFAULT));
      assertTrue(e.getMessage().contains("xxe.ova!app.ovf"), e.getMessage());
    }
  }

  @Test
  void damagedTarHeadersFailClearly() throws Exception {
    Path good = tar(dir.resolve("hdr.ova"), ova("disk1.vmdk", vmwareDisk, "SHA-256", "SHA256"));
    byte[] b = Files.readAllBytes(good);
    // Flip a byte of the first header's name: the checksum no longer matches.
    byte[] badSum = b.clone();
    badSum[3] ^= 1;
    Path f1 = Files.write(dir.resolve("badsum.ova"), badSum);
    // Claim a 1 TiB .ovf (octal size field) in a file of a few hundred KiB.
    byte[] huge = b.clone();
    byte[] size = String.format("%011o", 1L << 40).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(size, 0, huge, 124, size.length);
    long sum = 0;
    for (int i = 0; i < 512; i++) {
      sum += (i >= 148 && i < 156) ? ' ' : (huge[i] & 0xff);
    }
    byte[] chk = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(chk, 0, huge, 148, 8);
    Path f2 = Files.write(dir.resolve("hugeovf.ova"), huge);
    try (FileImageSource src = FileImageSource.open(f1)) {
      assertFalse(driver.matches(ByteBuffer.wrap(badSum, 0, FormatDriver.HEAD_BYTES), src));
      CorruptImageException e = assertThrows(CorruptImageException.class, () -> driver.open(src, DiskOpenOptions.DEFAULT));
      assertTrue(e.getMessage().contains("badsum.ova") && e.getMessage().contains("checksum"), e.getMessage());
    }
    try (FileImageSource src = FileImageSource.open(f2)) {
      CorruptImageException e = assertThrows(CorruptImageException.class, () -> driver.open(src, DiskOpenOptions.DEFAULT));
      assertTrue(e.getMessage().contains("hugeovf.ova") && e.getMessage().contains("truncated"), e.getMessage());
    }
  }

  @Test
  void missingDiskEntryIsNamed() throws Exception {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("app.ovf", ovf("disk1.vmdk").getBytes(StandardCharsets.UTF_8));
    Path ova = tar(dir.resolve("nodisk.ova"), m);
    try (FileImageSource src = FileImageSource.open(ova)) {
      CorruptImageException e = assertThrows(CorruptImageException.class, () -> driver.open(src, DiskOpenOptions.DEFAULT));
      assertTrue(e.getMessage().contains("nodisk.ova") && e.getMessage().contains("disk1.vmdk"), e.getMessage());
    }
  }

  @Test
  void monolithicFlatDescriptorInsideTheOvaFindsItsExtentEntry() throws Exception {
    byte[] raw = Files.readAllBytes(source);
    String desc = "# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\n"
        + "RW " + (SIZE / 512) + " FLAT \"disk-flat.vmdk\" 0\n";
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("app.ovf", ovf("disk.vmdk").getBytes(StandardCharsets.UTF_8));
    m.put("disk.vmdk", desc.getBytes(StandardCharsets.US_ASCII));
    m.put("disk-flat.vmdk", raw);
    Path ova = tar(dir.resolve("flat.ova"), m);
    QemuImg.assertIdentical(source, "raw", readBack(ova), "raw");
    // An extent naming a file outside the archive is refused, not looked up on disk.
    m.put("disk.vmdk", desc.replace("disk-flat.vmdk", "../src.raw").getBytes(StandardCharsets.US_ASCII));
    Path bad = tar(dir.resolve("flatbad.ova"), m);
    try (FileImageSource src = FileImageSource.open(bad)) {
      UnsupportedImageException e = assertThrows(UnsupportedImageException.class,
          () -> driver.open(src, DiskOpenOptions.DEFAULT));
      assertTrue(e.getMessage().contains("../src.raw"), e.getMessage());
    }
  }

}
