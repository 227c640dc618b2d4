package dev.vmpackager.vm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The VM every goal packages: its hardware, its disks in boot order and its NICs, each setting
 * with where it came from. The chart, the converted disks, the containerDisk images, the pushes
 * (and the VM artifact and Edge Orchestrator package to come) are all views of it. Made by
 * {@link VmResolver}; immutable.
 */
public final class Vm {

  private final Setting<String> name;
  private final Optional<VmDescription> description;
  private final Setting<Integer> cpuSockets;
  private final Setting<Integer> cpuCores;
  private final Setting<Integer> cpuThreads;
  private final Setting<String> memory;
  private final Setting<String> firmware;
  private final Setting<Boolean> secureBoot;
  private final Setting<String> machineType;
  private final Setting<DevicePolicy> devices;
  private final String format;
  private final List<VmDisk> disks;
  private final List<VmNic> nics;
  private final List<String> warnings;

  Vm(Setting<String> name, Optional<VmDescription> description, Setting<Integer> cpuSockets,
      Setting<Integer> cpuCores, Setting<Integer> cpuThreads, Setting<String> memory, Setting<String> firmware,
      Setting<Boolean> secureBoot, Setting<String> machineType, Setting<DevicePolicy> devices, String format,
      List<VmDisk> disks, List<VmNic> nics, List<String> warnings) {
    this.name = Objects.requireNonNull(name);
    this.description = Objects.requireNonNull(description);
    this.cpuSockets = Objects.requireNonNull(cpuSockets);
    this.cpuCores = Objects.requireNonNull(cpuCores);
    this.cpuThreads = Objects.requireNonNull(cpuThreads);
    this.memory = Objects.requireNonNull(memory);
    this.firmware = Objects.requireNonNull(firmware);
    this.secureBoot = Objects.requireNonNull(secureBoot);
    this.machineType = Objects.requireNonNull(machineType);
    this.devices = Objects.requireNonNull(devices);
    this.format = Objects.requireNonNull(format);
    this.disks = List.copyOf(disks);
    this.nics = List.copyOf(nics);
    this.warnings = List.copyOf(warnings);
  }

  /** @return the VM's name: {@code metadata.name} of the VirtualMachine, a DNS label of at most 53 characters */
  public Setting<String> name() { return name; }
  /** @return the description the VM was read from, if any */
  public Optional<VmDescription> description() { return description; }
  /** @return the description file, if any (for an OVA, the {@code .ova}) */
  public Optional<Path> descriptionFile() { return description.map(VmDescription::file); }
  /** @return CPU sockets */
  public Setting<Integer> cpuSockets() { return cpuSockets; }
  /** @return cores per socket */
  public Setting<Integer> cpuCores() { return cpuCores; }
  /** @return threads per core */
  public Setting<Integer> cpuThreads() { return cpuThreads; }
  /** @return guest memory, a Kubernetes quantity such as {@code 4Gi} */
  public Setting<String> memory() { return memory; }
  /** @return {@code bios} or {@code efi} */
  public Setting<String> firmware() { return firmware; }
  /**
   * @return whether UEFI Secure Boot is on; always false with {@code bios}. With {@code efi} it
   *     must be written explicitly: KubeVirt turns Secure Boot on when {@code efi} says nothing
   */
  public Setting<Boolean> secureBoot() { return secureBoot; }
  /**
   * @return the machine type to write; empty means none is written and KubeVirt's default (q35)
   *     applies, which is what a description's machine type becomes (KubeVirt runs q35 only, and
   *     a versioned {@code pc-q35-8.2} may not exist in the cluster's QEMU)
   */
  public Setting<String> machineType() { return machineType; }
  /** @return how described devices were mapped */
  public Setting<DevicePolicy> devices() { return devices; }
  /** @return the converted disks' format, {@code qcow2} or {@code raw} */
  public String format() { return format; }
  /** @return the disks in boot order: the first is the boot disk; never empty */
  public List<VmDisk> disks() { return disks; }
  /** @return the boot disk */
  public VmDisk bootDisk() { return disks.get(0); }
  /** @return the NICs: the first on the pod network, the others on Multus networks; never empty */
  public List<VmNic> nics() { return nics; }
  /** @return the guest OS as the description names it (OVF id, libosinfo id, guestOS, OSType) */
  public Optional<String> guestOs() { return description.flatMap(VmDescription::guestOs); }
  /** @return what the description declares that KubeVirt cannot be given, one phrase each */
  public List<String> notCarriedOver() { return description.map(VmDescription::notCarriedOver).orElse(List.of()); }

