package dev.vmpackager.disk.qcow2;

import static dev.vmpackager.testing.ChainChecks.assertConversionRefused;
import static dev.vmpackager.testing.ChainChecks.assertConvertsLikeQemu;
import static dev.vmpackager.testing.ChainChecks.qemuIo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.disk.CorruptImageException;
import dev.vmpackager.disk.DiskExtent;
import dev.vmpackager.disk.DiskImages;
import dev.vmpackager.disk.DiskOpenOptions;
import dev.vmpackager.disk.OpenedDisk;
import dev.vmpackager.testing.DriverChecks;
import dev.vmpackager.testing.QemuImg;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * qcow2 overlays over bases of every format qemu-img takes as a backing file, through the shared
 * backing-file rules, converted exactly as qemu-img reads them.
 */
class Qcow2BackingFileTest {

  @TempDir
  static Path dir;

  static Path source;

  @BeforeAll
  static void fixtures() throws Exception {
    source = DriverChecks.patternedSource(dir);
  }

  @ParameterizedTest
  @ValueSource(strings = {"raw", "qcow2", "vmdk", "vdi", "vhdx"})
  void overlayLargerThanItsBase(String baseFormat) throws Exception {
    Path sub = Files.createDirectories(dir.resolve("base-" + baseFormat));
    QemuImg.convert(source, sub.resolve("base." + baseFormat), baseFormat);
    Path overlay = sub.resolve("overlay.qcow2");
    QemuImg.ok("create", "-q", "-f", "qcow2", "-b", "base." + baseFormat, "-F", baseFormat, overlay, "96M");
    qemuIo(overlay, "qcow2", "write -P 0xab 1000k 200k", "write -z 5M 128k", "write -P 0x11 63M 2M",
        "write -P 0x12 80M 4k");
    assertConvertsLikeQemu(overlay, "qcow2", dir.resolve("work-" + baseFormat));
    try (OpenedDisk d = DiskImages.open(overlay, null, new DiskOpenOptions(true))) {
      // The base's map shows through: its hole between 2 MiB and 3 MiB is known zeros, not data to
      // read (raw has no map, and vhdx's 8 MiB block there holds data).
      DiskExtent hole = d.reader().extentAt(2L << 20);
      assertTrue(hole.zero() || baseFormat.equals("raw") || baseFormat.equals("vhdx"), () -> "the base's hole: " + hole);
      DiskExtent tail = d.reader().extentAt(70L << 20);
      assertTrue(tail.zero(), () -> "past the base's end: " + tail);
    }
  }

  @Test
  void threeDeepChainAndDepthLimit() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("deep"));
    QemuImg.convert(source, sub.resolve("c0.qcow2"), "qcow2");
    for (int i = 1; i <= 16; i++) {
      Path c = sub.resolve("c" + i + ".qcow2");
      QemuImg.ok("create", "-q", "-f", "qcow2", "-b", "c" + (i - 1) + ".qcow2", "-F", "qcow2", c);
      if (i <= 2) {
        qemuIo(c, "qcow2", "write -P 0x" + (30 + i) + " " + i + "M 300k", "write -z " + (i * 10) + "M 1M");
      }
    }
    assertConvertsLikeQemu(sub.resolve("c2.qcow2"), "qcow2", dir.resolve("work-deep"));
    // Each step down the chain caches half as many L2 tables (at least 4): 16 images stay under
    // 2 x 32 MiB plus the floor, where a cache of 32 MiB each would allow 512 MiB.
    try (OpenedDisk d = DiskImages.open(sub.resolve("c15.qcow2"), null, new DiskOpenOptions(true))) {
      long cacheBytes = 0;
      int position = 1;
      for (Qcow2Reader r = (Qcow2Reader) d.reader(); r != null; position++) {
        assertEquals(Math.max(4, (Qcow2Reader.CACHE_BYTES >> (position - 1)) / (64 << 10)), r.cacheCapacity(),
            "L2 cache of chain image " + position);
        cacheBytes += r.cacheCapacity() * (64L << 10);
        r = r.backingFile() == null ? null : (Qcow2Reader) r.backingFile().disk().reader();
      }
      assertEquals(17, position, "16 images walked");
      long bound = 2 * Qcow2Reader.CACHE_BYTES + 16 * 4 * (64L << 10);
      long total = cacheBytes;
      assertTrue(total <= bound, () -> "the chain's caches together: " + total + " > " + bound);
    }
    assertConversionRefused(sub.resolve("c16.qcow2"), true, CorruptImageException.class, dir.resolve("work-depth"),
        "deeper than 16");
  }
}
