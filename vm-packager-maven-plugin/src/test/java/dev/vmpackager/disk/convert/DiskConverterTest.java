package dev.vmpackager.disk.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.disk.CorruptImageException;
import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageException;
import dev.vmpackager.event.BuildListener;
import dev.vmpackager.testing.PatternedDisk;
import dev.vmpackager.testing.QemuImg;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The converter's contract: atomic output, nothing left on failure, up-to-date skip, the qemu-img engine. */
class DiskConverterTest {

  @TempDir
  static Path dir;

  static Path raw;
  static Path qcow2;

  @BeforeAll
  static void fixtures() throws Exception {
    Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
    raw = PatternedDisk.create(dir.resolve("src.raw"), 32L << 20, 11);
    qcow2 = dir.resolve("src.qcow2");
    QemuImg.convert(raw, qcow2, "qcow2");
  }

  /** Collects listener lines. */
  static final class Lines implements BuildListener {
    final List<String> lines = new ArrayList<>();

    @Override
    public synchronized void info(String m) {
      lines.add(m);
    }

    @Override
    public synchronized void warn(String m) {
      lines.add("WARN " + m);
    }

    @Override
    public void debug(String m) {}
  }

  private static List<String> names(Path folder) throws Exception {
    try (Stream<Path> s = Files.list(folder)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void failureLeavesNothingBehind() throws Exception {
    // A data cluster pointer past the end of the file is only found while copying.
    Path bad = dir.resolve("bad.qcow2");
    Files.copy(qcow2, bad);
    long l2;
    try (FileChannel ch = FileChannel.open(bad, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(8);
      ch.read(b, 40);
      long l1 = b.flip().getLong();
      ch.read(b.clear(), l1);
      l2 = b.flip().getLong() & 0x00FFFFFFFFFFFE00L;
      ch.write(ByteBuffer.allocate(8).putLong(0, (1L << 40) | (1L << 63)), l2 + 8 * 100);
    }
    Path outDir = Files.createDirectories(dir.resolve("fail"));
    Path out = outDir.resolve("vm.qcow2");
    Files.writeString(out, "an old output");
    for (DiskFormat f : List.of(DiskFormat.QCOW2, DiskFormat.RAW)) {
      Path o = outDir.resolve("vm." + f.id());
      CorruptImageException e = assertThrows(CorruptImageException.class, () -> new DiskConverter().convert(
          ConversionRequest.builder().source(bad).output(o).outputFormat(f).build()));
      assertTrue(e.getMessage().contains("bad.qcow2"), e.getMessage());
    }
    assertEquals(List.of(), names(outDir), "nothing may be left behind");
  }

  @Test
  void mislabelledSourceFailsBeforeWriting() throws Exception {
    Path mislabelled = Files.copy(raw, dir.resolve("disk.vmdk"));
    Path outDir = dir.resolve("mislabelled");
    DiskImageException e = assertThrows(DiskImageException.class, () -> new DiskConverter().convert(
        ConversionRequest.builder().source(mislabelled).output(outDir.resolve("vm.qcow2")).build()));
    assertTrue(e.getMessage().contains("disk.vmdk: the name says vmdk"), e.getMessage());
    assertEquals(List.of(), names(outDir));
  }

  @Test
  void upToDateOutputIsNotConvertedAgain() throws Exception {
    Path src = Files.copy(raw, dir.resolve("uptodate.raw"));
    Path out = dir.resolve("u").resolve("vm.qcow2");
    Lines log = new Lines();
    ConversionRequest req = ConversionRequest.builder().source(src).output(out).listener(log).build();
    assertFalse(new DiskConverter().convert(req).upToDate());
    assertTrue(Files.exists(out.resolveSibling(".vm.qcow2.state")));
    FileTime made = Files.getLastModifiedTime(out);

    ConversionResult again = new DiskConverter().convert(req);
    assertTrue(again.upToDate());
    assertEquals(made, Files.getLastModifiedTime(out));
    assertTrue(log.lines.stream().anyMatch(l -> l.contains("up to date")), log.lines.toString());

    // Other settings: converted again.
    ConversionRequest compressed = ConversionRequest.builder().source(src).output(out).compress(true).build();
    assertFalse(new DiskConverter().convert(compressed).upToDate());
    assertTrue(new DiskConverter().convert(compressed).upToDate());

    // A touched source: converted again.
    Files.setLastModifiedTime(src, FileTime.fromMillis(Files.getLastModifiedTime(src).toMillis() - 5000));
    assertFalse(new DiskConverter().convert(compressed).upToDate());

    // An output that was deleted or replaced: converted again.
    Files.delete(out);
    assertFalse(new DiskConverter().convert(compressed).upToDate());
    Files.writeString(out, "tampered");
    assertFalse(new DiskConverter().convert(compressed).upToDate());
    QemuImg.assertIdentical(raw, "raw", out, "qcow2");
  }

  @Test
  void qemuImgEngine() throws Exception {
    for (DiskFormat f : List.of(DiskFormat.QCOW2, DiskFormat.RAW)) {
      Path out = dir.resolve("q").resolve("vm." + f.id());
      ConversionResult r = new DiskConverter().convert(ConversionRequest.builder().source(qcow2).output(out)
          .outputFormat(f).engine(ConversionRequest.Engine.QEMU_IMG).build());
      assertEquals(DiskFormat.QCOW2, r.sourceFormat());
      QemuImg.assertIdentical(raw, "raw", out, f.id());
    }
    // The same policy as the java engine: a mislabelled file is refused before qemu-img runs.
    Path mislabelled = Files.copy(raw, dir.resolve("q.vdi"));
    assertThrows(DiskImageException.class, () -> new DiskConverter().convert(ConversionRequest.builder()
        .source(mislabelled).output(dir.resolve("q2").resolve("x.qcow2"))
        .engine(ConversionRequest.Engine.QEMU_IMG).build()));
    assertFalse(Files.exists(dir.resolve("q2").resolve("x.qcow2")));
  }

  @Test
  void singleThreadAndManyThreadsGiveTheSameFile() throws Exception {
    Path a = dir.resolve("t").resolve("one.qcow2");
    Path b = dir.resolve("t").resolve("many.qcow2");
    new DiskConverter().convert(ConversionRequest.builder().source(qcow2).output(a).threads(1).compress(true).build());
    new DiskConverter().convert(ConversionRequest.builder().source(qcow2).output(b).threads(8).compress(true).build());
    assertEquals(-1, Files.mismatch(a, b));
    QemuImg.assertCheckClean(a, "qcow2");
  }

  @Test
  void hugeEmptyDiskIsQuickAndSmall() throws Exception {
    // 100 TiB virtual, nothing written: no cluster is read, the output is a few clusters of metadata.
    Path huge = dir.resolve("huge.qcow2");
    QemuImg.ok("create", "-f", "qcow2", huge, "100T");
    Path out = dir.resolve("huge").resolve("vm.qcow2");
    long t0 = System.nanoTime();
    ConversionResult r = new DiskConverter().convert(ConversionRequest.builder().source(huge).output(out).build());
    assertTrue(System.nanoTime() - t0 < 20_000_000_000L, "took too long");
    assertEquals(100L << 40, r.virtualSize());
    assertTrue(Files.size(out) < (4L << 20), "size " + Files.size(out));
    QemuImg.assertCheckClean(out, "qcow2");
    QemuImg.assertIdentical(huge, "qcow2", out, "qcow2");
  }

  @Test
  void oddSizedDisk() throws Exception {
    // A size that is not a multiple of the cluster (or of 4 KiB), data in the last bytes; whole
    // sectors, as every disk is (a raw file of partial sectors is refused: DiskImagesTest).
    Path odd = PatternedDisk.create(dir.resolve("odd.img"), (5L << 20) + 12800, 5);
    for (DiskFormat f : List.of(DiskFormat.QCOW2, DiskFormat.RAW)) {
      Path out = dir.resolve("odd").resolve("vm." + f.id());
      ConversionResult r = new DiskConverter().convert(ConversionRequest.builder().source(odd).output(out)
          .outputFormat(f).build());
      assertEquals((5L << 20) + 12800, r.virtualSize());
      QemuImg.assertIdentical(odd, "raw", out, f.id());
    }
    QemuImg.assertCheckClean(dir.resolve("odd").resolve("vm.qcow2"), "qcow2");
  }

  @Test
  void largeSparseDiskStaysSmall() throws Exception {
    // 1.5 GiB virtual (three 512 MiB L2 ranges, data across their borders), a few MiB of data.
    Path withData = dir.resolve("big-data.raw");
    try (FileChannel ch = FileChannel.open(withData, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1 << 20);
      for (int i = 0; i < b.capacity(); i++) {
        b.put(i, (byte) (i * 31 + 7));
      }
      for (long at : new long[] {0, (512L << 20) - 4096, (1L << 30) + 12345, (1536L << 20) - (1 << 20)}) {
        ch.write(b.clear(), at);
      }
    }
    Path q = dir.resolve("big").resolve("vm.qcow2");
    new DiskConverter().convert(ConversionRequest.builder().source(withData).output(q).build());
    QemuImg.assertIdentical(withData, "raw", q, "qcow2");
    QemuImg.assertCheckClean(q, "qcow2");
    assertTrue(Files.size(q) < (8L << 20), "size " + Files.size(q));
    Path r = dir.resolve("big").resolve("vm.raw");
    new DiskConverter().convert(ConversionRequest.builder().source(q).output(r).outputFormat(DiskFormat.RAW).build());
    QemuImg.assertIdentical(withData, "raw", r, "raw");
    assertEquals(Files.size(withData), Files.size(r));
    assertTrue(DiskConverterMatrixTest.allocatedBytes(r) < (8L << 20));
  }
}
