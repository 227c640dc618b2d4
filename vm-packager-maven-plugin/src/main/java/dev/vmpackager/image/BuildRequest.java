package dev.vmpackager.image;

import dev.vmpackager.event.BuildListener;
import dev.vmpackager.registry.ImageReference;
import dev.vmpackager.registry.RegistryAccess;
import dev.vmpackager.registry.RetryPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One run of {@link ContainerDiskBuilder#build(BuildRequest)} or {@link ImagePublisher#push(BuildRequest)}:
 * what to build or push ({@link ContainerDiskSpec}), under which reference, and where to put it.
 */
public final class BuildRequest {

  private final ContainerDiskSpec spec;
  private final ImageTarget target;
  private final ImageReference reference;
  private final List<String> additionalTags;
  private final Optional<Path> output;
  private final RegistryAccess access;
  private final boolean offline;
  private final int threads;
  private final BuildListener listener;
  private final RetryPolicy retry;

  private BuildRequest(Builder b) {
    this.spec = Objects.requireNonNull(b.spec, "spec");
    this.target = Objects.requireNonNull(b.target, "target");
    this.reference = Objects.requireNonNull(b.reference, "reference");
    this.additionalTags = List.copyOf(b.additionalTags);
    this.output = Optional.ofNullable(b.output).map(p -> p.toAbsolutePath().normalize());
    this.access = b.access == null ? RegistryAccess.anonymous(reference.registry()) : b.access;
    this.offline = b.offline;
    this.threads = b.threads > 0 ? b.threads : Runtime.getRuntime().availableProcessors();
    this.listener = b.listener == null ? BuildListener.NONE : b.listener;
    this.retry = Objects.requireNonNull(b.retry, "retry");
    if (target != ImageTarget.REGISTRY && output.isEmpty()) {
      throw new IllegalArgumentException("the " + target + " target needs an output path");
    }
    if (!access.registry().equals(reference.registry())) {
      throw new IllegalArgumentException("the access is for " + access.registry() + ", the image " + reference
          + " is on " + reference.registry());
    }
  }

  /** @return how registry calls that failed in a passing way are made again */
  public RetryPolicy retry() {
    return retry;
  }

  /** @return a new builder */
  public static Builder builder() {
    return new Builder();
  }

  /** @return what to build */
  public ContainerDiskSpec spec() {
    return spec;
  }

  /** @return where it goes */
  public ImageTarget target() {
    return target;
  }

  /** @return the image reference, e.g. {@code registry.example.com/apps/vm:1.0} */
  public ImageReference reference() {
    return reference;
  }

  /** @return tags pushed besides the reference's own (registry only) */
  public List<String> additionalTags() {
    return additionalTags;
  }

  /** @return the tar file or layout folder (TAR, OCI_LAYOUT) */
  public Optional<Path> output() {
    return output;
  }

  /** @return credentials and TLS policy of the reference's registry (REGISTRY); default anonymous */
  public RegistryAccess access() {
    return access;
  }

  /** @return whether Maven runs offline (a registry target then fails before any connection) */
  public boolean offline() {
    return offline;
  }

  /** @return the compressing threads, default the available processors */
  public int threads() {
    return threads;
  }

  /** @return where progress and Jib's messages go */
  public BuildListener listener() {
    return listener;
  }

  /** Builds a {@link BuildRequest}. */
  public static final class Builder {
    private ContainerDiskSpec spec;
    private ImageTarget target = ImageTarget.TAR;
    private ImageReference reference;
    private final List<String> additionalTags = new ArrayList<>();
    private Path output;
    private RegistryAccess access;
    private boolean offline;
    private int threads;
    private BuildListener listener;
    private RetryPolicy retry = RetryPolicy.DEFAULT;

    private Builder() {}

    /**
     * @param spec what to build
     * @return this
     */
    public Builder spec(ContainerDiskSpec spec) {
      this.spec = spec;
      return this;
    }

    /**
     * @param target TAR (default), REGISTRY or OCI_LAYOUT
     * @return this
     */
    public Builder target(ImageTarget target) {
      this.target = target;
      return this;
    }

    /**
     * @param reference the image reference, parsed where the user wrote it
     * @return this
     */
    public Builder reference(ImageReference reference) {
      this.reference = reference;
      return this;
    }

    /**
     * @param tags more tags for a registry target
     * @return this
     */
    public Builder additionalTags(List<String> tags) {
      tags.forEach(t -> additionalTags.add(Objects.requireNonNull(t, "tag")));
      return this;
    }

    /**
     * @param output the tar file or layout folder
     * @return this
     */
    public Builder output(Path output) {
      this.output = output;
      return this;
    }

    /**
     * @param access the credentials and TLS policy of the reference's registry
     * @return this
     */
    public Builder access(RegistryAccess access) {
      this.access = access;
      return this;
    }

    /**
     * @param offline Maven's offline mode
     * @return this
     */
    public Builder offline(boolean offline) {
      this.offline = offline;
      return this;
    }

    /**
     * @param threads compressing threads (0 = available processors)
     * @return this
     */
    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    /**
     * @param listener where messages go
     * @return this
     */
    public Builder listener(BuildListener listener) {
      this.listener = listener;
      return this;
    }

    /**
     * @param retry how often a registry call failing with HTTP 5xx/429 or a dropped connection is
     *     made (default: three times, 0.5 s then 1 s apart)
     * @return this
     */
    public Builder retry(RetryPolicy retry) {
      this.retry = retry;
      return this;
    }

    /** @return the request */
    public BuildRequest build() {
      return new BuildRequest(this);
    }
  }
}
