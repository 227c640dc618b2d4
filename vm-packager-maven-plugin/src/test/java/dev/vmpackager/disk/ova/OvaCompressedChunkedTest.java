package dev.vmpackager.disk.ova;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.disk.CorruptImageException;
import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageReader;
import dev.vmpackager.disk.DiskOpenOptions;
import dev.vmpackager.disk.FileImageSource;
import dev.vmpackager.disk.UnsupportedImageException;
import dev.vmpackager.disk.convert.ConversionRequest;
import dev.vmpackager.disk.convert.DiskConverter;
import dev.vmpackager.testing.PatternedDisk;
import dev.vmpackager.testing.QemuImg;
import dev.vmpackager.testing.ReaderDump;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * OVAs whose disk file is gzip-compressed ({@code ovf:compression}) and/or split into chunks
 * ({@code ovf:chunkSize}), as VMware's ovftool writes them: read back and compared with qemu-img
 * against the source; the inflated scratch copy never outlives the reader.
 */
@Timeout(120)
class OvaCompressedChunkedTest {

  static final long SIZE = 64L << 20;
  static final int CHUNK = 100_000;

  @TempDir static Path dir;
  static Path source;
  static byte[] vmdk;
  static byte[] gzipped;

  @BeforeAll
  static void fixtures() throws Exception {
    source = PatternedDisk.create(dir.resolve("src.raw"), SIZE, 23);
    Path q = dir.resolve("qemu.vmdk");
    QemuImg.convert(source, q, "vmdk", "-o", "subformat=streamOptimized");
    vmdk = Files.readAllBytes(q);
    gzipped = gzip(vmdk);
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(b)) {
      g.write(data);
    }
    return b.toByteArray();
  }

  /** An OVF naming one disk file with the given extra File attributes and capacity in MiB. */
  static byte[] ovf(String href, String fileAttributes, long capacityMiB) {
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<Envelope xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\" xmlns:ovf=\"http://schemas.dmtf.org/ovf/envelope/1\">\n"
        + "  <References>\n    <File ovf:id=\"file1\" ovf:href=\"" + href + "\" " + fileAttributes + "/>\n  </References>\n"
        + "  <DiskSection>\n    <Info>Virtual disk information</Info>\n"
        + "    <Disk ovf:capacity=\"" + capacityMiB + "\" ovf:capacityAllocationUnits=\"byte * 2^20\" ovf:diskId=\"vmdisk1\""
        + " ovf:fileRef=\"file1\" ovf:format=\"" + OvaDriverTest.STREAM_FORMAT + "\"/>\n"
        + "  </DiskSection>\n</Envelope>\n").getBytes(StandardCharsets.UTF_8);
  }

  /** OVF, manifest (SHA-256 of every entry) and the stored file as one entry or as chunks. */
  static Map<String, byte[]> entries(String href, byte[] stored, String fileAttributes, int chunkSize,
      long capacityMiB) throws Exception {
    byte[] ovf = ovf(href, fileAttributes + " ovf:size=\"" + stored.length + "\"", capacityMiB);
    Map<String, byte[]> files = new LinkedHashMap<>();
    if (chunkSize == 0) {
      files.put(href, stored);
    } else {
      for (int i = 0, at = 0; at < stored.length; i++, at += chunkSize) {
        files.put(String.format("%s.%09d", href, i), Arrays.copyOfRange(stored, at, Math.min(stored.length, at + chunkSize)));
      }
    }
    StringBuilder mf = new StringBuilder("SHA256(app.ovf)= " + OvaDriverTest.digest("SHA-256", ovf) + "\n");
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      mf.append("SHA256(").append(f.getKey()).append(")= ").append(OvaDriverTest.digest("SHA-256", f.getValue())).append('\n');
    }
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("app.ovf", ovf);
    m.put("app.mf", mf.toString().getBytes(StandardCharsets.US_ASCII));
    m.putAll(files);
    return m;
  }

  private static Path scratchDir(String name) throws IOException {
    return Files.createDirectories(dir.resolve("scratch-" + name));
  }

  private static List<Path> listing(Path folder) throws IOException {
    try (Stream<Path> s = Files.list(folder)) {
      return s.toList();
    }
  }

  /** Opens through the OVA driver with a scratch folder, dumps the guest disk, checks the scratch is gone. */
  private static Path readBack(Path ova) throws Exception {
    Path scratch = scratchDir(ova.getFileName().toString());
    Path raw = ova.resolveSibling(ova.getFileName() + ".raw");
    try (FileImageSource src = FileImageSource.open(ova);
        DiskImageReader r = new OvaDriver().open(src, new DiskOpenOptions(false, scratch))) {
      assertEquals(DiskFormat.VMDK, ((OvaReader) r).diskFormat());
      assertEquals(SIZE, r.virtualSize());
      ReaderDump.toRaw(r, raw);
    }
    assertEquals(List.of(), listing(scratch), "the inflated scratch copy is deleted on close");
    return raw;
  }

  private static <T extends Exception> T openFails(Class<T> type, Path ova) throws Exception {
    Path scratch = scratchDir(ova.getFileName().toString());
    T e;
    try (FileImageSource src = FileImageSource.open(ova)) {
      e = assertThrows(type, () -> new OvaDriver().open(src, new DiskOpenOptions(false, scratch)).close());
    }
    assertEquals(List.of(), listing(scratch), "nothing is left in the scratch folder after a failure");
    return e;
  }

  @Test
  void gzipCompressedDiskIsInflatedAndRead() throws Exception {
    Path ova = OvaDriverTest.tar(dir.resolve("gz.ova"), entries("disk1.vmdk", gzipped, "ovf:compression=\"gzip\"", 0, 64));
    QemuImg.assertIdentical(source, "raw", readBack(ova), "raw");
  }

  @Test
  void chunkedDiskIsReadInPlace() throws Exception {
    Path ova = OvaDriverTest.tar(dir.resolve("chunked.ova"),
        entries("disk1.vmdk", vmdk, "ovf:chunkSize=\"" + CHUNK + "\"", CHUNK, 64));
    QemuImg.assertIdentical(source, "raw", readBack(ova), "raw");
  }

  @Test
  void gzipThenChunkedAsOvftoolWritesIt() throws Exception {
    int chunk = 300_001; // odd, so grains and gzip blocks straddle chunk borders
    Path ova = OvaDriverTest.tar(dir.resolve("gzchunked.ova"), entries("disk1.vmdk", gzipped,
        "ovf:compression=\"gzip\" ovf:chunkSize=\"" + chunk + "\"", chunk, 64));
    QemuImg.assertIdentical(source, "raw", readBack(ova), "raw");
  }

  @Test
  void convertingAGzipOvaUsesTheOutputFolderAndLeavesOnlyTheOutput() throws Exception {
    Path ova = OvaDriverTest.tar(dir.resolve("convert.ova"),
        entries("disk1.vmdk", gzipped, "ovf:compression=\"gzip\"", 0, 64));
    Path outDir = Files.createDirectories(dir.resolve("convert-out"));
    Path out = outDir.resolve("app.qcow2");
    new DiskConverter().convert(ConversionRequest.builder().source(ova).output(out).build());
    QemuImg.assertIdentical(source, "raw", out, "qcow2");
    QemuImg.assertCheckClean(out, "qcow2");
    assertTrue(listing(outDir).stream().noneMatch(p -> p.getFileName().toString().contains("ova-disk")),
        "no inflated scratch file is left: " + listing(outDir));
  }

  @Test
  void qemuImgEngineRefusesAnOvaBeforeInflatingIt() throws Exception {
    // A truncated gzip entry: had the reader opened (and inflated) it first, this would be a gzip error.
    Path ova = OvaDriverTest.tar(dir.resolve("qemu-engine.ova"),
        entries("disk1.vmdk", Arrays.copyOf(gzipped, gzipped.length / 2), "ovf:compression=\"gzip\"", 0, 64));
    Path outDir = Files.createDirectories(dir.resolve("qemu-engine-out"));
    List<String> lines = new java.util.ArrayList<>();
    dev.vmpackager.event.BuildListener log = new dev.vmpackager.event.BuildListener() {
      @Override public void info(String m) { lines.add(m); }
      @Override public void warn(String m) { lines.add(m); }
      @Override public void debug(String m) { }
    };
    dev.vmpackager.disk.DiskImageException e = assertThrows(dev.vmpackager.disk.DiskImageException.class,
        () -> new DiskConverter().convert(ConversionRequest.builder().source(ova).output(outDir.resolve("app.qcow2"))
            .engine(ConversionRequest.Engine.QEMU_IMG).listener(log).build()));
    assertTrue(e.getMessage().contains("qemu-img cannot read OVA"), e.getMessage());
    assertTrue(lines.stream().noneMatch(l -> l.startsWith("Inflating")), () -> "" + lines);
    assertEquals(List.of(), listing(outDir));
  }

  @Test
  void missingMiddleChunkIsNamed() throws Exception {
    Map<String, byte[]> m = entries("disk1.vmdk", vmdk, "ovf:chunkSize=\"" + CHUNK + "\"", CHUNK, 64);
    m.remove("disk1.vmdk.000000001");
    Path ova = OvaDriverTest.tar(dir.resolve("nochunk.ova"), m);
    CorruptImageException e = openFails(CorruptImageException.class, ova);
    assertTrue(e.getMessage().contains("disk1.vmdk.000000001 of disk1.vmdk is missing"), e.getMessage());
  }

  @Test
  void missingLastChunkIsFoundByTheOvfSize() throws Exception {
    Map<String, byte[]> m = entries("disk1.vmdk", vmdk, "ovf:chunkSize=\"" + CHUNK + "\"", CHUNK, 64);
    String last = m.keySet().stream().reduce((a, b) -> b).orElseThrow();
    m.remove(last);
    Path ova = OvaDriverTest.tar(dir.resolve("nolastchunk.ova"), m);
    CorruptImageException e = openFails(CorruptImageException.class, ova);
    assertTrue(e.getMessage().contains("ovf:size") && e.getMessage().contains("chunk"), e.getMessage());
  }

  @Test
  void noChunkAtAllIsNamed() throws Exception {
    Map<String, byte[]> m = entries("disk1.vmdk", vmdk, "ovf:chunkSize=\"" + CHUNK + "\"", 0, 64);
    Path ova = OvaDriverTest.tar(dir.resolve("nochunks.ova"), m);
    CorruptImageException e = openFails(CorruptImageException.class, ova);
    assertTrue(e.getMessage().contains("disk1.vmdk.000000000"), e.getMessage());
  }

  @Test
  void truncatedGzipIsCorruptAndLeavesNoScratch() throws Exception {
    byte[] cut = Arrays.copyOf(gzipped, gzipped.length / 2);
    Path ova = OvaDriverTest.tar(dir.resolve("cutgz.ova"), entries("disk1.vmdk", cut, "ovf:compression=\"gzip\"", 0, 64));
    CorruptImageException e = openFails(CorruptImageException.class, ova);
    assertTrue(e.getMessage().contains("cutgz.ova!disk1.vmdk") && e.getMessage().contains("gzip"), e.getMessage());
  }

  @Test
  void notGzipAtAllIsCorrupt() throws Exception {
    Path ova = OvaDriverTest.tar(dir.resolve("notgz.ova"), entries("disk1.vmdk", vmdk, "ovf:compression=\"gzip\"", 0, 64));
    CorruptImageException e = openFails(CorruptImageException.class, ova);
    assertTrue(e.getMessage().contains("gzip"), e.getMessage());
  }

  @Test
  void gzipBombBeyondTheCapacityIsRefused() throws Exception {
    // 200 MiB of zeros gzip to ~200 KiB; the OVF claims a 1 MiB disk, so at most 1 MiB + 1/8 + 64 MiB may come out.
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(b)) {
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 200; i++) {
        g.write(zeros);
      }
    }
    Path ova = OvaDriverTest.tar(dir.resolve("bomb.ova"),
        entries("disk1.vmdk", b.toByteArray(), "ovf:compression=\"gzip\"", 0, 1));
    CorruptImageException e = openFails(CorruptImageException.class, ova);
    assertTrue(e.getMessage().contains("capacity"), e.getMessage());
  }

  @Test
  void otherCompressionIsRefusedByName() throws Exception {
    Path ova = OvaDriverTest.tar(dir.resolve("bz.ova"), entries("disk1.vmdk", vmdk, "ovf:compression=\"bzip2\"", 0, 64));
    UnsupportedImageException e = openFails(UnsupportedImageException.class, ova);
    assertTrue(e.getMessage().contains("bzip2") && e.getMessage().contains("gzip"), e.getMessage());
  }

  @Test
  void alteredChunkFailsTheManifest() throws Exception {
    Map<String, byte[]> m = entries("disk1.vmdk", vmdk, "ovf:chunkSize=\"" + CHUNK + "\"", CHUNK, 64);
    byte[] c = m.get("disk1.vmdk.000000002").clone();
    c[10] ^= 1;
    m.put("disk1.vmdk.000000002", c);
    Path ova = OvaDriverTest.tar(dir.resolve("altered.ova"), m);
    CorruptImageException e = openFails(CorruptImageException.class, ova);
    assertTrue(e.getMessage().contains("disk1.vmdk.000000002"), e.getMessage());
  }

  @Test
  void inflatingReportsProgressInTheLog() throws Exception {
    List<String> lines = new java.util.ArrayList<>();
    dev.vmpackager.event.BuildListener log = new dev.vmpackager.event.BuildListener() {
      @Override public void info(String m) { lines.add(m); }
      @Override public void warn(String m) { lines.add(m); }
      @Override public void debug(String m) { }
    };
    Path gz = Files.write(dir.resolve("disk.vmdk.gz"), gzipped);
    try (FileImageSource src = FileImageSource.open(gz)) {
      Path out = GunzippedDisk.inflate(src, scratchDir("progress"), Long.MAX_VALUE, log, 1);
      assertEquals(vmdk.length, Files.size(out));
      Files.delete(out);
    }
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("Inflating disk.vmdk.gz") && l.endsWith("done")), () -> "" + lines);
  }

  @Test
  void capacityUnitsAreParsed() {
    assertEquals(64L << 20, OvfDescriptor.capacityBytes("64", "byte * 2^20"));
    assertEquals(8L << 30, OvfDescriptor.capacityBytes("8", "byte*2^30"));
    assertEquals(512, OvfDescriptor.capacityBytes("512", ""));
    assertEquals(3L << 20, OvfDescriptor.capacityBytes("3", "MegaBytes"));
    assertEquals(-1, OvfDescriptor.capacityBytes("${disk.size}", "byte"));
    assertEquals(-1, OvfDescriptor.capacityBytes("4", "byte * 10^9"));
    assertEquals(-1, OvfDescriptor.capacityBytes(String.valueOf(Long.MAX_VALUE), "byte * 2^30"));
  }
}
