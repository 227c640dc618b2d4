package dev.vmpackager.disk.convert;

import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.event.BuildListener;
import java.nio.file.Path;
import java.util.Objects;

/** What to convert, to what, and how. Immutable; made with {@link #builder()}. */
public final class ConversionRequest {

  /** Who converts. */
  public enum Engine {
    /** The plugin's own pure-Java converter (default). */
    JAVA("java"),
    /** {@code qemu-img convert} from the PATH. */
    QEMU_IMG("qemu-img");

    private final String id;

    Engine(String id) {
      this.id = id;
    }

    /** @return the name users write in {@code vm.engine} */
    public String id() {
      return id;
    }

    /**
     * @param id {@code java} or {@code qemu-img}, case-insensitive
     * @return the engine, or null when the name is unknown
     */
    public static Engine fromId(String id) {
      for (Engine e : values()) {
        if (e.id.equalsIgnoreCase(id.trim())) {
          return e;
        }
      }
      return null;
    }
  }

  private final Path source;
  private final DiskFormat sourceFormat;
  private final Path output;
  private final DiskFormat outputFormat;
  private final boolean compress;
  private final Engine engine;
  private final boolean allowExternalReferences;
  private final BuildListener listener;
  private final int threads;
  private final String ovaEntry;

  private ConversionRequest(Builder b) {
    this.source = Objects.requireNonNull(b.source, "source").toAbsolutePath().normalize();
    this.sourceFormat = b.sourceFormat;
    this.output = Objects.requireNonNull(b.output, "output").toAbsolutePath().normalize();
    this.outputFormat = b.outputFormat;
    this.compress = b.compress;
    this.engine = b.engine;
    this.allowExternalReferences = b.allowExternalReferences;
    this.ovaEntry = b.ovaEntry == null ? "" : b.ovaEntry;
    this.listener = b.listener;
    this.threads = b.threads;
    if (outputFormat != DiskFormat.QCOW2 && outputFormat != DiskFormat.RAW) {
      throw new IllegalArgumentException("the output format must be qcow2 or raw, not " + outputFormat.id());
    }
    if (compress && outputFormat != DiskFormat.QCOW2) {
      throw new IllegalArgumentException("compression needs qcow2 output");
    }
  }

  /** @return a builder: qcow2 output, auto-detected source, java engine, no compression */
  public static Builder builder() {
    return new Builder();
  }

  /** @return the source disk image */
  public Path source() {
    return source;
  }

  /** @return the forced source format, or null to detect it from content */
  public DiskFormat sourceFormat() {
    return sourceFormat;
  }

  /** @return the converted disk's path */
  public Path output() {
    return output;
  }

  /** @return qcow2 or raw */
  public DiskFormat outputFormat() {
    return outputFormat;
  }

  /** @return whether qcow2 clusters are compressed */
  public boolean compress() {
    return compress;
  }

  /** @return who converts */
  public Engine engine() {
    return engine;
  }

  /** @return whether the source may reference files beside it (backing files) */
  public boolean allowExternalReferences() {
    return allowExternalReferences;
  }

  /** @return where progress and messages go */
  public BuildListener listener() {
    return listener;
  }

  /** @return for an OVA source, the entry of the disk to convert; empty for its first disk */
  public String ovaEntry() {
    return ovaEntry;
  }

  /** @return worker threads for the java engine (0: one per core) */
  public int threads() {
    return threads;
  }

  /** Builds a {@link ConversionRequest}. */
  public static final class Builder {
    private Path source;
    private DiskFormat sourceFormat;
    private Path output;
    private DiskFormat outputFormat = DiskFormat.QCOW2;
    private boolean compress;
    private Engine engine = Engine.JAVA;
    private boolean allowExternalReferences;
    private BuildListener listener = BuildListener.NONE;
    private int threads;
    private String ovaEntry = "";

    private Builder() {}

    /**
     * @param entry for an OVA source, the entry of the disk to convert (as the OVF's
     *     {@code References} name it); null or empty for its first disk
     * @return this
     */
    public Builder ovaEntry(String entry) {
      this.ovaEntry = entry;
      return this;
    }

    /** @param source the disk image to convert */
    public Builder source(Path source) {
      this.source = source;
      return this;
    }

    /** @param format the source format, or null (or {@code raw} ... as forced) ; null means detect */
    public Builder sourceFormat(DiskFormat format) {
      this.sourceFormat = format;
      return this;
    }

    /** @param output where the converted disk goes */
    public Builder output(Path output) {
      this.output = output;
      return this;
    }

    /** @param format qcow2 or raw */
    public Builder outputFormat(DiskFormat format) {
      this.outputFormat = Objects.requireNonNull(format);
      return this;
    }

    /** @param compress compressed qcow2 clusters */
    public Builder compress(boolean compress) {
      this.compress = compress;
      return this;
    }

    /** @param engine who converts */
    public Builder engine(Engine engine) {
      this.engine = Objects.requireNonNull(engine);
      return this;
    }

    /** @param allow whether backing files beside the source may be followed */
    public Builder allowExternalReferences(boolean allow) {
      this.allowExternalReferences = allow;
      return this;
    }

    /** @param listener where progress goes */
    public Builder listener(BuildListener listener) {
      this.listener = Objects.requireNonNull(listener);
      return this;
    }

    /** @param threads worker threads for the java engine; 0 for one per core (at most 16) */
    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    /** @return the request */
    public ConversionRequest build() {
      return new ConversionRequest(this);
    }
  }
}