  /**
   * The build log's account of the VM: one line per setting with its origin, e.g.
   * {@code memory 4Gi (from app.ovf)},
   * {@code disk os: app-1.vmdk, bus sata (lsilogic_sas in app.ovf, devices=compatible), boot order 1, image ...}.
   *
   * @return the lines, to log at info level
   */
  public List<String> logLines() {
    List<String> out = new ArrayList<>();
    out.add("vm " + name.value() + " (" + name.origin() + ")");
    description.ifPresent(d -> out.add("description " + d.file().getFileName() + " (" + kind(d)
        + d.name().map(n -> ", VM '" + n + "'").orElse("") + ")"));
    out.add("cpu " + cpu());
    out.add(line("memory", memory));
    out.add(line("firmware", firmware));
    out.add("secure boot " + (secureBoot.value() ? "on" : "off") + " (" + secureBoot.origin() + ")");
    out.add("machine type " + (machineType.value().isEmpty() ? "q35" : machineType.value()) + " ("
        + machineType.origin() + ")");
    out.add("devices " + devices.value().label() + " (" + devices.origin() + ")");
    for (VmDisk d : disks) {
      out.add("disk " + d.name() + ": " + d.source().display() + ", bus " + d.bus().value() + " (" + d.bus().origin()
          + "), boot order " + d.bootOrder() + ", image " + d.image().value() + " (" + d.image().origin() + ")");
    }
    for (int i = 0; i < nics.size(); i++) {
      VmNic n = nics.get(i);
      StringBuilder b = new StringBuilder("nic ").append(i + 1).append(": ").append(n.model().value()).append(" (")
          .append(n.model().origin()).append(")");
      n.macAddress().ifPresent(m -> b.append(", MAC ").append(m.value()).append(" (").append(m.origin()).append(")"));
      if (n.network().isPresent()) {
        b.append(", network ").append(n.network().get().value()).append(" (").append(n.network().get().origin())
            .append(")");
      } else {
        b.append(", pod network");
      }
      out.add(b.toString());
    }
    description.ifPresent(d -> d.guestOs().ifPresent(os -> out.add("guest OS " + os + " (from "
        + d.file().getFileName() + ")")));
    return List.copyOf(out);
  }

  /**
   * @return warnings for the build log: what the description declares that could not be carried
   *     over (one line listing it all), and settings that KubeVirt may refuse
   */
  public List<String> warnings() {
    List<String> out = new ArrayList<>();
    List<String> lost = notCarriedOver();
    if (!lost.isEmpty()) {
      out.add("Not carried over from " + descriptionFile().orElseThrow().getFileName()
          + " (KubeVirt cannot be given them, or the plugin does not map them): " + String.join("; ", lost));
    }
    out.addAll(warnings);
    return List.copyOf(out);
  }

  private String cpu() {
    String s = count(cpuSockets.value(), "socket");
    String c = count(cpuCores.value(), "core");
    String t = count(cpuThreads.value(), "thread");
    if (cpuSockets.origin().equals(cpuCores.origin()) && cpuCores.origin().equals(cpuThreads.origin())) {
      return s + " x " + c + " x " + t + " (" + cpuSockets.origin() + ")";
    }
    return s + " (" + cpuSockets.origin() + ") x " + c + " (" + cpuCores.origin() + ") x " + t + " ("
        + cpuThreads.origin() + ")";
  }

  private static String count(int n, String what) {
    return n + " " + what + (n == 1 ? "" : "s");
  }

  private static String line(String label, Setting<?> s) {
    return label + " " + s.value() + " (" + s.origin() + ")";
  }

  private static String kind(VmDescription d) {
    return switch (d.format()) {
      case OVA -> "OVF in an OVA";
      case OVF -> "OVF";
      case LIBVIRT -> "libvirt domain XML";
      case VMX -> "VMware .vmx";
      case VBOX -> "VirtualBox .vbox";
    };
  }

  @Override
  public String toString() {
    return "Vm[" + name.value() + ", " + disks.size() + " disk(s), " + nics.size() + " NIC(s)]";
  }
}
