package dev.vmpackager.disk.qcow2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.disk.DiskExtent;
import dev.vmpackager.disk.DiskImages;
import dev.vmpackager.disk.DiskOpenOptions;
import dev.vmpackager.disk.OpenedDisk;
import dev.vmpackager.testing.PatternedDisk;
import dev.vmpackager.testing.QemuImg;
import dev.vmpackager.testing.ReaderDump;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Valid but unusual qcow2 images: dirty, with snapshots, zero clusters; and concurrent reads. */
class Qcow2ReaderTest {

  @TempDir
  static Path dir;

  static Path raw;
  static Path good;

  @BeforeAll
  static void fixtures() throws Exception {
    Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
    raw = PatternedDisk.create(dir.resolve("src.raw"), 64L << 20, 9);
    good = dir.resolve("good.qcow2");
    QemuImg.convert(raw, good, "qcow2");
  }

  private static void qemuIo(Path image, String command) throws Exception {
    Process p = new ProcessBuilder("qemu-io", "-f", "qcow2", "-c", command, image.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
  }

  private static void assertReadsLike(Path image, String format) throws Exception {
    Path dump = dir.resolve(image.getFileName() + ".dump.raw");
    try (OpenedDisk d = DiskImages.open(image, null, DiskOpenOptions.DEFAULT)) {
      ReaderDump.toRaw(d.reader(), dump);
    }
    QemuImg.assertIdentical(image, format, dump, "raw");
  }

  @Test
  void dirtyImageIsRead() throws Exception {
    Path p = dir.resolve("dirty.qcow2");
    Files.copy(good, p, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(8).putLong(0, Qcow2Header.INCOMPAT_DIRTY), 72);
    }
    Path dump = dir.resolve("dirty.raw");
    try (OpenedDisk d = DiskImages.open(p, null, DiskOpenOptions.DEFAULT)) {
      ReaderDump.toRaw(d.reader(), dump);
    }
    assertEquals(-1, Files.mismatch(raw, dump));
  }

  @Test
  void snapshotsReadTheActiveState() throws Exception {
    Path p = dir.resolve("snap.qcow2");
    Files.copy(good, p, StandardCopyOption.REPLACE_EXISTING);
    QemuImg.ok("snapshot", "-c", "before", p);
    qemuIo(p, "write -P 0x5a 2M 300k");
    qemuIo(p, "write -z 33M 64k");
    assertTrue(QemuImg.ok("info", p).contains("before"));
    assertReadsLike(p, "qcow2");
  }

  @Test
  void zeroClustersAreZeroExtents() throws Exception {
    Path p = dir.resolve("zero.qcow2");
    Files.copy(good, p, StandardCopyOption.REPLACE_EXISTING);
    qemuIo(p, "write -z 0 1M");
    try (OpenedDisk d = DiskImages.open(p, null, DiskOpenOptions.DEFAULT)) {
      DiskExtent e = d.reader().extentAt(0);
      assertTrue(e.zero(), e.toString());
      assertTrue(e.length() >= (1 << 20), e.toString());
    }
    assertReadsLike(p, "qcow2");
  }

  @Test
  void concurrentReadsAgree() throws Exception {
    Path comp = dir.resolve("comp2k.qcow2");
    QemuImg.convert(raw, comp, "qcow2", "-c", "-o", "cluster_size=2k");
    byte[] expected = Files.readAllBytes(raw);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (OpenedDisk d = DiskImages.open(comp, null, DiskOpenOptions.DEFAULT)) {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        long seed = t;
        futures.add(pool.submit(() -> {
          SplittableRandom r = new SplittableRandom(seed);
          for (int i = 0; i < 400; i++) {
            int len = 1 + r.nextInt(200_000);
            long at = r.nextLong(expected.length - len);
            ByteBuffer b = ByteBuffer.allocate(len);
            d.reader().read(b, at);
            assertEquals(-1, ByteBuffer.wrap(expected, (int) at, len).mismatch(b.flip()), "at " + at + "+" + len);
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
