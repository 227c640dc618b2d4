package dev.vmpackager.vm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the POM sets about the VM, in plain Java: every field is null where the user left it
 * unset, so that an unset field never hides what the VM's description says
 * ({@link VmResolver}). Strings are taken as written (the resolver trims them and checks them);
 * blank strings count as unset, as Maven gives an empty element.
 *
 * <p>Immutable; made with {@link #builder()}.
 */
public final class PomVm {

  /**
   * One {@code <disks><disk>}: a disk of the VM, or an override of a described disk with the
   * same name. Every field may be null.
   *
   * @param name the disk's name, a DNS label; matched against the description's disks
   * @param source its disk image file, relative to the project folder or absolute
   * @param bus {@code virtio}, {@code sata}, {@code scsi} or {@code usb}
   * @param boot {@code true} on the boot disk (default: the first)
   * @param image its containerDisk image reference (not on the boot disk, whose image is
   *     {@code <image>})
   */
  public record PomDisk(String name, Path source, String bus, Boolean boot, String image) {}

  /**
   * One {@code <vm><nics><nic>}: overrides the description's NIC at the same position, or adds a
   * NIC after the described ones. Every field may be null.
   *
   * @param model the KubeVirt interface model, e.g. {@code virtio}
   * @param macAddress the MAC address, e.g. {@code 02:00:00:00:00:01} (or with {@code -})
   * @param network for any NIC but the first: the Multus network it attaches to by default
   */
  public record PomNic(String model, String macAddress, String network) {}

  private final String name;
  private final String memory;
  private final Integer cpuSockets;
  private final Integer cpuCores;
  private final Integer cpuThreads;
  private final String firmware;
  private final Boolean secureBoot;
  private final String machineType;
  private final String diskBus;
  private final String devices;
  private final String devicesOrigin;
  private final String format;
  private final String image;
  private final Path source;
  private final List<PomDisk> disks;
  private final List<PomNic> nics;

  private PomVm(Builder b) {
    this.name = b.name;
    this.memory = b.memory;
    this.cpuSockets = b.cpuSockets;
    this.cpuCores = b.cpuCores;
    this.cpuThreads = b.cpuThreads;
    this.firmware = b.firmware;
    this.secureBoot = b.secureBoot;
    this.machineType = b.machineType;
    this.diskBus = b.diskBus;
    this.devices = b.devices;
    this.devicesOrigin = b.devicesOrigin;
    this.format = b.format;
    this.image = b.image;
    this.source = b.source;
    this.disks = List.copyOf(b.disks);
    this.nics = List.copyOf(b.nics);
  }

  /** @return a builder with every field unset */
  public static Builder builder() {
    return new Builder();
  }

  /** @return {@code <vm><name>}, or null */
  public String name() { return name; }
  /** @return {@code <vm><memory>}, a Kubernetes quantity, or null */
  public String memory() { return memory; }
  /** @return {@code <vm><cpuSockets>}, or null */
  public Integer cpuSockets() { return cpuSockets; }
  /** @return {@code <vm><cpuCores>}, or null */
  public Integer cpuCores() { return cpuCores; }
  /** @return {@code <vm><cpuThreads>}, or null */
  public Integer cpuThreads() { return cpuThreads; }
  /** @return {@code <vm><firmware>}, or null */
  public String firmware() { return firmware; }
  /** @return {@code <vm><secureBoot>}, or null */
  public Boolean secureBoot() { return secureBoot; }
  /** @return {@code <vm><machineType>}, or null */
  public String machineType() { return machineType; }
  /** @return {@code <vm><diskBus>}: every disk's bus unless the disk's {@code <bus>} says otherwise, or null */
  public String diskBus() { return diskBus; }
  /** @return {@code <vm><devices>} ({@code vm.devices}), or null */
  public String devices() { return devices; }
  /** @return where {@link #devices()} was written, for the build log: {@code <vm><devices>} or {@code vm.devices} */
  public String devicesOrigin() { return devicesOrigin; }
  /** @return {@code <format>} ({@code vm.format}), or null */
  public String format() { return format; }
  /** @return {@code <image>} ({@code vm.image}), the boot disk's image reference, or null */
  public String image() { return image; }
  /** @return {@code <source>} ({@code vm.source}), short for a one-element {@code <disks>}, or null */
  public Path source() { return source; }
  /** @return {@code <disks>}, empty when unset */
  public List<PomDisk> disks() { return disks; }
  /** @return {@code <vm><nics>}, empty when unset */
  public List<PomNic> nics() { return nics; }

  /** Collects the POM's settings; null leaves a field unset. */
  public static final class Builder {
    private String name;
    private String memory;
    private Integer cpuSockets;
    private Integer cpuCores;
    private Integer cpuThreads;
    private String firmware;
    private Boolean secureBoot;
    private String machineType;
    private String diskBus;
    private String devices;
    private String devicesOrigin = "<vm><devices>";
    private String format;
    private String image;
    private Path source;
    private final List<PomDisk> disks = new ArrayList<>();
    private final List<PomNic> nics = new ArrayList<>();

    private Builder() {}

    /** @param v {@code <vm><name>}; @return this */
    public Builder name(String v) { this.name = v; return this; }
    /** @param v {@code <vm><memory>}; @return this */
    public Builder memory(String v) { this.memory = v; return this; }
    /** @param v {@code <vm><cpuSockets>}; @return this */
    public Builder cpuSockets(Integer v) { this.cpuSockets = v; return this; }
    /** @param v {@code <vm><cpuCores>}; @return this */
    public Builder cpuCores(Integer v) { this.cpuCores = v; return this; }
    /** @param v {@code <vm><cpuThreads>}; @return this */
    public Builder cpuThreads(Integer v) { this.cpuThreads = v; return this; }
    /** @param v {@code <vm><firmware>}; @return this */
    public Builder firmware(String v) { this.firmware = v; return this; }
    /** @param v {@code <vm><secureBoot>}; @return this */
    public Builder secureBoot(Boolean v) { this.secureBoot = v; return this; }
    /** @param v {@code <vm><machineType>}; @return this */
    public Builder machineType(String v) { this.machineType = v; return this; }
    /** @param v {@code <vm><diskBus>}; @return this */
    public Builder diskBus(String v) { this.diskBus = v; return this; }
    /** @param v {@code <vm><devices>}; @return this */
    public Builder devices(String v) { this.devices = v; return this; }
    /**
     * @param v the device policy
     * @param origin where it was written ({@code <vm><devices>}, or the goal's {@code vm.devices}
     *     parameter, which wins), as the build log names it
     * @return this
     */
    public Builder devices(String v, String origin) { this.devices = v; this.devicesOrigin = origin; return this; }
    /** @param v {@code <format>}; @return this */
    public Builder format(String v) { this.format = v; return this; }
    /** @param v {@code <image>}; @return this */
    public Builder image(String v) { this.image = v; return this; }
    /** @param v {@code <source>}; @return this */
    public Builder source(Path v) { this.source = v; return this; }
    /** @param v the next {@code <disks><disk>}; @return this */
    public Builder addDisk(PomDisk v) { this.disks.add(Objects.requireNonNull(v, "disk")); return this; }
    /** @param v the next {@code <vm><nics><nic>}; @return this */
    public Builder addNic(PomNic v) { this.nics.add(Objects.requireNonNull(v, "nic")); return this; }

    /** @return the POM's settings */
    public PomVm build() {
      return new PomVm(this);
    }
  }
}
