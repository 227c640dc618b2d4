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
 * Sources whose data the converter maps from the image file (raw, qcow2, vdi, dynamic and fixed
 * vhd) give the same bytes as when every byte is read through the reader, on a disk whose size is
 * not a multiple of any block size, and match the source under {@code qemu-img compare}.
 */
class MappedSourceTest {

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
  }

  static Stream<Arguments> cases() {
    return Stream.of("src.raw", "src.qcow2", "src.vdi", "dyn.vhd", "fixed.vhd")
        .flatMap(s -> Stream.of(Arguments.of(s, "raw"), Arguments.of(s, "qcow2")));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("cases")
  void mappedEqualsRead(String source, String format) throws Exception {
    Path src = dir.resolve(source);
    DiskFormat out = DiskFormat.fromId(format).orElseThrow();
    Path mapped = dir.resolve("m-" + source + "." + format);
    Path read = dir.resolve("r-" + source + "." + format);
    for (Path p : new Path[] {mapped, read}) {
      try (OpenedDisk disk = DiskImages.open(src, null, new DiskOpenOptions(false))) {
        ProgressReporter progress = ProgressReporter.start(BuildListener.NONE, "t", disk.reader().virtualSize());
        JavaConversion c = new JavaConversion(disk.reader(), p == mapped ? src : null, out, false, 3, progress);
        c.run(p);
        if (p == mapped) {
          assertTrue(c.mappedWindows() > 0, "no window was mapped");
        }
      }
    }
    assertEquals(-1, Files.mismatch(mapped, read), "mapping must not change the output");
    QemuImg.assertIdentical(src, source.endsWith(".raw") ? "raw" : source.endsWith(".vhd") ? "vpc"
        : source.substring(source.indexOf('.') + 1), mapped, format);
    if (format.equals("qcow2")) {
      QemuImg.assertCheckClean(mapped, "qcow2");
    }
  }
}
