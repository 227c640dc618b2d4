package dev.vmpackager.image;

import dev.vmpackager.io.TempPaths;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.Properties;

/**
 * Where the layer blob of the last build sits, so that {@code push} (and a rebuild of the same
 * disk) sends or copies those bytes instead of compressing the disk again: a window
 * ({@code offset}, {@code size}) of a file, which is the image tar, a blob of the OCI layout or,
 * for the registry target, a blob file in the spec's working folder. Stored as
 * {@code layer.properties} in {@link ContainerDiskSpec#cacheDirectory()}.
 *
 * <p>A record is used only when it still describes the truth: the same disk file (path, size,
 * modification time and file identity, so a disk replaced with {@code cp -p} is not served stale),
 * the same layer settings (name, time, compression, level), and the file holding the blob with
 * the size and modification time it had when the blob was written. Anything else: the layer is
 * written again.
 *
 * @param file the file holding the blob
 * @param offset where the blob starts in it
 * @param layer the blob's digests, size and compression
 */
record LayerRecord(Path file, long offset, LayerInfo layer) {

  /** The record's file name in the working folder. */
  static final String FILE_NAME = "layer.properties";

  /**
   * @param spec the image spec
   * @return the valid record for the spec's layer, if any
   */
  static Optional<LayerRecord> find(ContainerDiskSpec spec) {
    Path f = spec.cacheDirectory().resolve(FILE_NAME);
    try {
      if (!Files.isRegularFile(f)) {
        return Optional.empty();
      }
      Properties p = new Properties();
      p.load(new StringReader(Files.readString(f, StandardCharsets.UTF_8)));
      if (!key(spec).equals(p.getProperty("key"))) {
        return Optional.empty();
      }
      Path file = Path.of(p.getProperty("file"));
      if (!Files.isRegularFile(file) || !fingerprint(file).equals(p.getProperty("fileFingerprint"))) {
        return Optional.empty();
      }
      long offset = Long.parseLong(p.getProperty("offset"));
      LayerInfo layer = new LayerInfo(p.getProperty("digest"), p.getProperty("diffId"),
          Long.parseLong(p.getProperty("size")), LayerCompression.valueOf(p.getProperty("compression")));
      if (offset < 0 || offset + layer.size() > Files.size(file)) {
        return Optional.empty();
      }
      return Optional.of(new LayerRecord(file, offset, layer));
    } catch (IOException | RuntimeException damaged) {
      return Optional.empty(); // written again
    }
  }

  /**
   * Records this blob as the layer of {@code spec} (after the file holding it got its final name).
   *
   * @param spec the image spec
   */
  void store(ContainerDiskSpec spec) throws IOException {
    Properties p = new Properties();
    p.setProperty("key", key(spec));
    p.setProperty("file", file.toAbsolutePath().toString());
    p.setProperty("fileFingerprint", fingerprint(file));
    p.setProperty("offset", Long.toString(offset));
    p.setProperty("digest", layer.digest());
    p.setProperty("diffId", layer.diffId());
    p.setProperty("size", Long.toString(layer.size()));
    p.setProperty("compression", layer.compression().name());
    // Sorted, without store()'s date comment: the same layer gives the same file.
    TempPaths.writeString(spec.cacheDirectory().resolve(FILE_NAME), ContainerDiskSpec.propertiesText(
        "containerDisk layer blob written by vm-packager:containerize, read by push", p), StandardCharsets.UTF_8);
  }

  /** Everything that decides the layer blob's bytes. */
  static String key(ContainerDiskSpec spec) throws IOException {
    return spec.disk() + "|" + fingerprint(spec.disk()) + "|" + spec.diskFileName() + "|" + spec.creationTime()
        + "|" + spec.compression() + "|" + spec.compressionLevel();
  }

  private static String fingerprint(Path file) throws IOException {
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
    return a.size() + "|" + a.lastModifiedTime().toInstant() + "|" + a.fileKey();
  }
}
