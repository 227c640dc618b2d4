package dev.vmpackager.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vmpackager.chart.ChartPackager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The push reads the archives the chart goal writes (gzip header with Helm's extra field included). */
class ChartArchiveTest {

  @TempDir Path dir;

  @Test
  void readsAChartPackagedByTheChartGoal() throws Exception {
    Path chart = Files.createDirectories(dir.resolve("demo-vm/templates"));
    Files.writeString(chart.resolveSibling("Chart.yaml"),
        "apiVersion: v2\nname: demo-vm\nversion: 1.0.0-SNAPSHOT\ndescription: A VM\n");
    Files.writeString(chart.resolveSibling("values.yaml"), "vm: {}\n");
    Files.writeString(chart.resolve("configmap.yaml"), "kind: ConfigMap\n");
    Path tgz = dir.resolve("demo-vm-1.0.0-SNAPSHOT.tgz");
    ChartPackager.pack(chart.getParent(), "demo-vm", tgz, Instant.EPOCH);

    ChartMetadata meta = ChartArchive.readMetadata(tgz);
    assertEquals("demo-vm", meta.name());
    assertEquals("1.0.0-SNAPSHOT", meta.version());
  }
}
