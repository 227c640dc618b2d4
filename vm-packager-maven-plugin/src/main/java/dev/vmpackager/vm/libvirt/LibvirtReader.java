package dev.vmpackager.vm.libvirt;

import dev.vmpackager.io.SafeXml;
import dev.vmpackager.vm.DescribedDisk;
import dev.vmpackager.vm.DescribedNic;
import dev.vmpackager.vm.DescriptionFile;
import dev.vmpackager.vm.DescriptionFormat;
import dev.vmpackager.vm.DiskController;
import dev.vmpackager.vm.FolderFiles;
import dev.vmpackager.vm.NicModel;
import dev.vmpackager.vm.VmDescription;
import dev.vmpackager.vm.VmDescriptionException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Reads a libvirt domain XML ({@code <domain type="kvm">}) as virt-manager or {@code virsh dumpxml}
 * writes it.
 *
 * <p>What is read, and from where:
 * <ul>
 *   <li>name: {@code name}; guest OS: {@code metadata/libosinfo:libosinfo/libosinfo:os@id};
 *   <li>CPU: {@code cpu/topology} ({@code sockets} x {@code dies} x {@code clusters} sockets, since
 *       KubeVirt has no dies or clusters; {@code cores}; {@code threads}), which must multiply to
 *       {@code vcpu} as libvirt requires; without a topology, {@code vcpu} sockets of one core,
 *       which is the {@code -smp} libvirt gives QEMU;
 *   <li>memory: {@code memory} (else {@code currentMemory}) times its {@code unit}, KiB by default;
 *   <li>firmware: {@code efi} when {@code os@firmware="efi"} or {@code os/loader@type="pflash"}
 *       (manual firmware, as virt-v2v also checks), else {@code bios}: a domain without either
 *       runs SeaBIOS;
 *   <li>Secure Boot (EFI only): {@code os/firmware/feature name="secure-boot"}, else
 *       {@code os/loader@secure}; off when {@code feature name="enrolled-keys" enabled="no"} (the
 *       firmware then has no keys and boots unsigned code, which KubeVirt's Secure Boot would
 *       refuse); unset when the domain does not say;
 *   <li>machine type: {@code os/type@machine}, as written ({@code pc-q35-8.2}, {@code pc-i440fx-7.2});
 *   <li>disks: {@code devices/disk type="file" device="disk"} ({@code source@file}) and
 *       {@code type="volume"} (the volume looked up by its name, which in a directory pool is the
 *       file's name); the controller from {@code target@bus}, and for {@code scsi} from the
 *       {@code controller type="scsi"} model the disk's {@code address@controller} names. A disk
 *       whose data is not in a file ({@code type="block"}, {@code network}, {@code dir},
 *       {@code nvme}, {@code device="lun"}) is an error: dropping a disk would change the VM.
 *       CD-ROMs and floppies are listed as not carried over;
 *   <li>boot order: per-device {@code <boot order="N"/>} first, in that order; then the other disks
 *       in the order libvirt keeps them ({@code virDomainDiskInsertPreAlloced}: grouped by bus in
 *       the order each bus first appears, by target index within a bus), which is the order
 *       {@code <os><boot dev="hd"/>} uses: its first disk gets the boot index;
 *   <li>NICs: {@code devices/interface} in order: {@code model@type} (absent: {@code rtl8139},
 *       the x86 default libvirt's QEMU driver fills in), {@code mac@address},
 *       {@code source@network} or {@code source@bridge};
 *   <li>not carried over: CD-ROMs, floppies, sound, serial ports other than the {@code pty} one
 *       virt-manager adds for {@code virsh console} (KubeVirt attaches its own serial console),
 *       consoles not on that serial port, parallel ports, USB redirection, host devices, SR-IOV
 *       interfaces, TPM, smartcards, shared folders and USB controllers other than the first.
 * </ul>
 *
 * <p>The XML is parsed with DTDs refused ({@link SafeXml}): libvirt never writes one, and a DTD is
 * how entity-expansion bombs and external entities get in.
 */
public final class LibvirtReader {

  /** libvirt domains are a few kilobytes; 16 MiB leaves room for big {@code metadata}. */
  static final long MAX_SIZE = 16L << 20;
  /** libvirt's vCPU ceiling is far below this; larger counts are errors before any arithmetic. */
  static final long MAX_COUNT = 1 << 20;
  static final String LIBOSINFO_NS = "http://libosinfo.org/xmlns/libvirt/domain/1.0";
  private static final Pattern MAC = Pattern.compile("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}");

  private LibvirtReader() {}

  /**
   * @param head the first bytes of a file (a few hundred are enough)
   * @param length how many of them are valid
   * @return whether the document's first element is {@code <domain>}, after any XML declaration,
   *     comments and processing instructions
   */
  public static boolean matches(byte[] head, int length) {
    String s = new String(head, 0, Math.min(length, head.length), StandardCharsets.ISO_8859_1);
    int i = s.startsWith("\u00ef\u00bb\u00bf") ? 3 : 0;
    while (true) {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      if (s.startsWith("<?", i)) {
        int end = s.indexOf("?>", i);
        if (end < 0) {
          return false;
        }
        i = end + 2;
      } else if (s.startsWith("<!--", i)) {
        int end = s.indexOf("-->", i);
        if (end < 0) {
          return false;
        }
        i = end + 3;
      } else {
        break;
      }
    }
    if (!s.startsWith("<domain", i) || i + 7 >= s.length()) {
      return false;
    }
    char next = s.charAt(i + 7);
    return Character.isWhitespace(next) || next == '>' || next == '/';
  }

  /**
   * @param file the domain XML; disks are looked up by name in its folder
   * @return what the domain says, disks in boot order
   * @throws VmDescriptionException naming the file and the element when the file is not a
   *     libvirt domain, declares a DTD, holds values out of range, or names a disk that is not a
   *     file in its folder
   */
  public static VmDescription read(Path file) throws VmDescriptionException {
    byte[] bytes = DescriptionFile.read(file, MAX_SIZE, "a libvirt domain XML");
    Document doc = parse(file, bytes);
    try {
      return new Domain(file, doc.getDocumentElement()).read();
    } catch (RuntimeException e) {
      // Every expected problem has its own message; this keeps the promise that only
      // VmDescriptionException leaves the reader, should a case have been missed.
      throw new VmDescriptionException(file, "domain", "cannot be read: " + e, e);
    }
  }

  private static Document parse(Path file, byte[] bytes) throws VmDescriptionException {
    try {
      return SafeXml.parse(bytes, true);
    } catch (SAXParseException e) {
      String where = "line " + e.getLineNumber() + " column " + e.getColumnNumber();
      String msg = String.valueOf(e.getMessage());
      if (msg.contains("DOCTYPE")) {
        throw new VmDescriptionException(file, where, "the document declares a DOCTYPE, which libvirt never"
            + " writes; DTDs are refused because they carry entity bombs and external entities. Remove it,"
            + " or use the XML `virsh dumpxml` prints", e);
      }
      throw new VmDescriptionException(file, where, "not well-formed XML (" + msg + "); expected a libvirt"
          + " domain as `virsh dumpxml` prints it", e);
    } catch (SAXException | IOException e) {
      throw new VmDescriptionException(file, "domain", "not readable as XML: " + e.getMessage(), e);
    }
  }

  /** One disk element as libvirt keeps it, in the order it is found in the document. */
  private record DiskEntry(int position, String where, String device, String dev, String bus, long index,
      Integer bootOrder, String fileName, DiskController controller) {

    boolean isDisk() {
      return device.equals("disk");
    }
  }

  /** The reading of one domain element. */
  private static final class Domain {
    private final Path file;
    private final Element root;
    private final VmDescription.Builder b;
    private final Map<String, Integer> notCarried = new LinkedHashMap<>();
    /** Boot order number to the element that claims it: libvirt refuses two devices with one number. */
    private final Map<Integer, String> bootOrders = new HashMap<>();

    Domain(Path file, Element root) {
      this.file = file;
      this.root = root;
      this.b = VmDescription.builder(file, DescriptionFormat.LIBVIRT);
    }

    VmDescription read() throws VmDescriptionException {
      if (!"domain".equals(root.getLocalName()) || root.getNamespaceURI() != null) {
        throw new VmDescriptionException(file, root.getTagName(), "the root element is <" + root.getTagName()
            + ">, not <domain>: this is not a libvirt domain XML (`virsh dumpxml <name>` prints one)");
      }
      Element name = child(root, "name");
      if (name != null && !name.getTextContent().isBlank()) {
        b.name(name.getTextContent().strip());
      }
      readGuestOs();
      readCpu();
      readMemory();
      readOs();
      Element devices = child(root, "devices");
      if (devices != null) {
        readDisks(devices);
        readInterfaces(devices);
        readOtherDevices(devices);
      }
      notCarried.forEach((what, count) -> b.notCarriedOver(count == 1 ? what : what + " x" + count));
      return b.build();
    }

    private void readGuestOs() {
      Element metadata = child(root, "metadata");
      if (metadata == null) {
        return;
      }
      for (Element info : children(metadata)) {
        if (LIBOSINFO_NS.equals(info.getNamespaceURI()) && "libosinfo".equals(info.getLocalName())) {
          for (Element os : children(info)) {
            if (LIBOSINFO_NS.equals(os.getNamespaceURI()) && "os".equals(os.getLocalName())
                && !os.getAttribute("id").isBlank()) {
              b.guestOs(os.getAttribute("id").strip());
              return;
            }
          }
        }
      }
    }

    private void readCpu() throws VmDescriptionException {
      Element vcpuEl = child(root, "vcpu");
      Long vcpus = vcpuEl == null ? null : number(vcpuEl.getTextContent(), "vcpu", 1, MAX_COUNT);
      Element cpu = child(root, "cpu");
      Element topology = cpu == null ? null : child(cpu, "topology");
      if (topology == null) {
        if (vcpus != null) {
          checkCount(vcpus, "vcpu");
          b.cpuSockets(vcpus.intValue()).cpuCores(1).cpuThreads(1);
        }
        return;
      }
      long sockets = topologyValue(topology, "sockets");
      long dies = topologyValue(topology, "dies");
      long clusters = topologyValue(topology, "clusters");
      long cores = topologyValue(topology, "cores");
      long threads = topologyValue(topology, "threads");
      // Each factor is at most 2^20, so the products below cannot overflow a long.
      long allSockets = sockets * dies * clusters;
      long total = allSockets * cores * threads;
      if (vcpus != null && total != vcpus) {
        throw new VmDescriptionException(file, "cpu/topology", sockets + " sockets x " + dies + " dies x "
            + clusters + " clusters x " + cores + " cores x " + threads + " threads is " + total
            + " vCPUs, but <vcpu> says " + vcpus + " (libvirt refuses such a domain)");
      }
      checkCount(allSockets, "cpu/topology (sockets x dies x clusters)");
      checkCount(total, "cpu/topology (sockets x dies x clusters x cores x threads)");
      b.cpuSockets((int) allSockets).cpuCores((int) cores).cpuThreads((int) threads);
    }

    private long topologyValue(Element topology, String attribute) throws VmDescriptionException {
      if (!topology.hasAttribute(attribute)) {
        return 1;
      }
      return number(topology.getAttribute(attribute), "cpu/topology@" + attribute, 1, MAX_COUNT);
    }

    private void checkCount(long count, String element) throws VmDescriptionException {
      if (count > 1024) {
        throw new VmDescriptionException(file, element, count + " vCPUs is more than the 1024 a VM can have");
      }
    }

    private void readMemory() throws VmDescriptionException {
      Element memory = child(root, "memory");
      String element = "memory";
      if (memory == null) {
        memory = child(root, "currentMemory");
        element = "currentMemory";
      }
      if (memory == null) {
        return;
      }
      long value = number(memory.getTextContent(), element, 0, Long.MAX_VALUE);
      String unit = memory.getAttribute("unit");
      long scale = unitScale(unit, element);
      try {
        b.memoryBytes(Math.multiplyExact(value, scale));
      } catch (ArithmeticException e) {
        throw new VmDescriptionException(file, element, value + " " + (unit.isEmpty() ? "KiB" : unit)
            + " is more memory than any VM has");
      }
    }

    /**
     * libvirt's {@code virScaleInteger}: no unit is KiB; {@code b}/{@code bytes}; {@code k},
     * {@code m}, {@code g}, {@code t}, {@code p}, {@code e} alone or with {@code iB} are powers of
     * 1024, with {@code B} powers of 1000; letters in any case.
     */
    private long unitScale(String unit, String element) throws VmDescriptionException {
      String u = unit.strip().toLowerCase(Locale.ROOT);
      if (u.isEmpty()) {
        return 1024;
      }
      if (u.equals("b") || u.equals("bytes")) {
        return 1;
      }
      int power = "kmgtpe".indexOf(u.charAt(0)) + 1;
      String rest = u.substring(1);
      if (power > 0 && (rest.isEmpty() || rest.equals("ib"))) {
        return 1L << (10 * power);
      }
      if (power > 0 && rest.equals("b")) {
        long scale = 1;
        for (int i = 0; i < power; i++) {
          scale *= 1000;
        }
        return scale;
      }
      throw new VmDescriptionException(file, element + "@unit", "'" + unit + "' is not a libvirt unit (b, KB, k,"
          + " KiB, MB, M, MiB, GB, G, GiB, TB, T, TiB, ...)");
    }

    private void readOs() throws VmDescriptionException {
      Element os = child(root, "os");
      if (os == null) {
        return;
      }
      Element type = child(os, "type");
      if (type != null) {
        if (type.getTextContent().strip().equals("exe")) {
          throw new VmDescriptionException(file, "os/type", "'exe' is a container domain, not a virtual machine");
        }
        if (!type.getAttribute("machine").isBlank()) {
          b.machineType(type.getAttribute("machine").strip());
        }
      }
      String firmware = os.getAttribute("firmware").strip();
      Element loader = child(os, "loader");
      boolean pflash = loader != null && loader.getAttribute("type").strip().equals("pflash");
      boolean efi;
      if (firmware.equals("efi") || (firmware.isEmpty() && pflash)) {
        efi = true;
      } else if (firmware.equals("bios") || firmware.isEmpty()) {
        efi = false;
      } else {
        throw new VmDescriptionException(file, "os@firmware", "'" + firmware + "' is neither efi nor bios");
      }
      b.firmware(efi ? "efi" : "bios");
      if (!efi) {
        return;
      }
      Boolean secureBoot = null;
      Boolean enrolledKeys = null;
      Element features = child(os, "firmware");
      for (Element feature : features == null ? List.<Element>of() : children(features, "feature")) {
        String name = feature.getAttribute("name").strip();
        if (name.equals("secure-boot")) {
          secureBoot = yesNo(feature.getAttribute("enabled"), "os/firmware/feature[@name='secure-boot']@enabled");
        } else if (name.equals("enrolled-keys")) {
          enrolledKeys = yesNo(feature.getAttribute("enabled"),
              "os/firmware/feature[@name='enrolled-keys']@enabled");
        }
      }
      if (secureBoot == null && loader != null && loader.hasAttribute("secure")) {
        secureBoot = yesNo(loader.getAttribute("secure"), "os/loader@secure");
      }
      if (Boolean.FALSE.equals(enrolledKeys)) {
        b.secureBoot(false);
      } else if (secureBoot != null) {
        b.secureBoot(secureBoot);
      }
    }

    private boolean yesNo(String value, String element) throws VmDescriptionException {
      switch (value.strip()) {
        case "yes":
          return true;
        case "no":
          return false;
        default:
          throw new VmDescriptionException(file, element, "'" + value + "' is neither yes nor no");
      }
    }

    private void readDisks(Element devices) throws VmDescriptionException {
      Map<Long, String> scsiModels = new HashMap<>();
      for (Element controller : children(devices, "controller")) {
        if (controller.getAttribute("type").strip().equals("scsi")) {
          long index = controller.hasAttribute("index")
              ? number(controller.getAttribute("index"), "devices/controller[@type='scsi']@index", 0, MAX_COUNT)
              : 0;
          scsiModels.put(index, controller.getAttribute("model").strip());
        }
      }
      List<DiskEntry> all = new ArrayList<>();
      Map<String, String> targets = new HashMap<>();
      int position = 0;
      for (Element disk : children(devices, "disk")) {
        position++;
        DiskEntry entry = diskEntry(disk, position, scsiModels);
        if (!entry.dev.isEmpty()) {
          String other = targets.putIfAbsent(entry.dev, entry.where);
          if (other != null) {
            throw new VmDescriptionException(file, entry.where, "the target " + entry.dev + " is also used by "
                + other + "; libvirt refuses two disks on one target");
          }
        }
        all.add(entry);
      }
      // Hard disks with a boot order first, by that order; then the rest as libvirt orders them.
      List<DiskEntry> ordered = new ArrayList<>();
      for (DiskEntry e : libvirtOrder(all)) {
        if (e.isDisk()) {
          ordered.add(e);
        }
      }
      ordered.sort(Comparator.comparing((DiskEntry e) -> e.bootOrder == null ? Integer.MAX_VALUE : e.bootOrder));
      for (DiskEntry e : ordered) {
        b.addDisk(new DescribedDisk(e.dev.isEmpty() ? "disk" + e.position : e.dev, e.fileName,
            e.controller, OptionalLong.empty(), e.where));
      }
    }

    /**
     * libvirt's {@code virDomainDiskInsertPreAlloced}, which places each parsed disk: after the
     * last disk on the same bus, or before the first one on that bus with a higher target index;
     * a disk on a new bus goes last.
     */
    private static List<DiskEntry> libvirtOrder(List<DiskEntry> documentOrder) {
      List<DiskEntry> list = new ArrayList<>();
      for (DiskEntry disk : documentOrder) {
        int insertAt = -1;
        for (int i = list.size() - 1; i >= 0; i--) {
          DiskEntry other = list.get(i);
          if (other.bus.equals(disk.bus) && other.index > disk.index) {
            insertAt = i;
          } else if (other.bus.equals(disk.bus) && insertAt == -1) {
            insertAt = i + 1;
          }
        }
        list.add(insertAt == -1 ? list.size() : insertAt, disk);
      }
      return list;
    }

    private DiskEntry diskEntry(Element disk, int position, Map<Long, String> scsiModels)
        throws VmDescriptionException {
      Element target = child(disk, "target");
      String dev = target == null ? "" : target.getAttribute("dev").strip();
      String where = dev.isEmpty() ? "devices/disk[" + position + "]" : "devices/disk[target@dev='" + dev + "']";
      String device = disk.hasAttribute("device") ? disk.getAttribute("device").strip() : "disk";
      String type = disk.hasAttribute("type") ? disk.getAttribute("type").strip() : "file";
      String bus = target == null ? "" : target.getAttribute("bus").strip();
      if (bus.isEmpty()) {
        bus = busFromDev(dev);
      }
      Integer bootOrder = bootOrder(disk, where);
      Element source = child(disk, "source");
      String sourceText = describeSource(type, source);
      if (device.equals("cdrom") || device.equals("floppy")) {
        String what = device.equals("cdrom") ? "CD-ROM" : "floppy";
        notCarried(what + " " + (dev.isEmpty() ? "#" + position : dev)
            + (sourceText.isEmpty() ? " (empty)" : " (" + sourceText + ")"));
        return new DiskEntry(position, where, device, dev, bus, diskIndex(dev), bootOrder, "",
            DiskController.UNKNOWN);
      }
      if (!device.equals("disk")) {
        throw new VmDescriptionException(file, where, "a " + device + " device (" + sourceText + ") passes a host"
            + " disk through; its data is not in a file beside the description. Copy it to a disk image file"
            + " (e.g. `qemu-img convert -O qcow2 <device> disk.qcow2`) and describe it as <disk type='file'"
            + " device='disk'>");
      }
      String fileName;
      if (type.equals("file") || type.equals("volume")) {
        String recorded = source == null ? "" : type.equals("file") ? source.getAttribute("file")
            : source.getAttribute("volume");
        if (recorded.isBlank()) {
          throw new VmDescriptionException(file, where, "the disk has no source " + (type.equals("file")
              ? "file" : "volume") + "; a disk the VM boots with needs its data");
        }
        fileName = FolderFiles.resolve(file, recorded, where);
      } else {
        throw new VmDescriptionException(file, where, "a " + type + " disk (" + sourceText + ") keeps its data"
            + " outside any file beside the description, so it cannot be packaged. Export it to a file in"
            + " this folder (e.g. `qemu-img convert -O qcow2 <source> " + (dev.isEmpty() ? "disk" : dev)
            + ".qcow2`) and describe it as <disk type='file' device='disk'> with <source file=...>");
      }
      return new DiskEntry(position, where, device, dev, bus, diskIndex(dev), bootOrder, fileName,
          controller(disk, bus, where, scsiModels));
    }

    private String describeSource(String type, Element source) {
      if (source == null) {
        return "";
      }
      switch (type) {
        case "file":
          return source.getAttribute("file").strip();
        case "block":
          return "host device " + source.getAttribute("dev").strip();
        case "volume":
          return "volume " + source.getAttribute("volume").strip() + " of pool " + source.getAttribute("pool").strip();
        case "network":
          return source.getAttribute("protocol").strip() + " " + source.getAttribute("name").strip();
        case "dir":
          return "host folder " + source.getAttribute("dir").strip();
        default:
          return type;
      }
    }

    private DiskController controller(Element disk, String bus, String where, Map<Long, String> scsiModels)
        throws VmDescriptionException {
      switch (bus) {
        case "virtio":
          return DiskController.VIRTIO_BLK;
        case "sata":
          return DiskController.SATA;
        case "ide":
          return DiskController.IDE;
        case "usb":
          return DiskController.USB;
        case "nvme":
          return DiskController.NVME;
        case "scsi":
          break;
        default:
          return DiskController.UNKNOWN;
      }
      Element address = child(disk, "address");
      long index = address != null && address.hasAttribute("controller")
          ? number(address.getAttribute("controller"), where + "/address@controller", 0, MAX_COUNT)
          : 0;
      String model = scsiModels.getOrDefault(index, "");
      switch (model) {
        case "virtio-scsi":
        case "virtio-transitional":
        case "virtio-non-transitional":
          return DiskController.VIRTIO_SCSI;
        case "lsilogic":
          return DiskController.LSILOGIC;
        case "lsisas1068":
        case "lsisas1078":
          return DiskController.LSILOGIC_SAS;
        case "buslogic":
          return DiskController.BUSLOGIC;
        case "vmpvscsi":
          return DiskController.PVSCSI;
        default:
          // No model: libvirt's QEMU driver picks lsilogic on x86; unknown models likewise map to SATA.
          return DiskController.UNKNOWN;
      }
    }

    /** libvirt's {@code virDomainDiskDefParseXML}: a target without a bus gets it from its prefix. */
    private static String busFromDev(String dev) {
      if (dev.startsWith("vd")) {
        return "virtio";
      }
      if (dev.startsWith("sd")) {
        return "scsi";
      }
      if (dev.startsWith("xvd")) {
        return "xen";
      }
      if (dev.startsWith("ubd")) {
        return "uml";
      }
      return "ide";
    }

    private Integer bootOrder(Element device, String where) throws VmDescriptionException {
      Element boot = child(device, "boot");
      if (boot == null || !boot.hasAttribute("order")) {
        return null;
      }
      int order = (int) number(boot.getAttribute("order"), where + "/boot@order", 1, Integer.MAX_VALUE);
      String other = bootOrders.putIfAbsent(order, where);
      if (other != null) {
        throw new VmDescriptionException(file, where + "/boot@order", "boot order " + order + " is also given to "
            + other + "; libvirt refuses two devices with one boot order");
      }
      return order;
    }

    private void readInterfaces(Element devices) throws VmDescriptionException {
      int position = 0;
      for (Element nic : children(devices, "interface")) {
        position++;
        String where = "devices/interface[" + position + "]";
        bootOrder(nic, where);
        String type = nic.getAttribute("type").strip();
        if (type.equals("hostdev")) {
          notCarried("SR-IOV network interface " + where + " (host device passthrough)");
          continue;
        }
        Element model = child(nic, "model");
        NicModel nicModel = model == null ? NicModel.RTL8139 : nicModel(model.getAttribute("type").strip());
        Optional<String> mac = Optional.empty();
        Element macEl = child(nic, "mac");
        if (macEl != null && macEl.hasAttribute("address")) {
          String address = macEl.getAttribute("address").strip();
          if (!MAC.matcher(address).matches()) {
            throw new VmDescriptionException(file, where + "/mac@address", "'" + address + "' is not a MAC"
                + " address such as 52:54:00:6b:3c:58");
          }
          mac = Optional.of(address.toLowerCase(Locale.ROOT));
        }
        Element source = child(nic, "source");
        Optional<String> network = Optional.empty();
        if (source != null) {
          String name = type.equals("bridge") ? source.getAttribute("bridge") : source.getAttribute("network");
          if (!name.isBlank()) {
            network = Optional.of(name.strip());
          }
        }
        b.addNic(new DescribedNic(nicModel, mac, network, where));
      }
    }

    private static NicModel nicModel(String type) {
      switch (type) {
        case "virtio":
        case "virtio-transitional":
        case "virtio-non-transitional":
          return NicModel.VIRTIO;
        case "e1000":
        case "e1000-82540em":
        case "e1000-82544gc":
        case "e1000-82545em":
          return NicModel.E1000;
        case "e1000e":
          return NicModel.E1000E;
        case "igb":
          return NicModel.IGB;
        case "rtl8139":
          return NicModel.RTL8139;
        case "pcnet":
          return NicModel.PCNET;
        case "ne2k_pci":
          return NicModel.NE2K_PCI;
        case "vmxnet3":
          return NicModel.VMXNET3;
        default:
          return NicModel.UNKNOWN;
      }
    }

    private void readOtherDevices(Element devices) throws VmDescriptionException {
      for (Element device : children(devices)) {
        String type = device.getAttribute("type").strip();
        switch (device.getLocalName()) {
          case "sound":
            notCarried("sound card (" + orDefault(device.getAttribute("model")) + ")");
            break;
          case "serial":
            // virt-manager adds a pty serial port for `virsh console`; KubeVirt gives every VM a
            // serial console of its own, so that one is not lost.
            if (!type.equals("pty")) {
              notCarried("serial port (" + orDefault(type) + ")");
            }
            break;
          case "console": {
            Element target = child(device, "target");
            String targetType = target == null ? "serial" : orDefault(target.getAttribute("type"), "serial");
            if (!targetType.equals("serial")) {
              notCarried("console (" + targetType + ")");
            }
            break;
          }
          case "parallel":
            notCarried("parallel port (" + orDefault(type) + ")");
            break;
          case "redirdev":
            notCarried("USB redirection (" + orDefault(type) + ")");
            break;
          case "hostdev":
            bootOrder(device, "devices/hostdev");
            notCarried("host " + orDefault(type) + " device passthrough" + hostdevAddress(device));
            break;
          case "tpm":
            notCarried("TPM (" + orDefault(device.getAttribute("model")) + ")");
            break;
          case "smartcard":
            notCarried("smartcard (" + orDefault(device.getAttribute("mode")) + ")");
            break;
          case "filesystem": {
            Element source = child(device, "source");
            Element target = child(device, "target");
            notCarried("shared folder " + (source == null ? "" : source.getAttribute("dir").strip())
                + (target == null ? "" : " (tag " + target.getAttribute("dir").strip() + ")"));
            break;
          }
          case "controller":
            if (type.equals("usb")) {
              long index = device.hasAttribute("index")
                  ? number(device.getAttribute("index"), "devices/controller[@type='usb']@index", 0, MAX_COUNT)
                  : 0;
              String model = device.getAttribute("model").strip();
              if (index > 0 && !model.equals("none")) {
                notCarried("USB controller " + index + " (" + orDefault(model) + ")");
              }
            }
            break;
          default:
            break;
        }
      }
    }

    private static String hostdevAddress(Element hostdev) {
      Element source = child(hostdev, "source");
      Element address = source == null ? null : child(source, "address");
      if (address != null && address.hasAttribute("bus") && address.hasAttribute("slot")) {
        return " " + address.getAttribute("domain").replace("0x", "") + ":" + address.getAttribute("bus")
            .replace("0x", "") + ":" + address.getAttribute("slot").replace("0x", "") + "."
            + address.getAttribute("function").replace("0x", "");
      }
      Element vendor = source == null ? null : child(source, "vendor");
      Element product = source == null ? null : child(source, "product");
      if (vendor != null && product != null) {
        return " " + vendor.getAttribute("id") + ":" + product.getAttribute("id");
      }
      return "";
    }

    private void notCarried(String what) {
      notCarried.merge(what, 1, Integer::sum);
    }

    private static String orDefault(String value) {
      return orDefault(value, "default");
    }

    private static String orDefault(String value, String fallback) {
      return value.isBlank() ? fallback : value.strip();
    }

    private long number(String text, String element, long min, long max) throws VmDescriptionException {
      String t = text.strip();
      if (t.isEmpty() || t.length() > 19 || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new VmDescriptionException(file, element, t.isEmpty() ? "is empty; expected a number"
            : (t.chars().allMatch(c -> c >= '0' && c <= '9') ? t + " is far too large"
                : "'" + abbreviate(t) + "' is not a whole number"));
      }
      long value = Long.parseLong(t);
      if (value < min || value > max) {
        throw new VmDescriptionException(file, element, value + " is not between " + min + " and " + max);
      }
      return value;
    }
  }

  /**
   * libvirt's {@code virDiskNameToIndex}: {@code vda} is 0, {@code vdz} 25, {@code vdaa} 26; a
   * name it cannot parse is -1.
   */
  static long diskIndex(String dev) {
    String rest = null;
    for (String prefix : new String[] {"fd", "hd", "vd", "sd", "xvd", "ubd"}) {
      if (dev.startsWith(prefix)) {
        rest = dev.substring(prefix.length());
        break;
      }
    }
    if (rest == null || rest.isEmpty()) {
      return -1;
    }
    long index = 0;
    int i = 0;
    for (; i < rest.length() && rest.charAt(i) >= 'a' && rest.charAt(i) <= 'z'; i++) {
      if (i >= 8) {
        return -1;
      }
      index = (index + (i < 1 ? 0 : 1)) * 26 + (rest.charAt(i) - 'a');
    }
    if (i == 0) {
      return -1;
    }
    for (; i < rest.length(); i++) {
      if (!Character.isDigit(rest.charAt(i))) {
        return -1;
      }
    }
    return index;
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  private static Element child(Element parent, String name) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getNamespaceURI() == null && name.equals(e.getLocalName())) {
        return e;
      }
    }
    return null;
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getNamespaceURI() == null && name.equals(e.getLocalName())) {
        out.add(e);
      }
    }
    return out;
  }

  private static List<Element> children(Element parent) {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e) {
        out.add(e);
      }
    }
    return out;
  }
}
