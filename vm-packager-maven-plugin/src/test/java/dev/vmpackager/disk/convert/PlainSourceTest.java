package dev.vmpackager.disk.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImages;
import dev.vmpackager.disk.DiskOpenOptions;
import dev.vmpackager.disk.OpenedDisk;
import dev.vmpackager.event.BuildListener;
import dev.vmpackager.event.ProgressReporter;
import dev.vmpackager.testing.PatternedDisk;
import dev.vmpackager.testing.QemuImg;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sources that keep their data uncompressed (raw, qcow2, vdi, dynamic and fixed vhd, vhdx, qed)
 * convert to raw and qcow2 outputs that match the source under {@code qemu-img compare}, on a disk
 * whose size is not a multiple of any block size, from 1 and 3 workers alike; and exactly the
 * blocks holding a non-zero byte are stored.
 */
class PlainSourceTest {

  /** 40 MiB + 3.5 KiB: partial last block and cluster; data runs start mid-block. */
  static final long SIZE = (40L << 20) + 3584;

  @TempDir
  static Path dir;

  static Path raw;

  @BeforeAll
  static void fixtures() throws Exception {
    raw = PatternedDisk.create(dir.resolve("src.raw"), SIZE, 7);
    QemuImg.convert(raw, dir.resolve("src.qcow2"), "qcow2");
    QemuImg.convert(raw, dir.resolve("src.vdi"), "vdi");
    QemuImg.convert(raw, dir.resolve("dyn.vhd"), "vpc", "-o", "subformat=dynamic,force_size=on");
    QemuImg.convert(raw, dir.resolve("fixed.vhd"), "vpc", "-o", "subformat=fixed,force_size=on");
    QemuImg.convert(raw, dir.resolve("src.vhdx"), "vhdx");
    QemuImg.convert(raw, dir.resolve("src.qed"), "qed");
  }

  static Stream<Arguments> cases() {
    return Stream.of("src.raw", "src.qcow2", "src.vdi", "dyn.vhd", "fixed.vhd", "src.vhdx", "src.qed")
        .flatMap(s -> Stream.of(Arguments.of(s, "raw"), Arguments.of(s, "qcow2")));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("cases")
  void convertsToTheSourcesBytes(String source, String format) throws Exception {
    Path src = dir.resolve(source);
    DiskFormat out = DiskFormat.fromId(format).orElseThrow();
    Path one = dir.resolve("1-" + source + "." + format);
    Path three = dir.resolve("3-" + source + "." + format);
    for (Path p : new Path[] {one, three}) {
      try (OpenedDisk disk = DiskImages.open(src, null, new DiskOpenOptions(false))) {
        ProgressReporter progress = ProgressReporter.start(BuildListener.NONE, "t", disk.reader().virtualSize());
        new JavaConversion(disk.reader(), out, false, p == one ? 1 : 3, progress).run(p);
      }
    }
    assertEquals(-1, Files.mismatch(one, three), "the worker count must not change the output");
    QemuImg.assertIdentical(src, source.endsWith(".raw") ? "raw" : source.endsWith(".vhd") ? "vpc"
        : source.substring(source.indexOf('.') + 1), one, format);
    if (format.equals("qcow2")) {
      QemuImg.assertCheckClean(one, "qcow2");
    }
  }

  /**
   * Blocks whose only non-zero byte is late (last byte, middle, byte 8) are data; all-zero blocks
   * between data are holes (raw) or unallocated clusters (qcow2).
   */
  @ParameterizedTest(name = "-> {0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"raw", "qcow2"})
  void lateNonZeroBytesAndZeroBlocksAmidData(String format) throws Exception {
    int cs = 64 << 10;
    long size = 24L << 20;
    Path src = dir.resolve("late-" + format + ".raw");
    byte[] disk = new byte[(int) size];
    java.util.Random r = new java.util.Random(11);
    // 0-4 MiB: random data, except an all-zero cluster at 1 MiB and an all-zero 4 KiB block at 2 MiB.
    for (int i = 0; i < (4 << 20); i++) {
      disk[i] = (byte) (r.nextInt(255) + 1);
    }
    java.util.Arrays.fill(disk, 1 << 20, (1 << 20) + cs, (byte) 0);
    java.util.Arrays.fill(disk, 2 << 20, (2 << 20) + 4096, (byte) 0);
    // 8 MiB on: zero blocks with one late non-zero byte (last byte, middle, byte 8) every other cluster.
    for (int c = 0; c < 32; c += 2) {
      int base = (8 << 20) + c * cs;
      int[] at = {cs - 1, cs / 2 + 5, 8, 4096 + 4095};
      disk[base + at[(c / 2) % at.length]] = 42;
    }
    // 16 MiB on: a zero-led stretch followed by data up to a 4 KiB boundary inside a cluster.
    for (int i = (16 << 20) + 4096 * 3 + 100; i < (16 << 20) + 4096 * 9; i++) {
      disk[i] = (byte) (i * 31 + 7 | 1);
    }
    Files.write(src, disk);
    Path converted = dir.resolve("late." + format);
    DiskFormat out = DiskFormat.fromId(format).orElseThrow();
    try (OpenedDisk d = DiskImages.open(src, null, new DiskOpenOptions(false))) {
      ProgressReporter progress = ProgressReporter.start(BuildListener.NONE, "t", d.reader().virtualSize());
      new JavaConversion(d.reader(), out, false, 2, progress).run(converted);
    }
    QemuImg.assertIdentical(src, "raw", converted, format);
    // Exactly the blocks with a non-zero byte are stored: 4 MiB of data less the two zero
    // blocks, 16 one-byte clusters, and 6 blocks at 16 MiB.
    long unit = format.equals("raw") ? 4096 : cs;
    long expected = format.equals("raw")
        ? (4L << 20) - cs - 4096 + 16 * 4096 + 6 * 4096
        : (4L << 20) - cs + 16L * cs + cs;
    String map = QemuImg.ok("map", "--output=json", "-f", format, converted.toString());
    long data = 0;
    for (String line : map.split("\\n")) {
      if (line.contains("\"data\": true")) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"length\": (\\d+)").matcher(line);
        assertTrue(m.find(), line);
        data += Long.parseLong(m.group(1));
      }
    }
    assertEquals(expected, data, "stored bytes (" + unit + "-byte units), map: " + map);
  }
}
