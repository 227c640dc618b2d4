package dev.vmpackager.vm;

import dev.vmpackager.disk.convert.SourceDiscovery;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Resolves the VM every goal packages from three places, each setting from the first that has
 * it: what the POM sets ({@link PomVm}: always wins; a field left unset is not a setting, so its
 * default never hides the description's value), the VM's own description
 * ({@link VmDescription}), and the defaults (memory {@code 1Gi}, 1 socket x 1 core x 1 thread,
 * {@code bios}, Secure Boot off, KubeVirt's machine type, devices {@code compatible}, bus
 * {@code virtio} for a disk no description declares, format {@code qcow2}). CPU sockets, cores
 * and threads are three settings: to replace a described topology entirely, set all three.
 *
 * <p><b>Disks.</b> Without a description the disks are {@code <disks>} (or {@code <source>},
 * short for a one-element list), else the one disk image in {@code src/main/vm/}
 * ({@link SourceDiscovery}). With a description they are its disks in its boot order, and
 * {@code <disks>} overrides them <em>by name</em>: a POM disk whose {@code <name>} is a described
 * disk's name (as the build log shows it, or the description's own id made a DNS label:
 * {@code vda}, {@code scsi0-0}, {@code vmdisk1}) replaces that disk's source, bus or image and
 * takes that name; a POM disk matching none is added after the described ones (it needs a
 * {@code <source>}). A described disk the POM does not name stays as described. A POM disk
 * without a name (such as {@code <source>}) overrides the description's disk only when the
 * description has exactly one. The boot disk is the first, unless one disk says
 * {@code <boot>true</boot>}: it moves to the front and the others keep their order. Boot orders
 * are 1, 2, 3... in that order.
 *
 * <p><b>Disk names</b> are DNS labels unique within the VM. A POM disk's {@code <name>} is used as
 * written. A described disk is named after its file without the extension, lower-cased, with
 * accents dropped and every run of other characters made one {@code -} ({@code Ubuntu 64-bit-0.vmdk}
 * is {@code ubuntu-64-bit-0}, {@code appvm-1.vmdk} is {@code appvm-1}): readable, and stable as
 * long as the file keeps its name. When that leaves nothing, the description's id is used
 * ({@code vda}, {@code scsi0-0}); a name already taken gets {@code -2}, {@code -3}...
 * ({@code cloudinitdisk} is the chart's own). A disk only the POM or discovery gives, without a
 * name, is named after the VM when it is the VM's only disk, else after its file.
 *
 * <p><b>Files and images.</b> A VM with one disk converts it to {@code target/vm/<vm name>.<format>};
 * with several, each to {@code target/vm/<vm name>-<disk name>.<format>}. The boot disk's image
 * is {@code <image>}; every other disk's is its {@code <image>}, else
 * {@code <image repository>-<disk name>:<tag>} ({@link ImageNames#forDisk(String, String)}).
 *
 * <p><b>Devices.</b> A disk's bus is its {@code <bus>}, else {@code <vm><diskBus>} (every disk),
 * else with {@code <vm><devices>compatible</devices>} (default) the bus its described controller
 * maps to ({@link DiskController#compatibleBus()}), with {@code virtio} {@code virtio}; a disk no
 * description declares is on {@code virtio}, as always. A NIC's model is its {@code <model>}, else
 * {@link NicModel#compatibleModel()} or {@code virtio} likewise, and {@code virtio} for a NIC no
 * description declares.
 *
 * <p><b>NICs.</b> The description's NICs in its order, overridden by {@code <vm><nics><nic>} by
 * position; POM NICs beyond the described ones are added. A VM always has at least one NIC. The
 * first is on the pod network; each other one attaches to a Multus network: its
 * {@code <network>}, else the source network's name made a DNS label ({@code VM Network} becomes
 * {@code vm-network}), else its interface name ({@code net1}, {@code net2}...).
 *
 * <p><b>MAC addresses</b> are kept where the source fixed them, because that is the address the
 * guest's network configuration, DHCP reservations and licences know: a VMware static
 * {@code ethernetN.address} and a generated {@code ethernetN.generatedAddress} (VMware generates
 * it once and stores it in the {@code .vmx}), libvirt's {@code mac@address}, an OVF NIC's
 * {@code Address}, VirtualBox's {@code MACAddress}. A {@code <macAddress>} in the POM wins. Two
 * NICs with one MAC address are an error.
 *
 * <p><b>Firmware.</b> With {@code efi} and nothing saying otherwise, Secure Boot is off, and the
 * model says so explicitly ({@link Vm#secureBoot()}): KubeVirt turns it on when {@code efi} is
 * silent. A description's machine type is never written: KubeVirt runs q35 only, so an i440fx
 * ({@code pc-i440fx-*}, {@code pc}), a VMware {@code vmx-N} or a VirtualBox chipset becomes
 * KubeVirt's default (q35), and a versioned {@code pc-q35-8.2} does too (the cluster's QEMU has
 * its own q35 versions); a POM {@code <machineType>} is written as given.
 */
public final class VmResolver {

  /** Guest memory when neither the POM nor the description sets it. */
  public static final String DEFAULT_MEMORY = "1Gi";
  /** The disk buses KubeVirt accepts. */
  public static final List<String> BUSES = List.of("virtio", "sata", "scsi", "usb");
  /** The interface models KubeVirt accepts. */
  public static final List<String> NIC_MODELS = List.of("e1000", "e1000e", "igb", "ne2k_pci", "pcnet", "rtl8139",
      "virtio");
  /** Volume names the chart uses itself. */
  static final Set<String> RESERVED_DISK_NAMES = Set.of("cloudinitdisk");

  private static final int MAX_VCPUS = VmDescription.MAX_VCPUS;
  private static final int MAX_VM_NAME = 53;
  private static final int MAX_DISK_NAME = 63;
  private static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  private static final Pattern MACHINE_TYPE = Pattern.compile("^[A-Za-z0-9][-A-Za-z0-9_.]*$");
  private static final Pattern NETWORK =
      Pattern.compile("^([a-z0-9]([-a-z0-9]*[a-z0-9])?/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$");
  private static final String DISK = "<disks><disk>";
  private static final String SOURCE = "<source> (vm.source)";
  private static final String NIC = "<vm><nics><nic>";

  private final Path projectDir;
  private final String artifactId;
  private final String defaultImage;

  /**
   * @param projectDir the project's folder: relative disk sources are resolved against it, and
   *     {@code <disks>} sources must lie in it
   * @param artifactId the VM's default name
   * @param projectVersion with the artifactId, the default image
   *     {@code <artifactId>-containerdisk:<version>}
   */
  public VmResolver(Path projectDir, String artifactId, String projectVersion) {
    this.projectDir = Objects.requireNonNull(projectDir, "projectDir").toAbsolutePath().normalize();
    this.artifactId = Objects.requireNonNull(artifactId, "artifactId");
    this.defaultImage = artifactId + "-containerdisk:" + Objects.requireNonNull(projectVersion, "projectVersion");
  }

  /** @return {@code src/main/vm/} in the project: where the VM's description and disks are looked for */
  public Path vmFolder() {
    return projectDir.resolve("src").resolve("main").resolve("vm");
  }

  /**
   * Reads the VM's description: {@code definition} when given, else the one description in
   * {@link #vmFolder()}.
   *
   * @param definition {@code <definition>} ({@code vm.definition}), or null
   * @param ovfConfiguration {@code vm.ovfConfiguration}: the OVF deployment option, empty for the default
   * @return the description, empty when none is given and the folder holds none
   * @throws VmConfigException when the folder holds several descriptions, or an OVF configuration
   *     is named without any description
   * @throws IOException when the description is malformed ({@link VmDescriptionException}) or
   *     cannot be read
   */
  public Optional<VmDescription> findDescription(Path definition, Optional<String> ovfConfiguration)
      throws VmConfigException, IOException {
    if (definition != null) {
      Path f = definition.isAbsolute() ? definition : projectDir.resolve(definition);
      return Optional.of(VmDescriptions.read(f, ovfConfiguration));
    }
    List<Path> found = VmDescriptions.candidates(vmFolder());
    if (found.size() > 1) {
      throw new VmConfigException("<definition> (vm.definition)", vmFolder() + " holds several VM descriptions: "
          + found.stream().map(p -> p.getFileName().toString()).collect(Collectors.joining(", "))
          + "; name the VM's with <definition> (vm.definition), or remove the others");
    }
    if (found.isEmpty()) {
      if (ovfConfiguration.isPresent()) {
        throw new VmConfigException("vm.ovfConfiguration", "vm.ovfConfiguration names the OVF deployment option '"
            + ovfConfiguration.get() + "', but there is no OVF: " + vmFolder() + " holds no VM description and"
            + " <definition> (vm.definition) is not set");
      }
      return Optional.empty();
    }
    return Optional.of(VmDescriptions.read(found.get(0), ovfConfiguration));
  }

  /**
   * @param pom what the POM sets
   * @param description the VM's own description, if any
   * @return the VM
   * @throws VmConfigException when a POM setting is malformed or contradicts another (naming the
   *     parameter), or the VM would have no disk
   * @throws IOException when {@code src/main/vm/} cannot be listed or a disk file cannot be looked at
   */
  public Vm resolve(PomVm pom, Optional<VmDescription> description) throws VmConfigException, IOException {
    Objects.requireNonNull(pom, "pom");
    Objects.requireNonNull(description, "description");
    VmDescription d = description.orElse(null);
    String from = d == null ? null : "from " + d.file().getFileName();
    List<String> warnings = new ArrayList<>();

    Setting<String> name = name(pom);
    Setting<Integer> sockets = cpu(pom.cpuSockets(), "<vm><cpuSockets>", d == null ? OptionalInt.empty()
        : d.cpuSockets(), from);
    Setting<Integer> cores = cpu(pom.cpuCores(), "<vm><cpuCores>", d == null ? OptionalInt.empty() : d.cpuCores(),
        from);
    Setting<Integer> threads = cpu(pom.cpuThreads(), "<vm><cpuThreads>", d == null ? OptionalInt.empty()
        : d.cpuThreads(), from);
    long vcpus = (long) sockets.value() * cores.value() * threads.value();
    if (vcpus > MAX_VCPUS) {
      throw new VmConfigException("<vm><cpuCores>", "<vm><cpuSockets> x <vm><cpuCores> x <vm><cpuThreads>: "
          + sockets.value() + " (" + sockets.origin() + ") x " + cores.value() + " (" + cores.origin() + ") x "
          + threads.value() + " (" + threads.origin() + ") = " + vcpus + " vCPUs; at most " + MAX_VCPUS
          + " are allowed");
    }
    Setting<String> memory = memory(pom, d, from);
    Setting<String> firmware = firmware(pom, d, from);
    Setting<Boolean> secureBoot = secureBoot(pom, d, from, firmware);
    Setting<String> machineType = machineType(pom, d, from, warnings);
    Setting<DevicePolicy> devices = devices(pom);
    String format = format(pom);
    Setting<String> image = blank(pom.image()) ? Setting.byDefault(defaultImage, "default")
        : Setting.pom(pom.image().strip(), "<image>");
    String diskBus = diskBus(pom);
    List<VmDisk> disks = disks(pom, d, name.value(), devices, diskBus, format, image);
    List<VmNic> nics = nics(pom, d, devices);
    return new Vm(name, description, sockets, cores, threads, memory, firmware, secureBoot, machineType, devices,
        format, disks, nics, warnings);
  }

  // ---- hardware ------------------------------------------------------------------------------

  private Setting<String> name(PomVm pom) throws VmConfigException {
    if (!blank(pom.name())) {
      String v = pom.name().strip();
      if (!isDnsLabel(v, MAX_VM_NAME)) {
        throw new VmConfigException("<vm><name>", "<vm><name> '" + v + "' must be a DNS label of at most "
            + MAX_VM_NAME + " characters (lower-case letters, digits and '-', starting and ending with a letter or"
            + " digit), e.g. my-app-vm: it names the VirtualMachine, the converted disks and their images");
      }
      return Setting.pom(v, "<vm><name>");
    }
    if (!isDnsLabel(artifactId, MAX_VM_NAME)) {
      throw new VmConfigException("<vm><name>", "the VM is named after the artifactId by default, and '" + artifactId
          + "' is not a DNS label of at most " + MAX_VM_NAME + " characters (lower-case letters, digits and '-'):"
          + " set <vm><name>, e.g. " + orElse(dnsLabel(artifactId, MAX_VM_NAME), "my-app-vm"));
    }
    return Setting.byDefault(artifactId, "default: the artifactId");
  }

  private static Setting<Integer> cpu(Integer pom, String parameter, OptionalInt described, String from)
      throws VmConfigException {
    if (pom != null) {
      if (pom < 1 || pom > MAX_VCPUS) {
        throw new VmConfigException(parameter, parameter + " " + pom + " must be between 1 and " + MAX_VCPUS);
      }
      return Setting.pom(pom, parameter);
    }
    if (described.isPresent()) {
      return Setting.described(described.getAsInt(), from);
    }
    return Setting.byDefault(1, "default");
  }

  private static Setting<String> memory(PomVm pom, VmDescription d, String from) throws VmConfigException {
    if (!blank(pom.memory())) {
      String v = pom.memory().strip();
      if (!Quantities.isMemory(v)) {
        throw new VmConfigException("<vm><memory>", "<vm><memory> '" + v + "' is not a Kubernetes memory quantity:"
            + " a number and a suffix without spaces, e.g. 512Mi, 2Gi (binary) or 2G (decimal)");
      }
      return Setting.pom(v, "<vm><memory>");
    }
    if (d != null && d.memoryBytes().isPresent()) {
      return Setting.described(Quantities.memory(d.memoryBytes().getAsLong()), from);
    }
    return Setting.byDefault(DEFAULT_MEMORY, "default");
  }

  private static Setting<String> firmware(PomVm pom, VmDescription d, String from) throws VmConfigException {
    if (!blank(pom.firmware())) {
      String v = pom.firmware().strip().toLowerCase(Locale.ROOT);
      if (!v.equals("bios") && !v.equals("efi")) {
        throw new VmConfigException("<vm><firmware>", "<vm><firmware> '" + pom.firmware().strip()
            + "' must be bios or efi");
      }
      return Setting.pom(v, "<vm><firmware>");
    }
    if (d != null && d.firmware().isPresent()) {
      return Setting.described(d.firmware().get(), from);
    }
    return Setting.byDefault("bios", "default");
  }

  private static Setting<Boolean> secureBoot(PomVm pom, VmDescription d, String from, Setting<String> firmware)
      throws VmConfigException {
    boolean efi = firmware.value().equals("efi");
    if (pom.secureBoot() != null) {
      if (pom.secureBoot() && !efi) {
        throw new VmConfigException("<vm><secureBoot>", "<vm><secureBoot>true</secureBoot> needs the efi firmware:"
            + " Secure Boot is a UEFI feature, and the firmware is bios (" + firmware.origin() + "); set"
            + " <vm><firmware>efi</firmware> or remove <secureBoot>");
      }
      return Setting.pom(pom.secureBoot(), "<vm><secureBoot>");
    }
    if (!efi) {
      if (d != null && d.secureBoot().orElse(false)) {
        return new Setting<>(false, firmware.from(), "firmware bios " + firmware.origin() + ", so no Secure Boot");
      }
      return Setting.byDefault(false, "firmware bios");
    }
    if (d != null && d.secureBoot().isPresent()) {
      return Setting.described(d.secureBoot().get(), from);
    }
    return Setting.byDefault(false, "default with efi, written out because KubeVirt would turn it on");
  }

  private static Setting<String> machineType(PomVm pom, VmDescription d, String from, List<String> warnings)
      throws VmConfigException {
    if (!blank(pom.machineType())) {
      String v = pom.machineType().strip();
      if (!MACHINE_TYPE.matcher(v).matches()) {
        throw new VmConfigException("<vm><machineType>", "<vm><machineType> '" + v + "' must be a QEMU machine type"
            + " such as q35 or pc-q35-rhel9.6.0");
      }
      if (!isQ35(v)) {
        warnings.add("<vm><machineType> " + v + " is not a q35 machine type: KubeVirt runs q35 only and refuses it"
            + " unless the cluster's KubeVirt configuration adds it to emulatedMachines");
      }
      return Setting.pom(v, "<vm><machineType>");
    }
    if (d != null && d.machineType().isPresent()) {
      String v = d.machineType().get();
      if (v.equalsIgnoreCase("q35")) {
        return Setting.described("", from);
      }
      return Setting.described("", from + ": " + v + (isQ35(v) ? " made the cluster's q35 version"
          : " replaced, KubeVirt runs q35 only"));
    }
    return Setting.byDefault("", "KubeVirt's default");
  }

  private static boolean isQ35(String machineType) {
    String v = machineType.toLowerCase(Locale.ROOT);
    return v.startsWith("q35") || v.startsWith("pc-q35");
  }

  private static Setting<DevicePolicy> devices(PomVm pom) throws VmConfigException {
    if (blank(pom.devices())) {
      return Setting.byDefault(DevicePolicy.COMPATIBLE, "default");
    }
    DevicePolicy p = DevicePolicy.parse(pom.devices()).orElseThrow(() -> new VmConfigException(
        "<vm><devices> (vm.devices)", "<vm><devices> (vm.devices) '" + pom.devices().strip() + "' must be compatible"
            + " (the default: disk buses and NIC models the guest already has drivers for) or virtio (fastest; for"
            + " guests known to carry virtio drivers)"));
    return Setting.pom(p, pom.devicesOrigin());
  }

  private static String diskBus(PomVm pom) throws VmConfigException {
    if (blank(pom.diskBus())) {
      return null;
    }
    String b = pom.diskBus().strip().toLowerCase(Locale.ROOT);
    if (!BUSES.contains(b)) {
      throw new VmConfigException("<vm><diskBus>", "<vm><diskBus> '" + pom.diskBus().strip() + "' must be one of "
          + String.join(", ", BUSES));
    }
    return b;
  }

  private static String format(PomVm pom) throws VmConfigException {
    if (blank(pom.format())) {
      return "qcow2";
    }
    String f = pom.format().strip().toLowerCase(Locale.ROOT);
    if (!f.equals("qcow2") && !f.equals("raw")) {
      throw new VmConfigException("<format> (vm.format)", "<format> (vm.format) must be qcow2 or raw, not '"
          + pom.format() + "'");
    }
    return f;
  }

  // ---- disks ---------------------------------------------------------------------------------

  /** A disk on its way to a {@link VmDisk}. */
  private static final class Draft {
    String name;
    DiskSource source;
    DescribedDisk described;
    PomVm.PomDisk pom;
  }

  private List<VmDisk> disks(PomVm pom, VmDescription d, String vmName, Setting<DevicePolicy> devices,
      String diskBus, String format, Setting<String> image) throws VmConfigException, IOException {
    if (pom.source() != null && !pom.disks().isEmpty()) {
      throw new VmConfigException(SOURCE, SOURCE + " and <disks> both name the VM's disks: <source> is short for a"
          + " one-element <disks>; keep one of them");
    }
    List<PomVm.PomDisk> pomDisks = pom.source() != null
        ? List.of(new PomVm.PomDisk(null, pom.source(), null, null, null)) : pom.disks();
    String parameter = pom.source() != null ? SOURCE : DISK;
    checkPomDisks(pomDisks, parameter);

    List<Draft> drafts = new ArrayList<>();
    if (d != null && !d.disks().isEmpty()) {
      List<String> names = describedNames(d.disks());
      for (int i = 0; i < d.disks().size(); i++) {
        Draft dr = new Draft();
        dr.described = d.disks().get(i);
        dr.name = names.get(i);
        dr.source = d.format() == DescriptionFormat.OVA ? new DiskSource(d.file(), Optional.of(dr.described.file()))
            : DiskSource.of(d.file().toAbsolutePath().getParent().resolve(dr.described.file()));
        drafts.add(dr);
      }
      List<Draft> added = new ArrayList<>();
      for (PomVm.PomDisk p : pomDisks) {
        Draft match = match(p, drafts, pomDisks.size(), d, parameter);
        if (match == null) {
          if (p.source() == null) {
            throw new VmConfigException(DISK, DISK + " '" + p.name() + "' is none of the disks "
                + d.file().getFileName() + " describes (" + drafts.stream().map(x -> x.name)
                .collect(Collectors.joining(", ")) + "), so it is a new disk and needs a <source>; or give it the"
                + " name of the described disk it overrides");
          }
          match = new Draft();
          added.add(match);
        } else if (match.pom != null) {
          throw new VmConfigException(DISK, DISK + " '" + p.name() + "' and '" + match.pom.name() + "' both override"
              + " the disk " + match.name + " of " + d.file().getFileName() + "; list it once");
        }
        match.pom = p;
        if (p.name() != null) {
          match.name = p.name().strip();
        }
        if (p.source() != null) {
          match.source = DiskSource.of(source(p.source(), parameter));
        }
      }
      drafts.addAll(added);
    } else {
      if (pomDisks.isEmpty()) {
        if (d != null) {
          throw new VmConfigException(DISK, d.file() + " describes no hard disk (" + (d.notCarriedOver().isEmpty()
              ? "none at all" : "only: " + String.join("; ", d.notCarriedOver())) + "): name the VM's disks with"
              + " <disks><disk><name>os</name><source>src/main/vm/os.qcow2</source></disk></disks>");
        }
        pomDisks = List.of(new PomVm.PomDisk(null, discover(), null, null, null));
        parameter = SOURCE;
      }
      for (PomVm.PomDisk p : pomDisks) {
        if (p.source() == null) {
          throw new VmConfigException(DISK, DISK + (p.name() == null ? "" : " '" + p.name().strip() + "'")
              + " has no <source>: without a VM description every disk needs its disk image file, e.g."
              + " <source>src/main/vm/os.qcow2</source>");
        }
        Draft dr = new Draft();
        dr.pom = p;
        dr.source = DiskSource.of(source(p.source(), parameter));
        dr.name = p.name() == null ? null : p.name().strip();
        drafts.add(dr);
      }
      if (drafts.size() == 1 && drafts.get(0).name == null) {
        drafts.get(0).name = vmName;
      }
      for (Draft dr : drafts) {
        if (dr.name == null) {
          String n = fileLabel(dr.source.file().getFileName().toString());
          if (n.isEmpty()) {
            throw new VmConfigException(DISK, DISK + " with <source>" + dr.source.file() + "</source> needs a <name>:"
                + " its file name makes no DNS label");
          }
          dr.name = n;
        }
      }
    }

    // The boot disk goes first; the others keep their order.
    for (int i = 0; i < drafts.size(); i++) {
      Draft dr = drafts.get(i);
      if (dr.pom != null && Boolean.TRUE.equals(dr.pom.boot()) && i > 0) {
        drafts.remove(i);
        drafts.add(0, dr);
        break;
      }
    }

    Set<String> names = new HashSet<>();
    for (Draft dr : drafts) {
      if (!names.add(dr.name)) {
        throw new VmConfigException(DISK, "two disks are named " + dr.name + " (" + drafts.stream()
            .filter(x -> x.name.equals(dr.name)).map(x -> x.source.display()).collect(Collectors.joining(" and "))
            + "): give each disk its own <name> in <disks>");
      }
    }

    List<VmDisk> out = new ArrayList<>();
    Set<String> images = new HashSet<>();
    for (int i = 0; i < drafts.size(); i++) {
      Draft dr = drafts.get(i);
      Setting<String> img = image(dr, i == 0, image);
      if (!images.add(img.value())) {
        throw new VmConfigException(DISK, "two disks would be pushed as the image " + img.value() + " (the second is "
            + dr.name + "): give the disk its own <image>");
      }
      String fileName = (drafts.size() == 1 ? vmName : vmName + "-" + dr.name) + "." + format;
      boolean sourceKept = dr.described != null && (dr.pom == null || dr.pom.source() == null);
      out.add(new VmDisk(dr.name, dr.source, fileName, img, bus(dr, diskBus, devices, d), i + 1,
          sourceKept ? dr.described.capacityBytes() : OptionalLong.empty(),
          Optional.ofNullable(dr.described).map(DescribedDisk::controller),
          Optional.ofNullable(dr.described).map(DescribedDisk::element)));
    }
    return out;
  }

  private Path discover() throws VmConfigException, IOException {
    try {
      return SourceDiscovery.single(vmFolder());
    } catch (SourceDiscovery.Problem e) {
      throw new VmConfigException(SOURCE, e.getMessage(), e);
    }
  }

  private static void checkPomDisks(List<PomVm.PomDisk> disks, String parameter) throws VmConfigException {
    String boot = null;
    for (PomVm.PomDisk p : disks) {
      String label = p.name() == null ? (p.source() == null ? "" : " " + p.source()) : " '" + p.name().strip() + "'";
      if (p.name() != null) {
        String n = p.name().strip();
        if (!isDnsLabel(n, MAX_DISK_NAME)) {
          throw new VmConfigException(DISK, DISK + " name '" + n + "' must be a DNS label of at most " + MAX_DISK_NAME
              + " characters (lower-case letters, digits and '-', starting and ending with a letter or digit), e.g."
              + " data");
        }
        if (RESERVED_DISK_NAMES.contains(n)) {
          throw new VmConfigException(DISK, DISK + " name '" + n + "' is the chart's own cloud-init disk; choose"
              + " another");
        }
      }
      if (p.bus() != null && !BUSES.contains(p.bus().strip().toLowerCase(Locale.ROOT))) {
        throw new VmConfigException(DISK, parameter + label + ": <bus> '" + p.bus().strip() + "' must be one of "
            + String.join(", ", BUSES));
      }
      if (Boolean.TRUE.equals(p.boot())) {
        if (boot != null) {
          throw new VmConfigException(DISK, DISK + boot + " and" + label + " both say <boot>true</boot>; a VM boots"
              + " from one disk");
        }
        boot = label;
      }
      if (!blank(p.image())) {
        try {
          ImageNames.parse(p.image(), DISK + label + " <image>");
        } catch (VmConfigException e) {
          throw new VmConfigException(DISK, e.getMessage(), e);
        }
      }
    }
  }

  /** @return the described disk a POM disk overrides, or null when it is a new disk */
  private static Draft match(PomVm.PomDisk p, List<Draft> drafts, int pomDiskCount, VmDescription d,
      String parameter) throws VmConfigException {
    if (p.name() == null) {
      if (drafts.size() == 1 && pomDiskCount == 1) {
        return drafts.get(0);
      }
      throw new VmConfigException(parameter, parameter + (p.source() == null ? "" : " " + p.source())
          + " names a disk without a <name>, and " + d.file().getFileName() + " describes " + drafts.size()
          + " disks (" + drafts.stream().map(x -> x.name).collect(Collectors.joining(", ")) + "): use <disks> and"
          + " give each disk the name of the described disk it overrides, e.g. <disks><disk><name>"
          + drafts.get(0).name + "</name><source>...</source></disk></disks>");
    }
    String n = p.name().strip();
    for (Draft dr : drafts) {
      if (dr.name.equals(n)) {
        return dr;
      }
    }
    for (Draft dr : drafts) {
      if (dnsLabel(dr.described.name(), MAX_DISK_NAME).equals(n)) {
        return dr;
      }
    }
    return null;
  }

  /** @return the disk names for the description's disks: file names first, ids as a fallback, made unique */
  static List<String> describedNames(List<DescribedDisk> disks) {
    Set<String> used = new HashSet<>(RESERVED_DISK_NAMES);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < disks.size(); i++) {
      DescribedDisk dd = disks.get(i);
      String n = fileLabel(dd.file());
      if (n.isEmpty()) {
        n = dnsLabel(dd.name(), MAX_DISK_NAME);
      }
      if (n.isEmpty()) {
        n = "disk" + (i + 1);
      }
      String base = n;
      for (int k = 2; used.contains(n); k++) {
        String suffix = "-" + k;
        n = trimDashes(base.substring(0, Math.min(base.length(), MAX_DISK_NAME - suffix.length()))) + suffix;
      }
      used.add(n);
      out.add(n);
    }
    return out;
  }

  private Path source(Path given, String parameter) throws VmConfigException {
    Path p = (given.isAbsolute() ? given : projectDir.resolve(given)).normalize();
    if (!Files.isRegularFile(p)) {
      throw new VmConfigException(parameter, parameter + " " + p + " is not a file");
    }
    // <source> has always taken any path (it/deploy-registry reads ../demo's disk); <disks> are the project's.
    if (parameter.equals(DISK)) {
      try {
        if (!p.toRealPath().startsWith(projectDir.toRealPath())) {
          throw new VmConfigException(DISK, DISK + " <source> " + given + " is outside the project folder "
              + projectDir + " (a symbolic link out counts): copy the disk into the project, e.g. src/main/vm/");
        }
      } catch (IOException e) {
        throw new VmConfigException(DISK, DISK + " <source> " + p + " cannot be looked at: " + e.getMessage(), e);
      }
    }
    return p;
  }

  private static Setting<String> image(Draft dr, boolean boot, Setting<String> image) throws VmConfigException {
    boolean own = dr.pom != null && !blank(dr.pom.image());
    if (boot) {
      if (own) {
        throw new VmConfigException(DISK, DISK + " '" + dr.name + "' is the boot disk, whose image is <image>"
            + " (vm.image); remove its <image>, or set <image> instead");
      }
      return image;
    }
    if (own) {
      return Setting.pom(dr.pom.image().strip(), "<disks><disk><image>");
    }
    return new Setting<>(ImageNames.forDisk(image.value(), dr.name), image.from(), image.from() == Setting.From.POM
        ? "<image> and the disk's name" : "default: the image and the disk's name");
  }

  private static Setting<String> bus(Draft dr, String diskBus, Setting<DevicePolicy> devices, VmDescription d) {
    if (dr.pom != null && !blank(dr.pom.bus())) {
      return Setting.pom(dr.pom.bus().strip().toLowerCase(Locale.ROOT), "<disks><disk><bus>");
    }
    if (diskBus != null) {
      return Setting.pom(diskBus, "<vm><diskBus>");
    }
    if (dr.described != null) {
      DiskController c = dr.described.controller();
      String where = (c == DiskController.UNKNOWN ? "an unnamed controller" : c.label()) + " in "
          + d.file().getFileName();
      return devices.value() == DevicePolicy.COMPATIBLE
          ? Setting.described(c.compatibleBus(), where + ", devices=compatible")
          : new Setting<>("virtio", devices.from(), "devices=virtio, " + where);
    }
    if (devices.value() == DevicePolicy.VIRTIO && devices.isStated()) {
      return new Setting<>("virtio", devices.from(), "devices=virtio");
    }
    return Setting.byDefault("virtio", "default");
  }

  // ---- NICs ----------------------------------------------------------------------------------

  private static List<VmNic> nics(PomVm pom, VmDescription d, Setting<DevicePolicy> devices)
      throws VmConfigException {
    List<DescribedNic> described = d == null ? List.of() : d.nics();
    int count = Math.max(1, Math.max(described.size(), pom.nics().size()));
    List<VmNic> out = new ArrayList<>();
    Set<String> macs = new HashSet<>();
    for (int i = 0; i < count; i++) {
      DescribedNic dn = i < described.size() ? described.get(i) : null;
      PomVm.PomNic pn = i < pom.nics().size() ? pom.nics().get(i) : null;
      String name = i == 0 ? "default" : "net" + i;
      String label = NIC + "[" + (i + 1) + "]";
      String from = d == null ? null : d.file().getFileName().toString();

      Setting<String> model;
      if (pn != null && !blank(pn.model())) {
        String m = pn.model().strip().toLowerCase(Locale.ROOT);
        if (!NIC_MODELS.contains(m)) {
          throw new VmConfigException(NIC, label + " <model> '" + pn.model().strip() + "' must be one of "
              + String.join(", ", NIC_MODELS));
        }
        model = Setting.pom(m, "<vm><nics><nic><model>");
      } else if (dn != null) {
        model = devices.value() == DevicePolicy.COMPATIBLE
            ? Setting.described(dn.model().compatibleModel(), dn.model().label() + " in " + from
                + ", devices=compatible")
            : new Setting<>("virtio", devices.from(), "devices=virtio, " + dn.model().label() + " in " + from);
      } else if (devices.value() == DevicePolicy.VIRTIO && devices.isStated()) {
        model = new Setting<>("virtio", devices.from(), "devices=virtio");
      } else {
        model = Setting.byDefault("virtio", "default");
      }

      Optional<Setting<String>> mac = Optional.empty();
      if (pn != null && !blank(pn.macAddress())) {
        String m = MacAddress.normalize(pn.macAddress()).orElseThrow(() -> new VmConfigException(NIC, label
            + " <macAddress> '" + pn.macAddress().strip() + "' is not a unicast MAC address such as"
            + " 02:00:00:00:00:01"));
        mac = Optional.of(Setting.pom(m, "<vm><nics><nic><macAddress>"));
      } else if (dn != null && dn.macAddress().isPresent()) {
        mac = Optional.of(Setting.described(dn.macAddress().get(), "from " + from));
      }
      if (mac.isPresent() && !macs.add(mac.get().value())) {
        throw new VmConfigException(NIC, "two NICs have the MAC address " + mac.get().value() + " (the second is NIC "
            + (i + 1) + ", " + mac.get().origin() + "): set another with " + label + " <macAddress>");
      }

      Optional<Setting<String>> network = Optional.empty();
      if (i == 0) {
        if (pn != null && !blank(pn.network())) {
          throw new VmConfigException(NIC, label + " <network> '" + pn.network().strip() + "': the first NIC is on the"
              + " pod network (the VM's Service and its cluster traffic use it); only the NICs after it attach to"
              + " Multus networks");
        }
      } else if (pn != null && !blank(pn.network())) {
        String n = pn.network().strip();
        if (n.length() > 253 || !NETWORK.matcher(n).matches()) {
          throw new VmConfigException(NIC, label + " <network> '" + n + "' must name a NetworkAttachmentDefinition:"
              + " [namespace/]name in lower-case letters, digits, '-' and '.'");
        }
        network = Optional.of(Setting.pom(n, "<vm><nics><nic><network>"));
      } else if (dn != null && dn.network().isPresent() && !dnsLabel(dn.network().get(), 63).isEmpty()) {
        String n = dnsLabel(dn.network().get(), 63);
        network = Optional.of(Setting.described(n, "from " + from + (n.equals(dn.network().get()) ? ""
            : ": '" + dn.network().get() + "'")));
      } else {
        network = Optional.of(Setting.byDefault(name, "default"));
      }
      out.add(new VmNic(name, model, mac, network, Optional.ofNullable(dn).map(DescribedNic::model),
          Optional.ofNullable(dn).map(DescribedNic::element)));
    }
    return out;
  }

  // ---- names ---------------------------------------------------------------------------------

  /**
   * @param fileName a disk file's name
   * @return the name without its extension made a DNS label ({@code Ubuntu 64-bit-0.vmdk} gives
   *     {@code ubuntu-64-bit-0}), empty when nothing is left
   */
  static String fileLabel(String fileName) {
    int dot = fileName.lastIndexOf('.');
    return dnsLabel(dot > 0 ? fileName.substring(0, dot) : fileName, MAX_DISK_NAME);
  }

  /**
   * @param text any text
   * @param max the longest label wanted
   * @return the text lower-cased, accents dropped, every run of other characters than
   *     {@code a-z0-9} one {@code -}, without leading or trailing {@code -}, at most {@code max}
   *     characters; empty when nothing is left
   */
  static String dnsLabel(String text, int max) {
    String s = Normalizer.normalize(text, Normalizer.Form.NFD).replaceAll("\\p{M}+", "").toLowerCase(Locale.ROOT)
        .replaceAll("[^a-z0-9]+", "-");
    s = trimDashes(s);
    return trimDashes(s.substring(0, Math.min(s.length(), max)));
  }

  private static String trimDashes(String s) {
    int b = 0;
    int e = s.length();
    while (b < e && s.charAt(b) == '-') {
      b++;
    }
    while (e > b && s.charAt(e - 1) == '-') {
      e--;
    }
    return s.substring(b, e);
  }

  private static boolean isDnsLabel(String s, int max) {
    return s.length() <= max && DNS_LABEL.matcher(s).matches();
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static String orElse(String s, String fallback) {
    return s.isEmpty() ? fallback : s;
  }
}
