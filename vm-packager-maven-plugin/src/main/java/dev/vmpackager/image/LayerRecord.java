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
 * Where the layer blob of the last build of one image sits, so that {@code push} sends those bytes
 * and a rebuild of the same disk copies them instead of compressing the disk again: a window
 * ({@code offset}, {@code size}) of a file, which is the image tar, a blob of the OCI layout or,
 * for the registry target, a blob file in the spec's working folder. Stored as
 * {@code layer.properties} in {@link ContainerDiskSpec#cacheDirectory()}, the image's own state
 * folder ({@link ImageState}), with the reference of the image it was written for.
 *
 * <p>A record describes the truth only while nothing changed: the same disk file (path, size,
 * modification time and file identity, so a disk replaced with {@code cp -p} is not served stale),
 * the same layer settings (name, time, compression, level), and the file holding the blob with
 * the size, modification time and identity it had when the blob was written. A rebuild that finds
 * anything else writes the layer again ({@link #find}); {@code push} refuses it and says what
 * changed ({@link #require}).
 *
 * @param file the file holding the blob
 * @param offset where the blob starts in it
 * @param layer the blob's digests, size and compression
 * @param image the reference of the image the blob was written for, empty in a record not yet stored
 */
record LayerRecord(Path file, long offset, LayerInfo layer, String image) {

  /** The record's file name in the working folder. */
  static final String FILE_NAME = "layer.properties";

  /** A blob just written, not yet recorded for an image. */
  LayerRecord(Path file, long offset, LayerInfo layer) {
    this(file, offset, layer, "");
  }

  /**
   * @param spec the image spec
   * @return the valid record for the spec's layer, if any
   */
  static Optional<LayerRecord> find(ContainerDiskSpec spec) {
    try {
      return Optional.of(require(spec));
    } catch (ImageException stale) {
      return Optional.empty(); // written again
    }
  }

  /**
   * The record, checked against the spec and the files it names.
   *
   * @param spec the image spec
   * @return the record, when it still describes the spec's layer
   * @throws ImageException saying what is missing or what changed since the blob was written
   */
  static LayerRecord require(ContainerDiskSpec spec) throws ImageException {
    Path f = spec.cacheDirectory().resolve(FILE_NAME);
    if (!Files.isRegularFile(f)) {
      throw new ImageException("no layer is recorded (" + f + " does not exist)");
    }
    if (!Files.isRegularFile(spec.disk())) {
      throw new ImageException("the disk " + spec.disk() + " does not exist any more");
    }
    try {
      Properties p = new Properties();
      p.load(new StringReader(Files.readString(f, StandardCharsets.UTF_8)));
      String disk = required(p, "disk", f);
      if (!disk.equals(spec.disk().toString())) {
        throw new ImageException("the layer recorded in " + f + " was written from the disk " + disk + ", not from "
            + spec.disk());
      }
      String diskNow = fingerprint(spec.disk());
      String diskThen = required(p, "diskFingerprint", f);
      if (!diskNow.equals(diskThen)) {
        throw new ImageException("the disk " + spec.disk() + " changed since its layer was written (size|time|file id "
            + diskThen + ", now " + diskNow + "; converted again, or by another execution into the same file)");
      }
      String settingsNow = settings(spec);
      String settingsThen = required(p, "settings", f);
      if (!settingsNow.equals(settingsThen)) {
        throw new ImageException("the layer recorded in " + f + " was written with other settings (name|time|"
            + "compression|level " + settingsThen + ", now " + settingsNow + ")");
      }
      Path file = Path.of(required(p, "file", f));
      if (!Files.isRegularFile(file)) {
        throw new ImageException("the file " + file + " that held the layer is gone (deleted or moved)");
      }
      String fileNow = fingerprint(file);
      String fileThen = required(p, "fileFingerprint", f);
      if (!fileNow.equals(fileThen)) {
        throw new ImageException("the file " + file + " that held the layer changed since the layer was written"
            + " (size|time|file id " + fileThen + ", now " + fileNow + "; written again by another build, or by another"
            + " execution with the same output)");
      }
      long offset = Long.parseLong(required(p, "offset", f));
      LayerInfo layer = new LayerInfo(required(p, "digest", f), required(p, "diffId", f),
          Long.parseLong(required(p, "size", f)), LayerCompression.valueOf(required(p, "compression", f)));
      if (offset < 0 || offset + layer.size() > Files.size(file)) {
        throw new ImageException(f + " is damaged: the layer at " + offset + " (" + layer.size() + " bytes) lies past"
            + " the end of " + file);
      }
      return new LayerRecord(file, offset, layer, p.getProperty("image", ""));
    } catch (IOException | RuntimeException damaged) {
      throw new ImageException(f + " is damaged or unreadable (" + damaged.getMessage() + ")", damaged);
    }
  }

  /**
   * Records this blob as the layer of {@code spec} (after the file holding it got its final name).
   *
   * @param spec the image spec
   * @param image the reference of the image the blob was written for
   */
  void store(ContainerDiskSpec spec, String image) throws IOException {
    Properties p = new Properties();
    p.setProperty("image", image);
    p.setProperty("disk", spec.disk().toString());
    p.setProperty("diskFingerprint", fingerprint(spec.disk()));
    p.setProperty("settings", settings(spec));
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

  /**
   * @param folder an image's state folder
   * @return the image reference its layer record names, if there is a readable record
   */
  static Optional<String> recordedImage(Path folder) {
    Path f = folder.resolve(FILE_NAME);
    try {
      Properties p = new Properties();
      p.load(new StringReader(Files.readString(f, StandardCharsets.UTF_8)));
      return Optional.ofNullable(p.getProperty("image")).filter(s -> !s.isEmpty());
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The layer settings that decide the blob's bytes besides the disk. */
  private static String settings(ContainerDiskSpec spec) {
    return spec.diskFileName() + "|" + spec.creationTime() + "|" + spec.compression() + "|" + spec.compressionLevel();
  }

  private static String required(Properties p, String key, Path f) throws ImageException {
    String v = p.getProperty(key);
    if (v == null) {
      throw new ImageException(f + " is damaged: '" + key + "' is missing");
    }
    return v;
  }

  private static String fingerprint(Path file) throws IOException {
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
    return a.size() + "|" + a.lastModifiedTime().toInstant() + "|" + a.fileKey();
  }
}
