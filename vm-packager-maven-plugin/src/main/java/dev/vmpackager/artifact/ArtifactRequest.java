package dev.vmpackager.artifact;

import dev.vmpackager.event.BuildListener;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** What {@link VmArtifact#build} writes. Immutable; made with {@link #builder()}. */
public final class ArtifactRequest {

  private final Map<String, Object> virtualMachine;
  private final Optional<String> cloudInitUserData;
  private final Optional<String> cloudInitNetworkData;
  private final List<ArtifactDisk> disks;
  private final Path output;
  private final Instant created;
  private final int threads;
  private final BuildListener listener;

  private ArtifactRequest(Builder b) {
    this.virtualMachine = Collections.unmodifiableMap(new LinkedHashMap<>(
        Objects.requireNonNull(b.virtualMachine, "virtualMachine")));
    this.cloudInitUserData = Optional.ofNullable(b.cloudInitUserData);
    this.cloudInitNetworkData = Optional.ofNullable(b.cloudInitNetworkData);
    this.disks = List.copyOf(b.disks);
    this.output = Objects.requireNonNull(b.output, "output").toAbsolutePath();
    this.created = b.created.truncatedTo(ChronoUnit.SECONDS);
    this.threads = b.threads;
    this.listener = b.listener;
    if (disks.isEmpty()) {
      throw new IllegalArgumentException("a VM artifact needs at least one disk");
    }
    List<String> names = new ArrayList<>();
    for (ArtifactDisk d : disks) {
      if (names.contains(d.name())) {
        throw new IllegalArgumentException("two disks are named " + d.name());
      }
      names.add(d.name());
    }
  }

  /** @return a builder: no disks, created at the epoch, one worker per core, no listener */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * @return the VirtualMachine as the chart renders it with its default values
   *     ({@link dev.vmpackager.chart.ChartVirtualMachine}): its disks' volumes are named like
   *     {@link #disks()}
   */
  public Map<String, Object> virtualMachine() { return virtualMachine; }
  /** @return the cloud-init user-data the chart's Secret holds, written inline instead */
  public Optional<String> cloudInitUserData() { return cloudInitUserData; }
  /** @return the cloud-init network data the chart's Secret holds, written inline instead */
  public Optional<String> cloudInitNetworkData() { return cloudInitNetworkData; }
  /** @return the disks, one layer each, in the VM's boot order */
  public List<ArtifactDisk> disks() { return disks; }
  /** @return the tar to write */
  public Path output() { return output; }
  /** @return the creation time (index annotation, tar entries), whole seconds */
  public Instant created() { return created; }
  /** @return worker threads for reading and compressing a disk (0: one per core) */
  public int threads() { return threads; }
  /** @return where progress goes */
  public BuildListener listener() { return listener; }

  /** Builds an {@link ArtifactRequest}. */
  public static final class Builder {
    private Map<String, Object> virtualMachine;
    private String cloudInitUserData;
    private String cloudInitNetworkData;
    private final List<ArtifactDisk> disks = new ArrayList<>();
    private Path output;
    private Instant created = Instant.EPOCH;
    private int threads;
    private BuildListener listener = BuildListener.NONE;

    private Builder() {}

    /** @param vm the VirtualMachine as the chart renders it @return this */
    public Builder virtualMachine(Map<String, Object> vm) { this.virtualMachine = vm; return this; }
    /** @param text the cloud-init user-data, or null @return this */
    public Builder cloudInitUserData(String text) { this.cloudInitUserData = text; return this; }
    /** @param text the cloud-init network data, or null @return this */
    public Builder cloudInitNetworkData(String text) { this.cloudInitNetworkData = text; return this; }
    /** @param disk the next disk in boot order @return this */
    public Builder disk(ArtifactDisk disk) { disks.add(Objects.requireNonNull(disk)); return this; }
    /** @param tar the tar to write @return this */
    public Builder output(Path tar) { this.output = tar; return this; }
    /** @param time the creation time @return this */
    public Builder created(Instant time) { this.created = Objects.requireNonNull(time); return this; }
    /** @param n worker threads, 0 for one per core @return this */
    public Builder threads(int n) { this.threads = n; return this; }
    /** @param l where progress goes @return this */
    public Builder listener(BuildListener l) { this.listener = Objects.requireNonNull(l); return this; }

    /** @return the request */
    public ArtifactRequest build() {
      return new ArtifactRequest(this);
    }
  }
}
