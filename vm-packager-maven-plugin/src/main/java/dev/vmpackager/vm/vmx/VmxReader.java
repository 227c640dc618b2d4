package dev.vmpackager.vm.vmx;

import dev.vmpackager.vm.DescribedDisk;
import dev.vmpackager.vm.DescribedNic;
import dev.vmpackager.vm.DescriptionFile;
import dev.vmpackager.vm.DescriptionFormat;
import dev.vmpackager.vm.DiskController;
import dev.vmpackager.vm.FolderFiles;
import dev.vmpackager.vm.NicModel;
import dev.vmpackager.vm.VmDescription;
import dev.vmpackager.vm.VmDescriptionException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a VMware {@code .vmx} (Workstation, Fusion, ESXi); the syntax is {@link VmxFile}'s.
 *
 * <p>What is read, and from where:
 * <ul>
 *   <li>name {@code displayName}; guest OS {@code guestOS}; machine type {@code vmx-N} from
 *       {@code virtualHW.version} (VMware's own name for the virtual hardware, as OVF writes it);
 *   <li>CPU: {@code numvcpus} / {@code cpuid.coresPerSocket} sockets of {@code cpuid.coresPerSocket}
 *       cores (one core a socket without it, as VMware does), one thread; a count that does not
 *       divide is an error;
 *   <li>memory: {@code memsize} MiB;
 *   <li>firmware: {@code firmware = "efi"}, else {@code bios} (VMware's default, as virt-v2v
 *       reads it); Secure Boot (EFI only) from {@code uefi.secureBoot.enabled}, off without it
 *       (VMware's default);
 *   <li>disks: every {@code scsiN:M}, {@code sataN:M}, {@code ideN:M}, {@code nvmeN:M} with a
 *       {@code fileName} whose {@code deviceType} is a hard disk ({@code scsi-hardDisk},
 *       {@code ata-hardDisk}, {@code disk}, {@code plainDisk}, or none and not an {@code .iso}),
 *       unless the slot or its controller is {@code present = "FALSE"}; the controller from
 *       {@code scsiN.virtualDev} ({@code lsilogic}, {@code lsisas1068}, {@code buslogic},
 *       {@code pvscsi}), SATA, IDE or NVMe. A {@code fileName} names the VMDK descriptor, which
 *       is one disk however many extent or snapshot files it uses. Physical disks
 *       ({@code rawDisk}) and raw device mappings keep their data outside the folder and are
 *       errors;
 *   <li>boot order: the disks {@code bios.bootOrder} names ({@code "nvme0:0"}, or {@code "hdd"}
 *       for the {@code bios.hddOrder} list), then {@code bios.hddOrder}, then the other disks in
 *       the order their keys first appear: VMware appends a device's keys when the device is
 *       added, so the disk made with the VM (its system disk) comes first;
 *   <li>NICs: {@code ethernetN} by N: {@code virtualDev} ({@code e1000}, {@code e1000e},
 *       {@code vmxnet3}, {@code vmxnet}, {@code vlance}); the MAC is {@code address} when
 *       {@code addressType = "static"}, else {@code generatedAddress} ({@code generated}, or
 *       {@code vpx} under vCenter). The generated address is kept too: VMware generates it once
 *       and keeps it in the file, so it is the MAC the guest knows (its network configuration,
 *       DHCP reservations and licences are bound to it), not one that changes at every start;
 *       network {@code networkName} (an ESXi port group), or {@code vnet} for a Workstation custom
 *       network;
 *   <li>not carried over: CD-ROMs, floppies, sound, serial and parallel ports, USB controllers
 *       ({@code usb}, {@code ehci}, {@code usb_xhci}), SCSI passthrough and PCI passthrough
 *       devices, shared folders.
 * </ul>
 * Keys set to {@code present = "FALSE"} are devices the VM does not have and are skipped.
 */
public final class VmxReader {

  /** A {@code .vmx} is a few kilobytes. */
  static final long MAX_SIZE = 1L << 20;
  /** 16 TiB in MiB, the most memory {@link VmDescription} accepts. */
  static final long MAX_MEMSIZE = 16L << 20;

  private static final Pattern SLOT_KEY = Pattern.compile("(scsi|sata|ide|nvme)(\\d+):(\\d+)\\..*");
  private static final Pattern SLOT = Pattern.compile("(scsi|sata|ide|nvme)\\d{1,2}:\\d{1,2}");
  private static final Pattern ETHERNET_KEY = Pattern.compile("ethernet(\\d+)\\..*");
  private static final Pattern DEVICE_KEY = Pattern.compile("(serial|parallel|floppy|pcipassthru|sharedfolder)(\\d+)\\..*");
  private static final Pattern MAC = Pattern.compile("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}");

  private VmxReader() {}

  /**
   * @param file the {@code .vmx}; disks are looked up by name in its folder
   * @return what the {@code .vmx} says, disks in boot order
   * @throws VmDescriptionException naming the file and the key when the file is not a
   *     {@code .vmx}, holds values out of range, sets a key twice, or names a disk that is not a
   *     file in its folder
   */
  public static VmDescription read(Path file) throws VmDescriptionException {
    VmxFile vmx = VmxFile.parse(file, DescriptionFile.read(file, MAX_SIZE, "a VMware .vmx"));
    try {
      return new Reading(file, vmx).read();
    } catch (RuntimeException e) {
      // Every expected problem has its own message; this keeps the promise that only
      // VmDescriptionException leaves the reader, should a case have been missed.
      throw new VmDescriptionException(file, "file", "cannot be read: " + e, e);
    }
  }

  /** A disk found in the file, before the boot order is applied. */
  private record Slot(String id, DescribedDisk disk) {}

  /** The reading of one file. */
  private static final class Reading {
    private final Path file;
    private final VmxFile vmx;
    private final VmDescription.Builder b;
    private final Map<String, Integer> notCarried = new LinkedHashMap<>();

    Reading(Path file, VmxFile vmx) {
      this.file = file;
      this.vmx = vmx;
      this.b = VmDescription.builder(file, DescriptionFormat.VMX);
    }

    VmDescription read() throws VmDescriptionException {
      vmx.get("displayName").filter(s -> !s.isBlank()).ifPresent(s -> b.name(s.strip()));
      vmx.get("guestOS").filter(s -> !s.isBlank()).ifPresent(s -> b.guestOs(s.strip()));
      Optional<Long> hw = vmx.number("virtualHW.version", 1, 999, "");
      hw.ifPresent(v -> b.machineType("vmx-" + v));
      readCpu();
      vmx.number("memsize", 1, MAX_MEMSIZE, " MiB").ifPresent(mib -> b.memoryBytes(mib << 20));
      readFirmware();
      readDisks();
      readNics();
      readOtherDevices();
      notCarried.forEach((what, count) -> b.notCarriedOver(count == 1 ? what : what + " x" + count));
      return b.build();
    }

    private void readCpu() throws VmDescriptionException {
      Optional<Long> vcpus = vmx.number("numvcpus", 1, 1024, " vCPUs");
      Optional<Long> coresPerSocket = vmx.number("cpuid.coresPerSocket", 1, 1024, " cores");
      if (vcpus.isEmpty()) {
        return;
      }
      long cores = coresPerSocket.orElse(1L);
      if (vcpus.get() % cores != 0) {
        throw new VmDescriptionException(file, vmx.where("cpuid.coresPerSocket"), cores + " cores per socket do"
            + " not divide the " + vcpus.get() + " vCPUs of numvcpus (VMware requires whole sockets)");
      }
      b.cpuSockets((int) (vcpus.get() / cores)).cpuCores((int) cores).cpuThreads(1);
    }

    private void readFirmware() throws VmDescriptionException {
      String firmware = vmx.get("firmware").map(s -> s.strip().toLowerCase(Locale.ROOT)).orElse("bios");
      if (!firmware.equals("efi") && !firmware.equals("bios")) {
        throw new VmDescriptionException(file, vmx.where("firmware"), "'" + firmware + "' is neither efi nor bios");
      }
      b.firmware(firmware);
      if (firmware.equals("efi")) {
        b.secureBoot(vmx.bool("uefi.secureBoot.enabled").orElse(false));
      }
    }

    private void readDisks() throws VmDescriptionException {
      Set<String> slotIds = new LinkedHashSet<>();
      for (VmxFile.Entry e : vmx.entries()) {
        Matcher m = SLOT_KEY.matcher(e.key().toLowerCase(Locale.ROOT));
        if (m.matches()) {
          String where = e.key() + " (line " + e.line() + ")";
          int controller = index(m.group(2), m.group(1).equals("ide") ? 1 : 3, where, m.group(1) + "0 to "
              + m.group(1) + (m.group(1).equals("ide") ? 1 : 3));
          int unit = index(m.group(3), 64, where, "units 0 to 64");
          slotIds.add(m.group(1) + controller + ":" + unit);
        }
      }
      List<Slot> slots = new ArrayList<>();
      for (String id : slotIds) {
        DescribedDisk disk = disk(id);
        if (disk != null) {
          slots.add(new Slot(id, disk));
        }
      }
      List<String> preferred = new ArrayList<>();
      List<String> hddOrder = list("bios.hddOrder");
      boolean hddUsed = false;
      for (String item : list("bios.bootOrder")) {
        if (item.equals("hdd")) {
          preferred.addAll(hddOrder);
          hddUsed = true;
        } else if (SLOT.matcher(item).matches()) {
          preferred.add(item);
        }
      }
      if (!hddUsed) {
        preferred.addAll(hddOrder);
      }
      for (String id : preferred) {
        for (Slot s : slots) {
          if (s.id.equals(id)) {
            b.addDisk(s.disk);
            slots.remove(s);
            break;
          }
        }
      }
      for (Slot s : slots) {
        b.addDisk(s.disk);
      }
    }

    private List<String> list(String key) {
      List<String> out = new ArrayList<>();
      for (String item : vmx.get(key).orElse("").split(",")) {
        if (!item.isBlank()) {
          out.add(item.strip().toLowerCase(Locale.ROOT));
        }
      }
      return out;
    }

    private int index(String digits, int max, String where, String range) throws VmDescriptionException {
      if (digits.length() > 3 || Integer.parseInt(digits) > max) {
        throw new VmDescriptionException(file, where, "VMware has " + range + ", not " + digits);
      }
      return Integer.parseInt(digits);
    }

    /** @return the hard disk in a slot, or null when the slot holds none (listing what it holds) */
    private DescribedDisk disk(String id) throws VmDescriptionException {
      if (!vmx.bool(id + ".present").orElse(true)) {
        return null;
      }
      String controllerId = id.substring(0, id.indexOf(':'));
      String bus = controllerId.replaceAll("\\d+$", "");
      Optional<String> fileName = vmx.get(id + ".fileName").map(String::strip).filter(s -> !s.isEmpty());
      String deviceType = vmx.get(id + ".deviceType").map(s -> s.strip().toLowerCase(Locale.ROOT)).orElse("");
      String typeWhere = vmx.where(id + ".deviceType");
      String shown = fileName.map(f -> " (" + f + ")").orElse("");
      if (deviceType.contains("cdrom") || (deviceType.isEmpty() && fileName.isPresent()
          && fileName.get().toLowerCase(Locale.ROOT).endsWith(".iso") && !bus.equals("nvme"))) {
        notCarried("CD-ROM " + id + shown);
        return null;
      }
      if (deviceType.equals("rawdisk") || deviceType.endsWith("-rdm")) {
        throw new VmDescriptionException(file, typeWhere, "the disk " + id + shown + " is a "
            + (deviceType.equals("rawdisk") ? "physical disk of the host" : "raw device mapping to a LUN")
            + ", whose data is not in a file beside the .vmx; convert it to a virtual disk (.vmdk) in this folder"
            + " first");
      }
      if (deviceType.equals("scsi-passthru")) {
        notCarried("SCSI passthrough device " + id + shown);
        return null;
      }
      boolean hardDisk = deviceType.isEmpty() || deviceType.endsWith("harddisk") || deviceType.equals("disk")
          || deviceType.equals("plaindisk");
      if (!hardDisk) {
        throw new VmDescriptionException(file, typeWhere, "'" + deviceType + "' is not a device type the plugin"
            + " knows (disks: scsi-hardDisk, ata-hardDisk, disk; CD-ROMs: cdrom-image, cdrom-raw, atapi-cdrom)");
      }
      if (fileName.isEmpty()) {
        if (deviceType.isEmpty()) {
          return null;
        }
        throw new VmDescriptionException(file, typeWhere, "the hard disk " + id + " has no " + id + ".fileName");
      }
      if (!vmx.bool(controllerId + ".present").orElse(true)) {
        notCarried("disk " + id + shown + ", whose controller " + controllerId + " is present = FALSE");
        return null;
      }
      String name = FolderFiles.resolve(file, fileName.get(), vmx.where(id + ".fileName"));
      return new DescribedDisk(id, name, controller(bus, controllerId), OptionalLong.empty(), id);
    }

    private DiskController controller(String bus, String controllerId) {
      switch (bus) {
        case "sata":
          return DiskController.SATA;
        case "ide":
          return DiskController.IDE;
        case "nvme":
          return DiskController.NVME;
        default:
          break;
      }
      switch (vmx.get(controllerId + ".virtualDev").map(s -> s.strip().toLowerCase(Locale.ROOT)).orElse("")) {
        case "lsilogic":
          return DiskController.LSILOGIC;
        case "lsisas1068":
          return DiskController.LSILOGIC_SAS;
        case "buslogic":
          return DiskController.BUSLOGIC;
        case "pvscsi":
          return DiskController.PVSCSI;
        default:
          // No virtualDev: VMware picks by guestOS (LSI Logic mostly); SATA suits all of them.
          return DiskController.UNKNOWN;
      }
    }

    private void readNics() throws VmDescriptionException {
      Set<Integer> ports = new TreeSet<>();
      for (VmxFile.Entry e : vmx.entries()) {
        Matcher m = ETHERNET_KEY.matcher(e.key().toLowerCase(Locale.ROOT));
        if (m.matches()) {
          ports.add(index(m.group(1), 99, e.key() + " (line " + e.line() + ")", "ethernet0 to ethernet99"));
        }
      }
      for (int port : ports) {
        String ns = "ethernet" + port;
        if (!vmx.bool(ns + ".present").orElse(true)) {
          continue;
        }
        String addressType = vmx.get(ns + ".addressType").map(s -> s.strip().toLowerCase(Locale.ROOT)).orElse("");
        String macKey;
        if (addressType.equals("static")) {
          macKey = ns + ".address";
          if (vmx.get(macKey).isEmpty()) {
            throw new VmDescriptionException(file, vmx.where(ns + ".addressType"), "a static MAC address needs "
                + macKey + " = \"00:50:56:xx:xx:xx\"");
          }
        } else if (addressType.isEmpty() && vmx.get(ns + ".address").isPresent()) {
          macKey = ns + ".address";
        } else {
          macKey = ns + ".generatedAddress";
        }
        Optional<String> mac = vmx.get(macKey).map(String::strip);
        if (mac.isPresent() && !MAC.matcher(mac.get()).matches()) {
          throw new VmDescriptionException(file, vmx.where(macKey), "'" + VmxFile.abbreviate(mac.get())
              + "' is not a MAC address such as 00:0c:29:3a:4b:5c");
        }
        Optional<String> network = vmx.get(ns + ".networkName").map(String::strip).filter(s -> !s.isEmpty());
        if (network.isEmpty() && vmx.get(ns + ".connectionType").map(s -> s.strip().equalsIgnoreCase("custom"))
            .orElse(false)) {
          network = vmx.get(ns + ".vnet").map(String::strip).filter(s -> !s.isEmpty());
        }
        b.addNic(new DescribedNic(nicModel(vmx.get(ns + ".virtualDev").orElse("")),
            mac.map(s -> s.toLowerCase(Locale.ROOT)), network, ns));
      }
    }

    private static NicModel nicModel(String virtualDev) {
      switch (virtualDev.strip().toLowerCase(Locale.ROOT)) {
        case "e1000":
          return NicModel.E1000;
        case "e1000e":
          return NicModel.E1000E;
        case "vmxnet3":
          return NicModel.VMXNET3;
        case "vmxnet":
        case "vmxnet2":
          return NicModel.VMXNET;
        case "vlance":
          return NicModel.PCNET;
        default:
          // No virtualDev: VMware picks by guestOS (e1000 for most, vlance for old 32-bit guests).
          return NicModel.UNKNOWN;
      }
    }

    private void readOtherDevices() throws VmDescriptionException {
      if (vmx.bool("sound.present").orElse(false)) {
        notCarried("sound card (" + vmx.get("sound.virtualDev").map(String::strip).filter(s -> !s.isEmpty())
            .orElse("default") + ")");
      }
      if (vmx.bool("usb.present").orElse(false)) {
        notCarried("USB 1.1 controller (usb)");
      }
      if (vmx.bool("ehci.present").orElse(false)) {
        notCarried("USB 2 controller (ehci)");
      }
      if (vmx.bool("usb_xhci.present").orElse(false)) {
        notCarried("USB 3 controller (usb_xhci)");
      }
      Set<String> devices = new LinkedHashSet<>();
      for (VmxFile.Entry e : vmx.entries()) {
        Matcher m = DEVICE_KEY.matcher(e.key().toLowerCase(Locale.ROOT));
        if (m.matches() && m.group(2).length() <= 3) {
          devices.add(m.group(1) + m.group(2));
        }
      }
      for (String ns : devices) {
        Optional<String> fileName = vmx.get(ns + ".fileName").map(String::strip).filter(s -> !s.isEmpty());
        // floppy0 is present unless said otherwise, which is why VMware writes floppy0.present = "FALSE".
        boolean present = vmx.bool(ns + ".present").orElse(ns.startsWith("floppy") && fileName.isPresent());
        if (!present) {
          continue;
        }
        String shown = fileName.map(f -> " (" + f + ")").orElse("");
        if (ns.startsWith("serial")) {
          notCarried("serial port " + ns + shown);
        } else if (ns.startsWith("parallel")) {
          notCarried("parallel port " + ns + shown);
        } else if (ns.startsWith("floppy")) {
          notCarried("floppy drive " + ns + shown);
        } else if (ns.startsWith("pcipassthru")) {
          notCarried("PCI passthrough device " + ns);
        } else {
          notCarried("shared folder " + vmx.get(ns + ".guestName").map(String::strip).orElse(ns));
        }
      }
    }

    private void notCarried(String what) {
      notCarried.merge(what, 1, Integer::sum);
    }
  }
}
