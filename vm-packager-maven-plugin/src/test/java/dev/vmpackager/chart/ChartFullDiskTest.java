package dev.vmpackager.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.event.BuildListener;
import dev.vmpackager.io.DiskFullException;
import dev.vmpackager.testing.TinyTmpfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generating or packing the chart onto a full disk (a filled 3 MiB tmpfs) names the file and leaves nothing. */
class ChartFullDiskTest {

  private static final String REASON = ": the disk is full (No space left on device); free space on that file"
      + " system or write the output elsewhere, then run again";

  @TempDir Path dir;
  static TinyTmpfs tmpfs;

  @BeforeAll
  static void setUp() throws Exception {
    tmpfs = TinyTmpfs.mount("chart", "3m");
    tmpfs.fill();
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (tmpfs != null) {
      tmpfs.close();
    }
  }

  @Test
  void generateOntoAFullDisk() throws Exception {
    Path helm = tmpfs.dir().resolve("helm");
    Files.createDirectories(helm);
    ChartSpec spec = ChartTesting.cirros().build();
    DiskFullException e = assertThrows(DiskFullException.class,
        () -> new ChartGenerator(BuildListener.NONE).generate(spec, helm));
    Path written = Path.of(e.getFile());
    assertTrue(written.startsWith(helm.resolve("vm-cirros")), () -> "names a file of the chart: " + e.getFile());
    assertEquals(written + REASON, e.getMessage());
    assertEquals(List.of("helm"), tmpfs.names(), "no temp folder or partial chart left");
  }

  @Test
  void packOntoAFullDisk() throws Exception {
    Path chart = new ChartGenerator(BuildListener.NONE).generate(ChartTesting.cirros().build(), dir.resolve("helm"));
    Map<Path, byte[]> before = contents(chart);
    Path tgz = tmpfs.dir().resolve("vm-cirros-0.1.0.tgz");
    DiskFullException e = assertThrows(DiskFullException.class,
        () -> ChartPackager.pack(chart, "vm-cirros", tgz, Instant.EPOCH));
    assertEquals(tgz.toString(), e.getFile());
    assertEquals(tgz + REASON, e.getMessage());
    List<String> left = tmpfs.names();
    assertEquals(List.of(), left.stream().filter(n -> n.contains("tgz")).toList(), "no temp or partial tgz");
    Map<Path, byte[]> after = contents(chart);
    assertEquals(before.keySet(), after.keySet(), "the chart folder is unchanged");
    before.forEach((p, b) -> assertTrue(java.util.Arrays.equals(b, after.get(p)), p + " is unchanged"));
  }

  static Map<Path, byte[]> contents(Path root) throws Exception {
    Map<Path, byte[]> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        m.put(root.relativize(p), Files.readAllBytes(p));
      }
    }
    return m;
  }
}
