package dev.vmpackager.vm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What a VM's own description says about it. Every hardware field is empty where the description
 * is silent: a reader never invents a default, so the POM and the plugin's defaults can fill the
 * gaps and the build log can say where each setting came from.
 *
 * <p>Immutable; made with {@link #builder(Path, DescriptionFormat)}.
 */
public final class VmDescription {

  private final Path file;
  private final DescriptionFormat format;
  private final Optional<String> name;
  private final OptionalInt cpuSockets;
  private final OptionalInt cpuCores;
  private final OptionalInt cpuThreads;
  private final OptionalLong memoryBytes;
  private final Optional<String> firmware;
  private final Optional<Boolean> secureBoot;
  private final Optional<String> machineType;
  private final List<DescribedDisk> disks;
  private final List<DescribedNic> nics;
  private final Optional<String> guestOs;
  private final List<String> notCarriedOver;

  private VmDescription(Builder b) {
    this.file = b.file;
    this.format = b.format;
    this.name = Optional.ofNullable(b.name);
    this.cpuSockets = b.cpuSockets == null ? OptionalInt.empty() : OptionalInt.of(b.cpuSockets);
    this.cpuCores = b.cpuCores == null ? OptionalInt.empty() : OptionalInt.of(b.cpuCores);
    this.cpuThreads = b.cpuThreads == null ? OptionalInt.empty() : OptionalInt.of(b.cpuThreads);
    this.memoryBytes = b.memoryBytes == null ? OptionalLong.empty() : OptionalLong.of(b.memoryBytes);
    this.firmware = Optional.ofNullable(b.firmware);
    this.secureBoot = Optional.ofNullable(b.secureBoot);
    this.machineType = Optional.ofNullable(b.machineType);
    this.disks = List.copyOf(b.disks);
    this.nics = List.copyOf(b.nics);
    this.guestOs = Optional.ofNullable(b.guestOs);
    this.notCarriedOver = List.copyOf(b.notCarriedOver);
  }

  /**
   * @param file the description file (for an OVA, the {@code .ova} itself)
   * @param format its kind
   * @return a builder with every hardware field unset
   */
  public static Builder builder(Path file, DescriptionFormat format) {
    return new Builder(file, format);
  }

  /** @return the description file, the origin named in log lines and messages */
  public Path file() { return file; }
  /** @return the kind of description */
  public DescriptionFormat format() { return format; }
  /** @return the VM's name as the description gives it (not yet a DNS label) */
  public Optional<String> name() { return name; }
  /** @return CPU sockets */
  public OptionalInt cpuSockets() { return cpuSockets; }
  /** @return cores per socket */
  public OptionalInt cpuCores() { return cpuCores; }
  /** @return threads per core */
  public OptionalInt cpuThreads() { return cpuThreads; }
  /** @return guest memory in bytes */
  public OptionalLong memoryBytes() { return memoryBytes; }
  /** @return {@code bios} or {@code efi} */
  public Optional<String> firmware() { return firmware; }
  /** @return whether UEFI Secure Boot is on, when the description says */
  public Optional<Boolean> secureBoot() { return secureBoot; }
  /** @return the machine type as the source names it (e.g. {@code pc-i440fx-7.2}); KubeVirt runs q35 */
  public Optional<String> machineType() { return machineType; }
  /** @return the hard disks in boot order: the first is the boot disk */
  public List<DescribedDisk> disks() { return disks; }
  /** @return the network adapters in their order in the description */
  public List<DescribedNic> nics() { return nics; }
  /** @return the guest OS as the description names it (OVF id, libosinfo id, guestOS, OSType) */
  public Optional<String> guestOs() { return guestOs; }
  /** @return hardware the description declares that KubeVirt cannot be given, one phrase each */
  public List<String> notCarriedOver() { return notCarriedOver; }

  /** Collects what a reader found; {@link #build()} checks the values are sane. */
  public static final class Builder {
    private final Path file;
    private final DescriptionFormat format;
    private String name;
    private Integer cpuSockets;
    private Integer cpuCores;
    private Integer cpuThreads;
    private Long memoryBytes;
    private String firmware;
    private Boolean secureBoot;
    private String machineType;
    private final List<DescribedDisk> disks = new ArrayList<>();
    private final List<DescribedNic> nics = new ArrayList<>();
    private String guestOs;
    private final List<String> notCarriedOver = new ArrayList<>();

    private Builder(Path file, DescriptionFormat format) {
      this.file = Objects.requireNonNull(file, "file");
      this.format = Objects.requireNonNull(format, "format");
    }

    /** @param v the VM's name; @return this */
    public Builder name(String v) { this.name = v; return this; }
    /** @param v CPU sockets; @return this */
    public Builder cpuSockets(int v) { this.cpuSockets = v; return this; }
    /** @param v cores per socket; @return this */
    public Builder cpuCores(int v) { this.cpuCores = v; return this; }
    /** @param v threads per core; @return this */
    public Builder cpuThreads(int v) { this.cpuThreads = v; return this; }
    /** @param v guest memory in bytes; @return this */
    public Builder memoryBytes(long v) { this.memoryBytes = v; return this; }
    /** @param v {@code bios} or {@code efi}; @return this */
    public Builder firmware(String v) { this.firmware = v; return this; }
    /** @param v whether Secure Boot is on; @return this */
    public Builder secureBoot(boolean v) { this.secureBoot = v; return this; }
    /** @param v the source's machine type; @return this */
    public Builder machineType(String v) { this.machineType = v; return this; }
    /** @param v the next disk in boot order; @return this */
    public Builder addDisk(DescribedDisk v) { this.disks.add(Objects.requireNonNull(v)); return this; }
    /** @param v the next NIC; @return this */
    public Builder addNic(DescribedNic v) { this.nics.add(Objects.requireNonNull(v)); return this; }
    /** @param v the guest OS; @return this */
    public Builder guestOs(String v) { this.guestOs = v; return this; }
    /** @param v a device that cannot be carried over, e.g. {@code sound card (hda)}; @return this */
    public Builder notCarriedOver(String v) { this.notCarriedOver.add(Objects.requireNonNull(v)); return this; }

    /** @return the number of disks added so far */
    public int diskCount() { return disks.size(); }

    /**
     * Checks what a reader cannot check field by field: CPU counts and memory in range, a firmware
     * KubeVirt knows, no disk file listed twice.
     *
     * @return the description
     * @throws VmDescriptionException naming the file and the setting at fault
     */
    public VmDescription build() throws VmDescriptionException {
      checkCount(cpuSockets, "CPU sockets");
      checkCount(cpuCores, "CPU cores");
      checkCount(cpuThreads, "CPU threads");
      if (cpuSockets != null && cpuCores != null && cpuThreads != null
          && (long) cpuSockets * cpuCores * cpuThreads > MAX_VCPUS) {
        throw new VmDescriptionException(file, "CPU", cpuSockets + " sockets x " + cpuCores + " cores x "
            + cpuThreads + " threads is more than " + MAX_VCPUS + " vCPUs");
      }
      if (memoryBytes != null && (memoryBytes <= 0 || memoryBytes > MAX_MEMORY)) {
        throw new VmDescriptionException(file, "memory", memoryBytes + " bytes is not a memory size between 1 byte"
            + " and 16 TiB");
      }
      if (firmware != null && !firmware.equals("bios") && !firmware.equals("efi")) {
        throw new VmDescriptionException(file, "firmware", "'" + firmware + "' is neither bios nor efi");
      }
      for (int i = 0; i < disks.size(); i++) {
        for (int j = 0; j < i; j++) {
          if (disks.get(i).file().equals(disks.get(j).file())) {
            throw new VmDescriptionException(file, disks.get(i).element(), "the disk file " + disks.get(i).file()
                + " is also attached as " + disks.get(j).element() + "; a disk can be attached once");
          }
        }
      }
      return new VmDescription(this);
    }

    private void checkCount(Integer v, String what) throws VmDescriptionException {
      if (v != null && (v < 1 || v > MAX_VCPUS)) {
        throw new VmDescriptionException(file, what, v + " is not between 1 and " + MAX_VCPUS);
      }
    }
  }

  /** KubeVirt's and QEMU's practical vCPU ceiling on x86 (q35 with x2apic: 288 in QEMU 7-9; we allow 1024). */
  static final int MAX_VCPUS = 1024;
  /** 16 TiB: more guest memory than any hypervisor that writes these files supports. */
  static final long MAX_MEMORY = 16L << 40;
}
