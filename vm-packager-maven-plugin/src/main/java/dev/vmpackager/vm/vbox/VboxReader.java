package dev.vmpackager.vm.vbox;

import static dev.vmpackager.vm.DescriptionXml.attr;
import static dev.vmpackager.vm.DescriptionXml.child;
import static dev.vmpackager.vm.DescriptionXml.children;

import dev.vmpackager.vm.DescribedDisk;
import dev.vmpackager.vm.DescribedNic;
import dev.vmpackager.vm.DescriptionFormat;
import dev.vmpackager.vm.DescriptionXml;
import dev.vmpackager.vm.DiskController;
import dev.vmpackager.vm.DiskOrder;
import dev.vmpackager.vm.FolderFiles;
import dev.vmpackager.vm.MacAddress;
import dev.vmpackager.vm.NicModel;
import dev.vmpackager.vm.VmDescription;
import dev.vmpackager.vm.VmDescriptionException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Reads a VirtualBox machine file ({@code .vbox}) into a {@link VmDescription}.
 *
 * <p>What is read, and from where (settings 1.19 and older keep CPU and chipset in
 * {@code Hardware}; 1.20, VirtualBox 7.1, moves them to {@code Platform}; storage controllers sit
 * in {@code Machine} in files VirtualBox writes and may sit in {@code Hardware}; all are accepted):
 * <ul>
 *   <li>{@code Machine@name}, {@code Machine@OSType};
 *   <li>CPU: {@code CPU@count} (default 1); VirtualBox presents its vCPUs as the cores of one
 *       socket, so that is the topology;
 *   <li>memory: {@code Memory@RAMSize} in MiB;
 *   <li>firmware: {@code Firmware@type} ({@code EFI}, {@code EFI64}, {@code EFIDUAL} are EFI;
 *       {@code EFI32} too, listed as not carried over since KubeVirt's firmware is 64-bit); Secure
 *       Boot state lives in the NVRAM file, not in the {@code .vbox}, so it is not read;
 *   <li>chipset: {@code ICH9} is given as {@code q35}, {@code PIIX3} as {@code i440fx};
 *   <li>disks: each {@code AttachedDevice type="HardDisk"}'s {@code Image@uuid} resolved in
 *       {@code MediaRegistry/HardDisks}, its {@code location} looked up by name in the folder.
 *       A differencing image (a {@code HardDisk} nested in another: the VM has snapshots) is
 *       refused: its parent chain is not a disk on its own.
 *   <li>boot order: {@code Boot/Order} ranks device classes, not disks; the disks are ordered as
 *       VirtualBox's BIOS finds them: bootable controllers first, then IDE, SATA, SCSI/SAS,
 *       NVMe, virtio-scsi, USB, then the controller's place in the file, port and device;
 *   <li>NICs: enabled {@code Network/Adapter}s, {@code type} (default {@code Am79C973}),
 *       {@code MACAddress} (12 hex digits), the attachment's network name.
 * </ul>
 * DVD and floppy drives, sound, serial and parallel ports, USB controllers, shared folders, a TPM
 * and a saved state are listed in {@link VmDescription#notCarriedOver()}.
 */
public final class VboxReader {

  /** The settings namespace every {@code .vbox} declares. */
  public static final String NAMESPACE = "http://www.virtualbox.org/";

  private VboxReader() {}

  /**
   * @param file a {@code .vbox} file; the disks it attaches are looked up in its folder
   * @return what it describes
   * @throws VmDescriptionException naming the file and the element when it is not a VirtualBox
   *     machine file, is hostile (DOCTYPE, too large, numbers out of range), or refers to media
   *     that are missing, differencing images or outside the folder
   * @throws IOException when it cannot be read
   */
  public static VmDescription read(Path file) throws IOException {
    byte[] xml = DescriptionXml.read(file);
    Document doc = DescriptionXml.parse(file, xml);
    Element root = doc.getDocumentElement();
    if (!"VirtualBox".equals(DescriptionXml.localName(root)) || !NAMESPACE.equals(root.getNamespaceURI())) {
      throw new VmDescriptionException(file, "root element", "<" + root.getTagName() + "> in namespace "
          + root.getNamespaceURI() + " is not a VirtualBox machine file (<VirtualBox xmlns=\"" + NAMESPACE + "\">)");
    }
    List<Element> machines = children(root, "Machine");
    if (machines.size() != 1) {
      List<String> names = machines.stream().map(m -> "'" + attr(m, "name") + "'").toList();
      throw new VmDescriptionException(file, "VirtualBox/Machine", machines.isEmpty()
          ? "the file holds no machine (a global VirtualBox.xml is not a VM description)"
          : "the file holds " + machines.size() + " machines " + names + "; a .vbox describes one VM");
    }
    Element machine = machines.get(0);
    VmDescription.Builder b = VmDescription.builder(file, DescriptionFormat.VBOX);
    new VboxReader.Machine(file, machine, b).read();
    return b.build();
  }

  /**
   * Reads the firmware and chipset of a VirtualBox machine element into a builder. Shared with the
   * OVF reader: VirtualBox's OVF export embeds the whole machine as {@code vbox:Machine}, and it
   * is the only place such an OVF states the firmware.
   *
   * @param file the description, for messages
   * @param machine a {@code Machine} element (its children may be in any namespace)
   * @param prefix the machine element's path, for messages, e.g. {@code VirtualSystem/vbox:Machine}
   * @param b receives the firmware, machine type and anything not carried over
   * @throws VmDescriptionException naming the element when a value is not one VirtualBox writes
   */
  public static void readFirmwareAndChipset(Path file, Element machine, String prefix, VmDescription.Builder b)
      throws VmDescriptionException {
    Machine m = new Machine(file, machine, b);
    m.prefix = prefix;
    m.firmwareAndChipset();
  }

  /**
   * Reads the enabled network adapters of a VirtualBox machine element, in slot order. Shared with
   * the OVF reader: VirtualBox's OVF export keeps the MAC addresses only in its {@code vbox:Machine}.
   *
   * @param file the description, for messages
   * @param machine a {@code Machine} element (its children may be in any namespace)
   * @param prefix the machine element's path, for messages
   * @return the enabled adapters
   * @throws VmDescriptionException naming the adapter when its MAC address is malformed
   */
  public static List<DescribedNic> readNics(Path file, Element machine, String prefix) throws VmDescriptionException {
    Machine m = new Machine(file, machine, null);
    m.prefix = prefix;
    return m.nics();
  }

  /** The parts of one {@code Machine} element. */
  private static final class Machine {
    private final Path file;
    private final Element machine;
    private final VmDescription.Builder b;
    private final Optional<Element> hardware;
    private final Optional<Element> platform;
    private String prefix = "Machine";

    Machine(Path file, Element machine, VmDescription.Builder b) {
      this.file = file;
      this.machine = machine;
      this.b = b;
      this.hardware = child(machine, "Hardware");
      this.platform = child(machine, "Platform");
    }

    void read() throws VmDescriptionException {
      if (hardware.isEmpty()) {
        throw new VmDescriptionException(file, prefix, "has no <Hardware> element; not a machine VirtualBox wrote");
      }
      String name = attr(machine, "name");
      if (!name.isEmpty()) {
        b.name(name);
      }
      String os = attr(machine, "OSType");
      if (!os.isEmpty()) {
        b.guestOs(os);
      }
      if (!attr(machine, "stateFile").isEmpty()) {
        b.notCarriedOver("saved state " + attr(machine, "stateFile") + " (the VM was suspended: it starts as after a"
            + " power loss)");
      }
      cpu();
      memory();
      firmwareAndChipset();
      if (platform.map(p -> attr(p, "architecture")).filter(a -> a.equalsIgnoreCase("ARM")).isPresent()) {
        b.notCarriedOver("ARM platform (Platform@architecture=\"ARM\"): the guest is an ARM guest");
      }
      disks();
      for (DescribedNic nic : nics()) {
        b.addNic(nic);
      }
      otherDevices();
    }

    private void cpu() throws VmDescriptionException {
      Optional<Element> cpu = platform.flatMap(p -> child(p, "CPU"));
      String where = prefix + "/Platform/CPU@count";
      if (cpu.isEmpty()) {
        cpu = hardware.flatMap(h -> child(h, "CPU"));
        where = prefix + "/Hardware/CPU@count";
      }
      if (cpu.isPresent()) {
        String count = attr(cpu.get(), "count");
        // The settings schema's default: a CPU element without a count is one vCPU.
        int n = count.isEmpty() ? 1 : (int) DescriptionXml.number(file, where, count, 1, 1024);
        b.cpuSockets(1).cpuCores(n).cpuThreads(1);
      }
    }

    private void memory() throws VmDescriptionException {
      Optional<Element> memory = hardware.flatMap(h -> child(h, "Memory"));
      if (memory.isPresent()) {
        String where = prefix + "/Hardware/Memory@RAMSize";
        // RAMSize is MiB; 16 TiB is the model's ceiling, so the shift cannot overflow.
        long mib = DescriptionXml.number(file, where, attr(memory.get(), "RAMSize"), 1, 16L << 20);
        b.memoryBytes(mib << 20);
      }
    }

    void firmwareAndChipset() throws VmDescriptionException {
      Optional<Element> firmware = hardware.flatMap(h -> child(h, "Firmware"));
      if (firmware.isPresent() && !attr(firmware.get(), "type").isEmpty()) {
        String type = attr(firmware.get(), "type");
        switch (type.toUpperCase(Locale.ROOT)) {
          case "BIOS" -> b.firmware("bios");
          case "EFI", "EFI64", "EFIDUAL" -> b.firmware("efi");
          case "EFI32" -> {
            b.firmware("efi");
            b.notCarriedOver("32-bit EFI firmware (Firmware@type=\"EFI32\"): KubeVirt's EFI is 64-bit, a 32-bit"
                + " EFI boot loader will not start");
          }
          default -> throw new VmDescriptionException(file, prefix + "/Hardware/Firmware@type", "'" + type
              + "' is not a VirtualBox firmware type (BIOS, EFI, EFI32, EFI64, EFIDUAL)");
        }
      }
      Optional<Element> chipset = platform.flatMap(p -> child(p, "Chipset"));
      if (chipset.isEmpty()) {
        chipset = hardware.flatMap(h -> child(h, "Chipset"));
      }
      if (chipset.isPresent() && !attr(chipset.get(), "type").isEmpty()) {
        String type = attr(chipset.get(), "type");
        // ICH9 is the southbridge of the Q35 machine QEMU emulates; PIIX3 is i440FX's.
        b.machineType(switch (type.toUpperCase(Locale.ROOT)) {
          case "ICH9" -> "q35";
          case "PIIX3" -> "i440fx";
          default -> type;
        });
      }
    }

    /** A hard disk in the media registry. */
    private record Medium(String uuid, String location, Element element, Element parent) {}

    private Map<String, Medium> registry() throws VmDescriptionException {
      Map<String, Medium> media = new HashMap<>();
      Optional<Element> disks = child(machine, "MediaRegistry").flatMap(r -> child(r, "HardDisks"));
      if (disks.isEmpty()) {
        return media;
      }
      // Walk the tree of base and differencing images without recursion (a hostile file may nest deeply).
      List<Medium> todo = new ArrayList<>();
      for (Element d : children(disks.get(), "HardDisk")) {
        todo.add(new Medium(uuid(attr(d, "uuid")), attr(d, "location"), d, null));
      }
      while (!todo.isEmpty()) {
        Medium m = todo.remove(todo.size() - 1);
        String where = prefix + "/MediaRegistry/HardDisks/HardDisk[uuid=" + attr(m.element(), "uuid") + "]";
        if (m.uuid().isEmpty()) {
          throw new VmDescriptionException(file, where, "a hard disk without uuid");
        }
        if (media.put(m.uuid(), m) != null) {
          throw new VmDescriptionException(file, where, "the uuid is registered twice; each medium has its own");
        }
        for (Element kid : children(m.element(), "HardDisk")) {
          todo.add(new Medium(uuid(attr(kid, "uuid")), attr(kid, "location"), kid, m.element()));
        }
      }
      return media;
    }

    /** A hard disk attachment, with what orders it. */
    private record Attached(DescribedDisk disk, boolean bootable, int rank, int controllerIndex, long port,
        long device) {}

    private void disks() throws VmDescriptionException {
      Map<String, Medium> media = registry();
      List<Element> controllers = new ArrayList<>();
      child(machine, "StorageControllers").ifPresent(s -> controllers.addAll(children(s, "StorageController")));
      hardware.flatMap(h -> child(h, "StorageControllers"))
          .ifPresent(s -> controllers.addAll(children(s, "StorageController")));
      List<Attached> attached = new ArrayList<>();
      Map<String, String> usedBy = new HashMap<>();
      for (int ci = 0; ci < controllers.size(); ci++) {
        Element c = controllers.get(ci);
        String cname = attr(c, "name");
        String type = attr(c, "type");
        String cwhere = prefix + "/StorageControllers/StorageController[name=" + cname + "]";
        DiskController controller = controller(type);
        boolean floppyController = type.equalsIgnoreCase("I82078");
        boolean bootable = !attr(c, "Bootable").equalsIgnoreCase("false");
        boolean holdsDisk = false;
        for (Element dev : children(c, "AttachedDevice")) {
          long port = DescriptionXml.number(file, cwhere + "/AttachedDevice@port",
              attr(dev, "port").isEmpty() ? "0" : attr(dev, "port"), 0, 65535);
          long device = DescriptionXml.number(file, cwhere + "/AttachedDevice@device",
              attr(dev, "device").isEmpty() ? "0" : attr(dev, "device"), 0, 65535);
          String where = cwhere + "/AttachedDevice[port=" + port + ",device=" + device + "]";
          String devType = attr(dev, "type");
          Optional<Element> image = child(dev, "Image");
          if (devType.equalsIgnoreCase("HardDisk")) {
            if (image.isEmpty()) {
              throw new VmDescriptionException(file, where, "a hard disk attachment without <Image uuid=...>");
            }
            String uuid = uuid(attr(image.get(), "uuid"));
            Medium m = media.get(uuid);
            if (m == null) {
              throw new VmDescriptionException(file, where + "/Image", "uuid " + attr(image.get(), "uuid")
                  + " is not in the machine's MediaRegistry/HardDisks (a disk registered only in VirtualBox's"
                  + " global media registry): attach the disk to this VM again in VirtualBox, or name it in <disks>");
            }
            if (m.parent() != null) {
              throw new VmDescriptionException(file, where + "/Image", "uuid " + attr(image.get(), "uuid") + " ("
                  + FolderFilesName.of(m.location()) + ") is a differencing image of " + FolderFilesName.of(
                  attr(m.parent(), "location")) + ": the VM has snapshots, and its current state is spread over a"
                  + " chain of images. Merge them first (delete the snapshots in VirtualBox, or VBoxManage clonemedium"
                  + " to a standalone image) and attach the result");
            }
            String previous = usedBy.put(uuid, where);
            if (previous != null) {
              throw new VmDescriptionException(file, where, "the disk " + m.location() + " is also attached at "
                  + previous + "; a disk can be attached once");
            }
            String diskFile = FolderFiles.resolve(file, m.location(), where);
            String name = diskFile.contains(".") ? diskFile.substring(0, diskFile.lastIndexOf('.')) : diskFile;
            attached.add(new Attached(new DescribedDisk(name, diskFile, controller, OptionalLong.empty(), where),
                bootable, DiskOrder.biosRank(controller), ci, port, device));
            holdsDisk = true;
          } else {
            String what = devType.equalsIgnoreCase("DVD") ? "DVD drive" : devType.equalsIgnoreCase("Floppy")
                ? "floppy drive" : devType.isEmpty() ? "device" : devType + " drive";
            String content = image.map(i -> " (image " + imageName(i) + ")")
                .orElse(child(dev, "HostDrive").isPresent() ? " (host drive)" : " (empty)");
            b.notCarriedOver(what + " on '" + cname + "' port " + port + " device " + device + content);
          }
        }
        if (!holdsDisk && !floppyController && controller != DiskController.IDE
            && children(c, "AttachedDevice").isEmpty()) {
          b.notCarriedOver("storage controller '" + cname + "' (" + type + "), no disk on it");
        }
      }
      attached.sort(Comparator.comparing((Attached a) -> !a.bootable()).thenComparingInt(Attached::rank)
          .thenComparingInt(Attached::controllerIndex).thenComparingLong(Attached::port)
          .thenComparingLong(Attached::device));
      for (Attached a : attached) {
        b.addDisk(a.disk());
      }
    }

    private String imageName(Element image) {
      String uuid = uuid(attr(image, "uuid"));
      for (String section : List.of("DVDImages", "FloppyImages")) {
        Optional<Element> images = child(machine, "MediaRegistry").flatMap(r -> child(r, section));
        if (images.isPresent()) {
          for (Element i : children(images.get(), "Image")) {
            if (uuid(attr(i, "uuid")).equals(uuid)) {
              return FolderFilesName.of(attr(i, "location"));
            }
          }
        }
      }
      return attr(image, "uuid");
    }

    List<DescribedNic> nics() throws VmDescriptionException {
      List<DescribedNic> nics = new ArrayList<>();
      Optional<Element> network = hardware.flatMap(h -> child(h, "Network"));
      if (network.isEmpty()) {
        return nics;
      }
      for (Element a : children(network.get(), "Adapter")) {
        if (!attr(a, "enabled").equalsIgnoreCase("true")) {
          continue; // VirtualBox lists all its adapter slots; only enabled ones exist for the guest
        }
        String where = prefix + "/Hardware/Network/Adapter[slot=" + attr(a, "slot") + "]";
        String type = attr(a, "type").isEmpty() ? "Am79C973" : attr(a, "type");
        NicModel model = switch (type.toUpperCase(Locale.ROOT)) {
          case "AM79C970A", "AM79C973", "AM79C960" -> NicModel.PCNET;
          case "82540EM", "82543GC", "82545EM" -> NicModel.E1000;
          case "VIRTIO" -> NicModel.VIRTIO;
          default -> NicModel.UNKNOWN;
        };
        Optional<String> mac = Optional.empty();
        if (!attr(a, "MACAddress").isEmpty()) {
          mac = MacAddress.normalize(attr(a, "MACAddress"));
          if (mac.isEmpty()) {
            throw new VmDescriptionException(file, where + "@MACAddress", "'" + attr(a, "MACAddress")
                + "' is not a unicast MAC address (12 hex digits)");
          }
        }
        Optional<String> net = Optional.empty();
        for (Element mode : DescriptionXml.children(a)) {
          String ln = DescriptionXml.localName(mode);
          if (List.of("BridgedInterface", "HostInterface", "InternalNetwork", "HostOnlyInterface", "NATNetwork",
              "HostOnlyNetwork", "CloudNetwork").contains(ln) && !attr(mode, "name").isEmpty()) {
            net = Optional.of(attr(mode, "name"));
          }
        }
        nics.add(new DescribedNic(model, mac, net, where));
      }
      return nics;
    }

    private void otherDevices() {
      Element hw = hardware.orElseThrow();
      child(hw, "AudioAdapter").filter(a -> attr(a, "enabled").equalsIgnoreCase("true")).ifPresent(a ->
          b.notCarriedOver("sound card (" + (attr(a, "controller").isEmpty() ? "AC97" : attr(a, "controller")) + ")"));
      for (String uart : List.of("UART", "Uart")) {
        for (Element port : child(hw, uart).map(u -> children(u, "Port")).orElse(List.of())) {
          if (attr(port, "enabled").equalsIgnoreCase("true")) {
            b.notCarriedOver("serial port COM" + slotPlusOne(port) + " (" + attr(port, "hostMode") + ")");
          }
        }
      }
      for (String lpt : List.of("LPT", "Lpt")) {
        for (Element port : child(hw, lpt).map(u -> children(u, "Port")).orElse(List.of())) {
          if (attr(port, "enabled").equalsIgnoreCase("true")) {
            b.notCarriedOver("parallel port LPT" + slotPlusOne(port));
          }
        }
      }
      child(hw, "USB").flatMap(u -> child(u, "Controllers")).ifPresent(cs -> {
        for (Element c : children(cs, "Controller")) {
          b.notCarriedOver("USB controller '" + attr(c, "name") + "' (" + attr(c, "type") + ")");
        }
      });
      child(hw, "USBController").filter(u -> attr(u, "enabled").equalsIgnoreCase("true"))
          .ifPresent(u -> b.notCarriedOver("USB controller (OHCI" + (attr(u, "enabledEhci").equalsIgnoreCase("true")
              ? " and EHCI)" : ")")));
      child(hw, "SharedFolders").ifPresent(sf -> {
        for (Element f : children(sf, "SharedFolder")) {
          b.notCarriedOver("shared folder '" + attr(f, "name") + "'");
        }
      });
      child(hw, "TrustedPlatformModule").filter(t -> !attr(t, "type").isEmpty()
          && !attr(t, "type").equalsIgnoreCase("None"))
          .ifPresent(t -> b.notCarriedOver("TPM (" + attr(t, "type") + ")"));
    }

    private static String slotPlusOne(Element port) {
      try {
        return String.valueOf(Integer.parseInt(attr(port, "slot")) + 1);
      } catch (NumberFormatException e) {
        return "?";
      }
    }
  }

  /** VirtualBox writes UUIDs with braces; compare them without, case-insensitively. */
  private static String uuid(String written) {
    String s = written.strip();
    if (s.startsWith("{") && s.endsWith("}")) {
      s = s.substring(1, s.length() - 1);
    }
    return s.toLowerCase(Locale.ROOT);
  }

  /**
   * @param type a {@code StorageController@type}
   * @return the controller the guest booted with
   */
  static DiskController controller(String type) {
    return switch (type.toUpperCase(Locale.ROOT)) {
      case "PIIX3", "PIIX4", "ICH6" -> DiskController.IDE;
      case "AHCI" -> DiskController.SATA;
      case "LSILOGIC" -> DiskController.LSILOGIC;
      case "LSILOGICSAS" -> DiskController.LSILOGIC_SAS;
      case "BUSLOGIC" -> DiskController.BUSLOGIC;
      case "NVME" -> DiskController.NVME;
      case "VIRTIOSCSI" -> DiskController.VIRTIO_SCSI;
      case "USB" -> DiskController.USB;
      default -> DiskController.UNKNOWN;
    };
  }

  /** The last name of a recorded path, for messages. */
  private static final class FolderFilesName {
    static String of(String recorded) {
      String s = recorded.strip();
      int cut = Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\'));
      return s.substring(cut + 1);
    }
  }
}
