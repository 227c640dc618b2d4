package dev.vmpackager.publish;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

/** Small packaged charts for tests, laid out as {@code helm package} writes them. */
final class TestCharts {

  private TestCharts() {}

  /** A chart with a ConfigMap template, the given Chart.yaml. */
  static Path chartWithYaml(Path dir, String name, String chartYaml) throws IOException {
    Map<String, String> files = new LinkedHashMap<>();
    files.put(name + "/Chart.yaml", chartYaml);
    files.put(name + "/values.yaml", "greeting: hello\n");
    files.put(name + "/templates/configmap.yaml", """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {{ .Release.Name }}-cm
        data:
          greeting: {{ .Values.greeting | quote }}
        """);
    return tgz(dir, name, chartYaml, files);
  }

  /** A plain chart {@code name} at {@code version}. */
  static Path chart(Path dir, String name, String version) throws IOException {
    return chartWithYaml(dir, name, """
        apiVersion: v2
        name: %s
        description: A test chart
        type: application
        version: %s
        appVersion: "1.0.0"
        """.formatted(name, version));
  }

  static Path tgz(Path dir, String name, String chartYaml, Map<String, String> files) throws IOException {
    Files.createDirectories(dir);
    Path out = dir.resolve(name + "-" + System.nanoTime() + ".tgz");
    GzipParameters gz = new GzipParameters();
    gz.setComment("Helm");
    try (OutputStream os = Files.newOutputStream(out);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(os, gz))) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Map.Entry<String, String> f : files.entrySet()) {
        byte[] data = f.getValue().getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(f.getKey());
        e.setSize(data.length);
        e.setMode(0644);
        e.setModTime(new Date(1_767_225_600_000L));
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
      }
    }
    return out;
  }
}
