package dev.vmpackager.disk.convert;

import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageException;
import dev.vmpackager.disk.vmdk.VmdkDriver;
import dev.vmpackager.io.TempPaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The fingerprint of a successful conversion, kept beside the output as
 * {@code .<output file name>.state}: the source's path, size, modification time and the CRC-32C of
 * its first 64 KiB, the same for each extent file a VMDK descriptor names (a multi-file VMDK is one
 * disk), the request's settings and the output's size and time. When all of it matches, converting
 * again would give the same file. Sources allowed to reference other files (backing chains) are
 * always converted, since those files are not fingerprinted.
 */
final class ConversionState {

  /** Bumped when the converter's output for the same input changes. */
  private static final String WRITER_VERSION = "2";

  private final Map<String, String> values;

  private ConversionState(Map<String, String> values) {
    this.values = values;
  }

  /** @return where the state of this request's output is kept */
  static Path file(ConversionRequest req) {
    Path out = req.output();
    return out.resolveSibling("." + out.getFileName() + ".state");
  }

  /** The fingerprint of the request's source and settings (not yet of the output). */
  static ConversionState of(ConversionRequest req) throws IOException {
    Map<String, String> v = new TreeMap<>();
    Path src = req.source();
    v.put("writer", WRITER_VERSION);
    v.put("source", src.toString());
    v.put("source.size", Long.toString(Files.size(src)));
    v.put("source.mtime", Long.toString(Files.getLastModifiedTime(src).toMillis()));
    v.put("source.head.crc32c", headCrc32c(src));
    if (req.sourceFormat() == null || req.sourceFormat() == DiskFormat.VMDK) {
      putExtents(v, src);
    }
    v.put("sourceFormat", req.sourceFormat() == null ? "auto" : req.sourceFormat().id());
    v.put("format", req.outputFormat().id());
    v.put("compress", Boolean.toString(req.compress()));
    v.put("engine", req.engine().id());
    v.put("allowExternalReferences", Boolean.toString(req.allowExternalReferences()));
    if (!req.ovaEntry().isEmpty()) {
      // Only when set: the state of a one-disk conversion stays as it was.
      v.put("ovaEntry", req.ovaEntry());
    }
    return new ConversionState(v);
  }

  /**
   * Fingerprints the extent files of a VMDK text descriptor, as the reader resolves them. Keys are
   * numbered (names may hold spaces, which end a key in a properties file). A name the reader would
   * refuse is recorded as such: the conversion then fails and no state is saved.
   */
  private static void putExtents(Map<String, String> v, Path src) throws IOException {
    List<Path> extents;
    try {
      extents = VmdkDriver.extentFiles(src);
    } catch (DiskImageException e) {
      v.put("extents.error", String.valueOf(e.getMessage()));
      return;
    }
    for (int i = 0; i < extents.size(); i++) {
      Path e = extents.get(i);
      String key = "extent." + (i + 1);
      v.put(key + ".path", e.toString());
      v.put(key + ".size", Long.toString(Files.size(e)));
      v.put(key + ".mtime", Long.toString(Files.getLastModifiedTime(e).toMillis()));
      v.put(key + ".head.crc32c", headCrc32c(e));
    }
  }

  /** @return this state plus the output's size and modification time */
  ConversionState withOutput(Path output) throws IOException {
    Map<String, String> v = new TreeMap<>(values);
    v.put("output.size", Long.toString(Files.size(output)));
    v.put("output.mtime", Long.toString(Files.getLastModifiedTime(output).toMillis()));
    return new ConversionState(v);
  }

  /** @return whether the output exists and was made by the same conversion of the same source */
  boolean upToDate(ConversionRequest req) {
    if (req.allowExternalReferences()) {
      // Backing files are not fingerprinted: always convert.
      return false;
    }
    Path out = req.output();
    Path stateFile = file(req);
    if (!Files.isRegularFile(out) || !Files.isRegularFile(stateFile)) {
      return false;
    }
    try (InputStream in = Files.newInputStream(stateFile)) {
      Properties p = new Properties();
      p.load(in);
      Map<String, String> saved = new TreeMap<>();
      p.stringPropertyNames().forEach(k -> saved.put(k, p.getProperty(k)));
      return saved.equals(withOutput(out).values);
    } catch (IOException | IllegalArgumentException e) {
      return false;
    }
  }

  /** Writes the state file (atomically). */
  void save(Path stateFile) throws IOException {
    StringBuilder sb = new StringBuilder("# vm-packager convert: the last successful conversion\n");
    for (Map.Entry<String, String> e : values.entrySet()) {
      sb.append(e.getKey()).append('=').append(escape(e.getValue())).append('\n');
    }
    TempPaths.writeString(stateFile, sb.toString(), StandardCharsets.ISO_8859_1);
  }

  private static String escape(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c == '\\' || c == ':' || c == '=' || c == '#' || c == '!') {
        b.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7e) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /**
   * A change detector beside size and time, not a security check: CRC-32C needs no security
   * provider and runs as an intrinsic even interpreted, where SHA-256 cost tens of milliseconds
   * of a fresh JVM's start.
   */
  private static String headCrc32c(Path src) throws IOException {
    try (FileChannel ch = FileChannel.open(src, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate((int) Math.min(65536, ch.size()));
      while (b.hasRemaining() && ch.read(b, b.position()) >= 0) {
        // fill
      }
      b.flip();
      CRC32C crc = new CRC32C();
      crc.update(b);
      return Long.toHexString(crc.getValue());
    }
  }
}
