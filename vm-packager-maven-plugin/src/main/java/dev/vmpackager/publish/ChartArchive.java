package dev.vmpackager.publish;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** Reads the {@code <name>/Chart.yaml} of a packaged chart ({@code .tgz}) as Helm's archive loader does. */
final class ChartArchive {

  /** Helm's own limit for a single file of a chart is far larger; Chart.yaml is never this big. */
  static final int MAX_CHART_YAML = 1 << 20;

  private ChartArchive() {}

  /**
   * @param tgz the packaged chart
   * @return the parsed, validated metadata
   * @throws PublishException naming the file if it is missing, not a gzip tar, unsafe, or has no Chart.yaml
   */
  static ChartMetadata readMetadata(Path tgz) throws PublishException {
    String found = null;
    String yaml = null;
    try (InputStream in = Files.newInputStream(tgz);
        TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(in))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        String n = e.getName().replace('\\', '/');
        if (n.startsWith("/") || n.equals("..") || n.startsWith("../") || n.contains("/../") || n.endsWith("/..")) {
          throw new PublishException("The chart " + tgz + " illegally contains content outside the base directory: "
              + e.getName());
        }
        String[] parts = n.split("/");
        if (e.isFile() && parts.length == 2 && parts[1].equals("Chart.yaml")) {
          if (found != null) {
            throw new PublishException("The chart " + tgz + " has more than one top-level Chart.yaml: " + found
                + " and " + n);
          }
          if (e.getSize() > MAX_CHART_YAML) {
            throw new PublishException("The chart " + tgz + " has a " + e.getSize() + "-byte " + n
                + ", more than the " + MAX_CHART_YAML + " bytes a Chart.yaml may have");
          }
          found = n;
          yaml = readBounded(tar, tgz, n);
        }
      }
    } catch (NoSuchFileException e) {
      throw new PublishException("The chart package " + tgz + " does not exist; run vm-packager:chart first", e);
    } catch (PublishException e) {
      throw e;
    } catch (IOException e) {
      throw new PublishException("The chart package " + tgz + " is not a readable gzip-compressed tar: "
          + e.getMessage(), e);
    }
    if (yaml == null) {
      throw new PublishException("The chart package " + tgz + " has no <name>/Chart.yaml (Chart.yaml file is missing)");
    }
    return ChartMetadata.parse(yaml, tgz + "!" + found);
  }

  private static String readBounded(InputStream in, Path tgz, String entry) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    int n;
    while ((n = in.read(buf)) > 0) {
      if (out.size() + n > MAX_CHART_YAML) {
        throw new PublishException("The chart " + tgz + " has a " + entry + " larger than " + MAX_CHART_YAML + " bytes");
      }
      out.write(buf, 0, n);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
