package dev.vmpackager.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The files hypervisors keep beside a VM's disks that are never disks: VM descriptions, firmware
 * variables, memory and suspend state, snapshot metadata, logs, manifests, CD images. They are
 * known by name: most have no signature that sets them apart from a raw disk, and a raw disk has
 * none either.
 */
public final class HypervisorFiles {

  /** What a file is, by how its name ends. Descriptions say "description" so callers can tell. */
  private static final Map<String, String> BY_SUFFIX = Map.ofEntries(
      // VMware Workstation, Fusion, ESXi
      Map.entry(".vmx", "a VMware VM description (.vmx)"),
      Map.entry(".vmtx", "a VMware template description (.vmtx)"),
      Map.entry(".vmxf", "VMware's supplemental VM configuration (.vmxf)"),
      Map.entry(".vmsd", "VMware's snapshot list (.vmsd)"),
      Map.entry(".vmsn", "a VMware snapshot's memory state (.vmsn)"),
      Map.entry(".vmss", "a VMware suspended state (.vmss)"),
      Map.entry(".vmem", "a VMware VM's memory (.vmem)"),
      Map.entry(".vswp", "an ESXi swap file (.vswp)"),
      Map.entry(".nvram", "a VM's firmware NVRAM (.nvram)"),
      Map.entry(".scoreboard", "a VMware scoreboard (.scoreboard)"),
      Map.entry(".hlog", "a VMware migration log (.hlog)"),
      Map.entry(".lck", "a VMware lock (.lck)"),
      // VirtualBox
      Map.entry(".vbox", "a VirtualBox VM description (.vbox)"),
      Map.entry(".vbox-prev", "a VirtualBox VM description's previous version (.vbox-prev)"),
      Map.entry(".vbox-tmp", "a VirtualBox VM description being written (.vbox-tmp)"),
      Map.entry(".sav", "a VirtualBox saved state (.sav)"),
      // libvirt / QEMU, Hyper-V, Parallels
      Map.entry(".xml", "an XML file (a libvirt domain description?)"),
      Map.entry(".fd", "UEFI firmware or its variables (.fd)"),
      Map.entry(".vmcx", "a Hyper-V VM description (.vmcx)"),
      Map.entry(".vmrs", "a Hyper-V VM's runtime state (.vmrs)"),
      Map.entry(".vmgs", "a Hyper-V VM's guest state (.vmgs)"),
      Map.entry(".pvs", "a Parallels VM description (.pvs)"),
      // OVF folders, logs, CD images
      Map.entry(".ovf", "an OVF VM description (.ovf)"),
      Map.entry(".mf", "an OVF manifest (.mf)"),
      Map.entry(".cert", "an OVF certificate (.cert)"),
      Map.entry(".log", "a log (.log)"),
      Map.entry(".iso", "a CD/DVD image (.iso)"));

  /** A .vmx line attaching a file to a disk controller: {@code scsi0:0.fileName = "disk.vmdk"}. */
  private static final Pattern VMX_DISK =
      Pattern.compile("(?im)^\\s*(?:scsi|sata|ide|nvme)\\d+:\\d+\\.fileName\\s*=\\s*\"([^\"]+)\"\\s*$");

  /** Larger .vmx files are not searched for disk names: real ones are a few KiB. */
  private static final int MAX_VMX = 1 << 20;

  private HypervisorFiles() {}

  /**
   * @param fileName a file's name
   * @return what the file is when its name says it is a hypervisor's file that is never a disk,
   *     e.g. {@code "a VMware VM description (.vmx)"}
   */
  public static Optional<String> describe(String fileName) {
    String n = fileName.toLowerCase(Locale.ROOT);
    // vmware.log, vmware-1.log, VBox.log.1: logs rotate by appending a number.
    String unrotated = n.replaceFirst("\\.\\d+$", "");
    return BY_SUFFIX.entrySet().stream()
        .filter(e -> n.endsWith(e.getKey()) || unrotated.endsWith(e.getKey()))
        .max(Comparator.comparingInt(e -> e.getKey().length()))
        .map(Map.Entry::getValue);
  }

  /**
   * Refuses a source that is a hypervisor's file rather than a disk, naming what it is and, for a
   * VMware description, the disks it attaches.
   *
   * @param source the source, whose content matched no disk format
   * @throws DiskImageException when the source's name says it is never a disk
   */
  static void refuseIfNotADisk(ImageSource source) throws IOException {
    Optional<String> what = describe(source.name());
    if (what.isEmpty()) {
      return;
    }
    StringBuilder m = new StringBuilder(source.name()).append(": is ").append(what.get()).append(", not a disk image");
    if (what.get().contains("description")) {
      m.append("; a VM description is not converted as a disk: point <source> (vm.source) at the VM's disk");
      List<String> disks = source.name().toLowerCase(Locale.ROOT).endsWith(".vmx") ? vmxDisks(source) : List.of();
      if (!disks.isEmpty()) {
        m.append(" (this one attaches ").append(String.join(", ", disks)).append(')');
      }
    } else {
      m.append("; point <source> (vm.source) at the VM's disk, or set <sourceFormat>raw</sourceFormat>"
          + " (vm.sourceFormat) if it really is a raw disk");
    }
    throw new DiskImageException(m.toString());
  }

  /** @return the VMDKs a .vmx attaches to its disk controllers, as it names them */
  private static List<String> vmxDisks(ImageSource vmx) throws IOException {
    if (vmx.size() > MAX_VMX) {
      return List.of();
    }
    ByteBuffer all = ByteBuffer.allocate((int) vmx.size());
    vmx.readFully(all, 0);
    Matcher m = VMX_DISK.matcher(new String(all.array(), StandardCharsets.UTF_8));
    List<String> disks = new ArrayList<>();
    while (m.find()) {
      String f = m.group(1);
      if (f.toLowerCase(Locale.ROOT).endsWith(".vmdk") && !disks.contains(f)) {
        disks.add(f);
      }
    }
    return disks;
  }
}
