package dev.vmpackager.disk.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.testing.PatternedDisk;
import dev.vmpackager.testing.QemuImg;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every qcow2 flavour qemu-img makes (and raw), converted by the java engine to qcow2, raw and
 * compressed qcow2, judged by {@code qemu-img compare} and {@code qemu-img check}.
 */
class DiskConverterMatrixTest {

  static final long SIZE = 64L << 20;

  @TempDir
  static Path dir;

  static Path raw;

  /** name -> qemu-img convert options. */
  static final String[][] FIXTURES = {
      {"raw", null},
      {"v2.qcow2", "-o compat=0.10"},
      {"v3.qcow2", ""},
      {"deflate.qcow2", "-c"},
      {"zstd.qcow2", "-c -o compression_type=zstd"},
      {"el2.qcow2", "-o extended_l2=on,cluster_size=128k"},
      {"cs512.qcow2", "-o cluster_size=512"},
      {"cs2m.qcow2", "-o cluster_size=2M"},
      {"rc1.qcow2", "-o refcount_bits=1"},
      {"rc64.qcow2", "-o refcount_bits=64"},
      {"lazy.qcow2", "-o lazy_refcounts=on"},
      {"prealloc.qcow2", "-o preallocation=metadata"},
      {"el2zstd.qcow2", "-c -o extended_l2=on,cluster_size=64k,compression_type=zstd"},
  };

  @BeforeAll
  static void fixtures() throws Exception {
    raw = PatternedDisk.create(dir.resolve("src.raw"), SIZE, 42);
    for (String[] f : FIXTURES) {
      if (f[1] == null) {
        continue;
      }
      List<String> opts = new ArrayList<>();
      for (String o : f[1].split(" ")) {
        if (!o.isEmpty()) {
          opts.add(o);
        }
      }
      QemuImg.convert(raw, dir.resolve(f[0]), "qcow2", opts.toArray(String[]::new));
    }
  }

  static Stream<Arguments> cases() {
    List<Arguments> a = new ArrayList<>();
    for (String[] f : FIXTURES) {
      a.add(Arguments.of(f[0], "qcow2", false));
      a.add(Arguments.of(f[0], "raw", false));
      a.add(Arguments.of(f[0], "qcow2", true));
    }
    return a.stream();
  }

  @ParameterizedTest(name = "{0} -> {1} compress={2}")
  @MethodSource("cases")
  void convertsIdentically(String fixture, String format, boolean compress) throws Exception {
    Path src = fixture.equals("raw") ? raw : dir.resolve(fixture);
    Path out = dir.resolve("out").resolve(fixture + (compress ? ".c." : ".") + format);
    ConversionResult r = new DiskConverter().convert(ConversionRequest.builder()
        .source(src)
        .output(out)
        .outputFormat(DiskFormat.fromId(format).orElseThrow())
        .compress(compress)
        .build());
    assertEquals(SIZE, r.virtualSize());
    assertEquals(fixture.equals("raw") ? DiskFormat.RAW : DiskFormat.QCOW2, r.sourceFormat());
    QemuImg.assertIdentical(raw, "raw", out, format);
    QemuImg.assertIdentical(src, fixture.equals("raw") ? "raw" : "qcow2", out, format);
    if (format.equals("qcow2")) {
      QemuImg.assertCheckClean(out, "qcow2");
    } else {
      assertEquals(SIZE, Files.size(out));
      long allocated = allocatedBytes(out);
      assertTrue(allocated < (4L << 20), "raw output should be sparse, but " + allocated + " bytes are allocated");
    }
    try (Stream<Path> left = Files.list(out.getParent())) {
      assertTrue(left.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temp file left behind");
    }
  }

  @Test
  void qcow2OutputIsDeterministicAndCompact() throws Exception {
    Path a = dir.resolve("det").resolve("a.qcow2");
    Path b = dir.resolve("det").resolve("b.qcow2");
    for (Path p : List.of(a, b)) {
      new DiskConverter().convert(ConversionRequest.builder().source(raw).output(p).threads(4).build());
    }
    assertEquals(-1, Files.mismatch(a, b), "same input must give the same bytes");
    // Data is ~1.1 MiB in ~40 clusters: the file must stay small (no preallocated waste).
    assertTrue(Files.size(a) < (4L << 20), "qcow2 output is " + Files.size(a) + " bytes");
    String info = QemuImg.ok("info", "--output=json", "-f", "qcow2", a);
    assertTrue(info.contains("\"cluster-size\": 65536"), info);
    assertTrue(info.contains("\"compat\": \"1.1\""), info);
    Path c = dir.resolve("det").resolve("c.qcow2");
    new DiskConverter().convert(ConversionRequest.builder().source(raw).output(c).compress(true).build());
    assertTrue(Files.size(c) < Files.size(a), "compressed output should be smaller");
  }

  static long allocatedBytes(Path p) throws IOException, InterruptedException {
    Process proc = new ProcessBuilder("stat", "-c", "%b %B", p.toString()).redirectErrorStream(true).start();
    String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertEquals(0, proc.waitFor(), out);
    String[] parts = out.split(" ");
    return Long.parseLong(parts[0]) * Long.parseLong(parts[1]);
  }
}
