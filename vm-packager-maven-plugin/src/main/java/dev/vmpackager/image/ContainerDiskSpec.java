package dev.vmpackager.image;

import dev.vmpackager.io.ParallelZstdOutputStream;
import dev.vmpackager.io.TempPaths;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Everything that decides the containerDisk image's bytes: the disk and its name under
 * {@code /disk/}, the platforms, the manifest format, the layer compression, the timestamp, the
 * labels, annotations and environment, and the working folder. Two equal specs over the same disk give the
 * same digest.
 *
 * <p>{@code containerize} {@linkplain #store(Path) stores} the spec it built in the image's own state
 * folder ({@link ImageState}), and {@code push} {@linkplain #load(Path) loads} it from the folder of
 * the image it pushes, so the pushed image is the one built for that reference and the layer blob
 * {@code containerize} wrote is pushed, not compressed again.
 */
public final class ContainerDiskSpec {

  /** The file, in the image's state folder ({@link ImageState}), where {@code containerize} stores its spec. */
  public static final String FILE_NAME = "containerdisk.properties";

  /**
   * The default deflate level. Level 1 deflates text and binaries about 4 times faster than level 6
   * for an output about 15% larger; already-compressed data is stored whatever the level.
   */
  public static final int DEFAULT_COMPRESSION_LEVEL = 1;

  /** The default zstd level: {@code zstd}'s own default, 3 (faster than gzip level 1 and smaller). */
  public static final int DEFAULT_ZSTD_LEVEL = ParallelZstdOutputStream.DEFAULT_LEVEL;

  private static final Pattern FILE_NAME_PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final Path disk;
  private final String diskFileName;
  private final List<ImagePlatform> platforms;
  private final ManifestFormat format;
  private final LayerCompression compression;
  private final int compressionLevel;
  private final Instant creationTime;
  private final SortedMap<String, String> labels;
  private final SortedMap<String, String> environment;
  private final SortedMap<String, String> annotations;
  private final Path cacheDirectory;

  private ContainerDiskSpec(Builder b) {
    this.disk = Objects.requireNonNull(b.disk, "disk").toAbsolutePath().normalize();
    this.diskFileName = b.diskFileName == null ? disk.getFileName().toString() : b.diskFileName;
    if (!FILE_NAME_PATTERN.matcher(diskFileName).matches() || diskFileName.length() > 200) {
      throw new IllegalArgumentException("the disk's file name in the image '" + diskFileName
          + "' must be letters, digits, '.', '_' and '-' (it is the VM name plus the format)");
    }
    this.platforms = List.copyOf(b.platforms.isEmpty() ? List.of(ImagePlatform.LINUX_AMD64) : b.platforms);
    this.format = Objects.requireNonNull(b.format, "format");
    this.compression = Objects.requireNonNull(b.compression, "compression");
    if (format == ManifestFormat.DOCKER && compression == LayerCompression.ZSTD) {
      throw new IllegalArgumentException("layerCompression=zstd needs imageFormat=OCI: Docker's image manifest has"
          + " no zstd layer media type; set imageFormat to OCI, or layerCompression to gzip or none");
    }
    this.compressionLevel = b.compressionLevel != 0 ? b.compressionLevel
        : compression == LayerCompression.ZSTD ? DEFAULT_ZSTD_LEVEL : DEFAULT_COMPRESSION_LEVEL;
    int maxLevel = compression == LayerCompression.ZSTD ? 19 : 9;
    if (compressionLevel < 1 || compressionLevel > maxLevel) {
      throw new IllegalArgumentException(compression.name().toLowerCase(java.util.Locale.ROOT)
          + " compression level must be 1.." + maxLevel + ", not " + compressionLevel);
    }
    this.creationTime = Objects.requireNonNull(b.creationTime, "creationTime");
    if (creationTime.isBefore(Instant.EPOCH)) {
      throw new IllegalArgumentException("the image timestamp " + creationTime + " is before 1970");
    }
    this.labels = Collections.unmodifiableSortedMap(new TreeMap<>(b.labels));
    for (String name : b.environment.keySet()) {
      if (!ENV_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("'" + name + "' is not an environment variable name");
      }
    }
    this.environment = Collections.unmodifiableSortedMap(new TreeMap<>(b.environment));
    this.annotations = Collections.unmodifiableSortedMap(new TreeMap<>(b.annotations));
    this.cacheDirectory = Objects.requireNonNull(b.cacheDirectory, "cacheDirectory").toAbsolutePath().normalize();
  }

  /** @return a new builder */
  public static Builder builder() {
    return new Builder();
  }

  /** @return the disk file that becomes {@code /disk/<diskFileName>} */
  public Path disk() {
    return disk;
  }

  /** @return the file's name under {@code /disk/}, e.g. {@code myvm.qcow2} */
  public String diskFileName() {
    return diskFileName;
  }

  /** @return the platforms; more than one gives an index whose manifests share the one layer */
  public List<ImagePlatform> platforms() {
    return platforms;
  }

  /** @return OCI or Docker media types */
  public ManifestFormat format() {
    return format;
  }

  /** @return the layer's compression */
  public LayerCompression compression() {
    return compression;
  }

  /** @return the deflate level (GZIP, 1..9) or the zstd level (ZSTD, 1..19); recorded, unused, for NONE */
  public int compressionLevel() {
    return compressionLevel;
  }

  /** @return the config's creation time and the layer entries' modification time */
  public Instant creationTime() {
    return creationTime;
  }

  /** @return the config labels, sorted */
  public SortedMap<String, String> labels() {
    return labels;
  }

  /** @return the config environment, sorted */
  public SortedMap<String, String> environment() {
    return environment;
  }

  /**
   * @return the OCI manifest (and index) annotations, sorted; the Docker format has none (its labels
   *     carry the same keys)
   */
  public SortedMap<String, String> annotations() {
    return annotations;
  }

  /**
   * @return the image's working folder under {@code target/}, its state folder ({@link ImageState}):
   *     the record of where the layer blob was written (read by {@code push}) and, for the registry
   *     target, the blob itself
   */
  public Path cacheDirectory() {
    return cacheDirectory;
  }

  /**
   * Writes this spec as a properties file (sorted, no date comment), atomically.
   *
   * @param file where to write
   */
  public void store(Path file) throws IOException {
    Properties p = new Properties();
    p.setProperty("disk", disk.toString());
    p.setProperty("diskFileName", diskFileName);
    p.setProperty("platforms", platforms.stream().map(ImagePlatform::toString).collect(Collectors.joining(",")));
    p.setProperty("format", format.name());
    p.setProperty("compression", compression.name());
    p.setProperty("compressionLevel", Integer.toString(compressionLevel));
    p.setProperty("creationTime", creationTime.toString());
    p.setProperty("cacheDirectory", cacheDirectory.toString());
    labels.forEach((k, v) -> p.setProperty("label." + k, v));
    environment.forEach((k, v) -> p.setProperty("env." + k, v));
    annotations.forEach((k, v) -> p.setProperty("annotation." + k, v));
    TempPaths.writeString(file, propertiesText("containerDisk image spec written by vm-packager:containerize;"
        + " read by push", p), StandardCharsets.ISO_8859_1);
  }

  /**
   * The text of a properties file that is a function of its content only: {@code Properties.store}
   * writes the date as a comment and the entries in hash order, so its lines are sorted and the date
   * dropped. Characters outside ASCII are escaped (a backslash, {@code u} and four hex digits), as
   * the stream form of {@code store} does, so the text is ASCII whatever the labels hold.
   *
   * @param comment the first line's comment
   * @param p the properties
   * @return the text, one line per property, sorted
   */
  static String propertiesText(String comment, Properties p) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    p.store(bytes, null);
    List<String> lines = new ArrayList<>();
    for (String line : bytes.toString(StandardCharsets.ISO_8859_1).split("\n")) {
      // store() ends lines with the platform's separator; a value's trailing spaces are its own.
      String l = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
      if (!l.startsWith("#") && !l.isBlank()) {
        lines.add(l);
      }
    }
    Collections.sort(lines);
    return "# " + comment + "\n" + String.join("\n", lines) + "\n";
  }

  /**
   * Reads a spec written by {@link #store(Path)}.
   *
   * @param file the properties file
   * @return the spec
   * @throws ImageException when the file is missing (containerize has not run) or damaged
   */
  public static ContainerDiskSpec load(Path file) throws ImageException {
    Properties p = new Properties();
    try {
      p.load(new StringReader(Files.readString(file, StandardCharsets.ISO_8859_1)));
    } catch (NoSuchFileException e) {
      throw new ImageException(file + " does not exist: run vm-packager:containerize before pushing the image", e);
    } catch (IOException e) {
      throw new ImageException("cannot read " + file + ": " + e.getMessage(), e);
    }
    try {
      Builder b = builder()
          .disk(Path.of(required(p, "disk", file)))
          .diskFileName(required(p, "diskFileName", file))
          .platforms(ImagePlatform.parseList(required(p, "platforms", file)))
          .format(ManifestFormat.valueOf(required(p, "format", file)))
          .compression(LayerCompression.valueOf(required(p, "compression", file)))
          .compressionLevel(Integer.parseInt(required(p, "compressionLevel", file)))
          .creationTime(Instant.parse(required(p, "creationTime", file)))
          .cacheDirectory(Path.of(required(p, "cacheDirectory", file)));
      for (String key : new TreeMap<>(p).keySet().stream().map(Object::toString).toList()) {
        if (key.startsWith("label.")) {
          b.label(key.substring(6), p.getProperty(key));
        } else if (key.startsWith("env.")) {
          b.environment(key.substring(4), p.getProperty(key));
        } else if (key.startsWith("annotation.")) {
          b.annotation(key.substring(11), p.getProperty(key));
        }
      }
      return b.build();
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw new ImageException(file + " is damaged (" + e.getMessage() + "): run vm-packager:containerize again", e);
    }
  }

  private static String required(Properties p, String key, Path file) {
    String v = p.getProperty(key);
    if (v == null) {
      throw new IllegalArgumentException("'" + key + "' is missing in " + file);
    }
    return v;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ContainerDiskSpec s && disk.equals(s.disk) && diskFileName.equals(s.diskFileName)
        && platforms.equals(s.platforms) && format == s.format && compression == s.compression
        && compressionLevel == s.compressionLevel && creationTime.equals(s.creationTime) && labels.equals(s.labels)
        && environment.equals(s.environment) && annotations.equals(s.annotations)
        && cacheDirectory.equals(s.cacheDirectory);
  }

  @Override
  public int hashCode() {
    return Objects.hash(disk, diskFileName, platforms, format, compression, compressionLevel, creationTime, labels,
        environment, annotations, cacheDirectory);
  }

  @Override
  public String toString() {
    return "ContainerDiskSpec[" + disk + " as /disk/" + diskFileName + ", " + platforms + ", " + format + ", "
        + compression + "]";
  }

  /** Builds a {@link ContainerDiskSpec}. */
  public static final class Builder {
    private Path disk;
    private String diskFileName;
    private List<ImagePlatform> platforms = new ArrayList<>();
    private ManifestFormat format = ManifestFormat.OCI;
    private LayerCompression compression = LayerCompression.GZIP;
    /** 0: the compression's default. */
    private int compressionLevel;
    private Instant creationTime = Instant.EPOCH;
    private final SortedMap<String, String> labels = new TreeMap<>();
    private final SortedMap<String, String> environment = new TreeMap<>();
    private final SortedMap<String, String> annotations = new TreeMap<>();
    private Path cacheDirectory;

    private Builder() {}

    /**
     * @param disk the disk file
     * @return this
     */
    public Builder disk(Path disk) {
      this.disk = disk;
      return this;
    }

    /**
     * @param name the file name under {@code /disk/}
     * default the disk's own name
     * @return this
     */
    public Builder diskFileName(String name) {
      this.diskFileName = name;
      return this;
    }

    /**
     * @param platforms the platforms, default {@code linux/amd64}
     * @return this
     */
    public Builder platforms(List<ImagePlatform> platforms) {
      this.platforms = new ArrayList<>(platforms);
      return this;
    }

    /**
     * @param format OCI (default) or Docker
     * @return this
     */
    public Builder format(ManifestFormat format) {
      this.format = format;
      return this;
    }

    /**
     * @param compression GZIP (default), ZSTD (OCI format only) or NONE
     * @return this
     */
    public Builder compression(LayerCompression compression) {
      this.compression = compression;
      return this;
    }

    /**
     * @param level deflate level 1..9, default {@value ContainerDiskSpec#DEFAULT_COMPRESSION_LEVEL}, or zstd level
     *     1..19, default {@value ContainerDiskSpec#DEFAULT_ZSTD_LEVEL}; 0 for the compression's default
     * @return this
     */
    public Builder compressionLevel(int level) {
      this.compressionLevel = level;
      return this;
    }

    /**
     * @param time the image's timestamp, default the epoch
     * @return this
     */
    public Builder creationTime(Instant time) {
      this.creationTime = time;
      return this;
    }

    /**
     * @param key label key
     * @param value label value
     * @return this
     */
    public Builder label(String key, String value) {
      labels.put(Objects.requireNonNull(key, "label key"), Objects.requireNonNull(value, "label " + key));
      return this;
    }

    /**
     * @param labels labels to add
     * @return this
     */
    public Builder labels(Map<String, String> labels) {
      labels.forEach(this::label);
      return this;
    }

    /**
     * @param name variable name
     * @param value its value
     * @return this
     */
    public Builder environment(String name, String value) {
      environment.put(Objects.requireNonNull(name, "variable name"), Objects.requireNonNull(value, name));
      return this;
    }

    /**
     * @param key annotation key, e.g. {@code org.opencontainers.image.source}
     * @param value its value
     * @return this
     */
    public Builder annotation(String key, String value) {
      annotations.put(Objects.requireNonNull(key, "annotation key"), Objects.requireNonNull(value, "annotation " + key));
      return this;
    }

    /**
     * @param annotations annotations to add
     * @return this
     */
    public Builder annotations(Map<String, String> annotations) {
      annotations.forEach(this::annotation);
      return this;
    }

    /**
     * @param dir the image's working folder, under {@code target/}
     * @return this
     */
    public Builder cacheDirectory(Path dir) {
      this.cacheDirectory = dir;
      return this;
    }

    /**
     * @return the spec
     * @throws IllegalArgumentException for a bad file name, level, timestamp or variable name
     */
    public ContainerDiskSpec build() {
      return new ContainerDiskSpec(this);
    }
  }
}
