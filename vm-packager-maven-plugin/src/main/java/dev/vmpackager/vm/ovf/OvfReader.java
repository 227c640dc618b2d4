package dev.vmpackager.vm.ovf;

import static dev.vmpackager.vm.DescriptionXml.attr;
import static dev.vmpackager.vm.DescriptionXml.child;
import static dev.vmpackager.vm.DescriptionXml.childText;
import static dev.vmpackager.vm.DescriptionXml.children;

import dev.vmpackager.disk.DiskImageException;
import dev.vmpackager.disk.FileImageSource;
import dev.vmpackager.disk.UnsupportedImageException;
import dev.vmpackager.disk.ova.Manifest;
import dev.vmpackager.disk.ova.OvaContents;
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
import dev.vmpackager.vm.vbox.VboxReader;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.w3c.dom.Element;

/**
 * Reads an OVF descriptor, inside an OVA or loose beside its disks, into a {@link VmDescription}.
 *
 * <p>What is read (reference {@code vm-descriptions.md} section 2):
 * <ul>
 *   <li>the one {@code VirtualSystem}: its {@code Name} (else {@code ovf:id}); a
 *       {@code VirtualSystemCollection} or several systems are refused, naming them;
 *   <li>deployment options: the {@code Configuration} asked for, else the one marked
 *       {@code ovf:default="true"}, else the first; an {@code Item} with
 *       {@code ovf:configuration="a b"} applies only to those; {@code ovf:bound="min|max"} items are
 *       ranges, not the hardware, and are skipped;
 *   <li>CPU: {@code ResourceType} 3 {@code VirtualQuantity}, split into sockets by
 *       {@code vmw:CoresPerSocket};
 *   <li>memory: {@code ResourceType} 4 {@code VirtualQuantity} times {@code AllocationUnits}
 *       ({@code byte * 2^20}, {@code MegaBytes}, {@code MB}, ...; no units is refused, since
 *       bytes and MiB cannot be told apart);
 *   <li>firmware and Secure Boot: {@code vmw:Config firmware}, {@code uefi.secureBoot.enabled},
 *       {@code bootOptions.efiSecureBootEnabled} (also as {@code vmw:ExtraConfig}), or a VirtualBox
 *       export's {@code vbox:Machine/Hardware/Firmware@type}; the chipset from {@code vbox:Machine};
 *   <li>disks: each {@code ResourceType} 17 item's {@code HostResource} ({@code ovf:/disk/ID},
 *       {@code ovf://disk/ID}, {@code /disk/ID}, or {@code ovf:/file/ID}) to {@code DiskSection}
 *       to {@code References}, its {@code Parent} to the controller item ({@code ResourceType} 5
 *       IDE, 6 SCSI by {@code ResourceSubType}, 20 SATA/NVMe/virtio-scsi by
 *       {@code ResourceSubType}), its capacity from {@code ovf:capacity} times
 *       {@code ovf:capacityAllocationUnits};
 *   <li>boot order: OVF has none, and the order of {@code DiskSection} or {@code References} is
 *       not one (Forklift matches disks by that position and ships a data disk listed first as the
 *       boot disk). VMware's {@code bios.hddOrder} is followed when present; otherwise the disks are
 *       ordered as the firmware finds them: by controller kind ({@link DiskOrder}), the controller's
 *       bus number ({@code Address}), then the unit ({@code AddressOnParent});
 *   <li>NICs: {@code ResourceType} 10 in document order, {@code ResourceSubType} (case-insensitive),
 *       {@code Address} as the MAC, {@code Connection} as the network;
 *   <li>guest OS: {@code vmw:osType}, else {@code vbox:OSType}, else the section's
 *       {@code Description}, else its CIM {@code ovf:id}.
 * </ul>
 * CD/DVD, floppy, sound, serial, parallel, USB, other devices, empty non-IDE controllers, blank
 * disks, disks attached to nothing and an EFI NVRAM file are listed in
 * {@link VmDescription#notCarriedOver()}.
 *
 * <p>Files: in an OVA, every disk must be an entry of the archive (or its first chunk) under a
 * plain relative name, as the disk reader requires. Beside a loose {@code .ovf}, a disk is looked
 * up by its last name in the descriptor's folder ({@link FolderFiles}); compressed or chunked
 * files are refused there. A manifest ({@code <name>.mf}) beside a loose {@code .ovf}, or inside
 * an OVA, must match the descriptor's digest when it lists it; disk digests are not computed here
 * (that would read every disk at each build): the OVA disk reader checks them as it reads, and
 * {@link #verifyAgainstManifest} checks a loose package's disk.
 */
public final class OvfReader {

  /** The OVF 1.x envelope namespace. */
  public static final String OVF1 = "http://schemas.dmtf.org/ovf/envelope/1";
  /** The OVF 2.x envelope namespace. */
  public static final String OVF2 = "http://schemas.dmtf.org/ovf/envelope/2";
  /** VMware's extension namespace ({@code vmw:}). */
  public static final String VMW = "http://www.vmware.com/schema/ovf";
  /** VirtualBox's extension namespace ({@code vbox:}). */
  public static final String VBOX = "http://www.virtualbox.org/ovf/machine";

  /** The model's memory ceiling, checked here to name the item at fault. */
  private static final BigInteger MAX_MEMORY = BigInteger.ONE.shiftLeft(44);
  private static final Pattern HOST_RESOURCE = Pattern.compile("(?:ovf:)?//?(disk|file)/(.+)");
  private static final Pattern HDD_ORDER = Pattern.compile("(ide|sata|scsi|nvme)(\\d{1,3}):(\\d{1,3})");
  private static final Pattern PROPERTY = Pattern.compile("\\$\\{.*}");

  private OvfReader() {}

  /**
   * @param file an {@code .ova} (a tar whose first entry is the {@code .ovf}), or a loose
   *     {@code .ovf} whose disks are in its folder
   * @param configuration the deployment option to use; empty for the OVF's default
   * @return what the OVF describes
   * @throws VmDescriptionException naming the file and the element when the OVF is malformed,
   *     hostile, refers to disks that are missing, or describes several VMs
   * @throws IOException when the file cannot be read
   */
  public static VmDescription read(Path file, Optional<String> configuration) throws IOException {
    Objects.requireNonNull(configuration, "configuration");
    if (isOva(file)) {
      OvaContents ova;
      try {
        ova = OvaContents.read(file);
      } catch (DiskImageException e) {
        throw new VmDescriptionException(file, "OVA archive", e.getMessage(), e);
      } catch (IOException e) {
        throw new VmDescriptionException(file, "file", "cannot be read: " + e, e);
      }
      Resolver inOva = (ref, where) -> ovaEntry(file, ova, ref, where);
      return new Reading(file, DescriptionFormat.OVA, configuration, inOva).run(ova.descriptor());
    }
    byte[] xml = DescriptionXml.read(file);
    Optional<Manifest> mf = manifest(file);
    if (mf.isPresent()) {
      try {
        mf.get().verify(file.getFileName().toString(), xml, file.toString());
      } catch (DiskImageException e) {
        throw new VmDescriptionException(file, "manifest " + manifestFile(file).map(Path::getFileName).orElse(null),
            e.getMessage(), e);
      }
    }
    Resolver loose = (ref, where) -> looseFile(file, ref, where);
    return new Reading(file, DescriptionFormat.OVF, configuration, loose).run(xml);
  }

  /**
   * Checks a file of a loose OVF package against the manifest beside the descriptor. The reader
   * checks the descriptor itself; a disk is checked here on request, since hashing every disk at
   * each build would cost a full read of each.
   *
   * @param ovf the loose {@code .ovf}
   * @param fileName a file of the package, as {@link DescribedDisk#file()} names it
   * @return true when the manifest lists the file and its digest matches; false when there is no
   *     manifest or it does not list the file
   * @throws VmDescriptionException when the manifest is malformed or the digest differs
   */
  public static boolean verifyAgainstManifest(Path ovf, String fileName) throws IOException {
    Optional<Manifest> mf = manifest(ovf);
    if (mf.isEmpty() || !mf.get().lists(fileName)) {
      return false;
    }
    Path disk = ovf.toAbsolutePath().getParent().resolve(FolderFiles.resolve(ovf, fileName, "References/File"));
    try (FileImageSource data = FileImageSource.open(disk)) {
      mf.get().verify(fileName, data);
    } catch (DiskImageException e) {
      throw new VmDescriptionException(ovf, "manifest", e.getMessage(), e);
    }
    return true;
  }

  private static boolean isOva(Path file) throws VmDescriptionException {
    if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".ova")) {
      return true;
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(263);
      return head.length == 263 && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
    } catch (IOException e) {
      throw new VmDescriptionException(file, "file", "cannot be read: " + e, e);
    }
  }

  private static Optional<Path> manifestFile(Path ovf) {
    String name = ovf.getFileName().toString();
    String base = name.toLowerCase(Locale.ROOT).endsWith(".ovf") ? name.substring(0, name.length() - 4) : name;
    Path folder = ovf.toAbsolutePath().getParent();
    for (String ext : List.of(".mf", ".MF")) {
      Path mf = folder.resolve(base + ext);
      if (Files.isRegularFile(mf, LinkOption.NOFOLLOW_LINKS)) {
        return Optional.of(mf);
      }
    }
    return Optional.empty();
  }

  private static Optional<Manifest> manifest(Path ovf) throws VmDescriptionException {
    Optional<Path> mf = manifestFile(ovf);
    if (mf.isEmpty()) {
      return Optional.empty();
    }
    String where = "manifest " + mf.get().getFileName();
    try (InputStream in = Files.newInputStream(mf.get())) {
      byte[] data = in.readNBytes(Manifest.MAX_BYTES + 1);
      if (data.length > Manifest.MAX_BYTES) {
        throw new VmDescriptionException(ovf, where, "more than " + Manifest.MAX_BYTES + " bytes; not a manifest");
      }
      return Optional.of(Manifest.parse(new String(data, StandardCharsets.UTF_8), mf.get().getFileName().toString()));
    } catch (VmDescriptionException e) {
      throw e;
    } catch (DiskImageException e) {
      throw new VmDescriptionException(ovf, where, e.getMessage(), e);
    } catch (IOException e) {
      throw new VmDescriptionException(ovf, where, "cannot be read: " + e, e);
    }
  }

  /** A {@code References/File}. */
  private record FileRef(String id, String href, String compression, long chunkSize, String where) {
    boolean compressed() {
      return !compression.isEmpty() && !compression.equalsIgnoreCase("identity");
    }
  }

  /** Finds the file a reference names; returns the name the model keeps. */
  @FunctionalInterface
  private interface Resolver {
    String resolve(FileRef ref, String where) throws VmDescriptionException;
  }

  private static String looseFile(Path file, FileRef ref, String where) throws VmDescriptionException {
    if (isUrl(ref.href())) {
      throw new VmDescriptionException(file, ref.where(), "the file is a URL (" + ref.href() + "); download it beside"
          + " the descriptor and name it by its file name");
    }
    if (ref.compressed()) {
      throw new VmDescriptionException(file, ref.where(), ref.href() + " is stored " + ref.compression()
          + "-compressed (ovf:compression): decompress it beside the descriptor and drop the attribute, or package"
          + " the VM as an OVA");
    }
    if (ref.chunkSize() > 0) {
      throw new VmDescriptionException(file, ref.where(), ref.href() + " is stored in chunks (ovf:chunkSize): join"
          + " the chunks into one file beside the descriptor and drop the attribute, or package the VM as an OVA");
    }
    return FolderFiles.resolve(file, ref.href(), where);
  }

  private static String ovaEntry(Path file, OvaContents ova, FileRef ref, String where)
      throws VmDescriptionException {
    if (isUrl(ref.href())) {
      throw new VmDescriptionException(file, ref.where(), "the file is a URL (" + ref.href() + "), not an entry of"
          + " the OVA");
    }
    if (ref.compressed() && !ref.compression().equalsIgnoreCase("gzip")) {
      throw new VmDescriptionException(file, ref.where(), ref.href() + " is " + ref.compression() + "-compressed;"
          + " only gzip (the OVF standard's one) is read");
    }
    String entry;
    try {
      entry = OvaContents.entryName(ref.href(), file.getFileName().toString());
    } catch (UnsupportedImageException e) {
      throw new VmDescriptionException(file, ref.where(), "'" + ref.href() + "' is not a plain entry name (an"
          + " absolute path or one with '..'); an OVA's files are entries of the archive itself", e);
    }
    String stored = ref.chunkSize() > 0 ? String.format("%s.%09d", entry, 0) : entry;
    if (!ova.holds(stored)) {
      throw new VmDescriptionException(file, where, "the OVA has no entry " + stored + " for file " + ref.id()
          + " (a truncated or incomplete OVA, or an OVF that names the wrong file)");
    }
    return entry;
  }

  private static boolean isUrl(String href) {
    return href.contains("://") && !href.regionMatches(true, 0, "file:", 0, 5);
  }

  /** A {@code DiskSection/Disk}. */
  private record DiskDecl(String diskId, String fileRef, OptionalLong capacity, String where) {}

  /** One hardware item that applies to the chosen configuration. */
  private record Item(Element element, int position, String instanceId, int type, String subType, String label,
      String where) {
    String text(String localName) {
      return childText(element, localName);
    }
  }

  /** A disk controller item. */
  private record Controller(Item item, DiskController kind, String family, int bus) {}

  /** A disk item, resolved, with what orders it. */
  private record AttachedDisk(DescribedDisk disk, Controller controller, int unit, int position) {}

  /** The state of one read. */
  private static final class Reading {
    private final Path file;
    private final DescriptionFormat format;
    private final Optional<String> asked;
    private final Resolver resolver;
    private VmDescription.Builder b;
    private final Map<String, FileRef> files = new LinkedHashMap<>();
    private final Map<String, DiskDecl> disks = new LinkedHashMap<>();
    private String configuration;
    private final List<DescribedNic> nics = new ArrayList<>();

    Reading(Path file, DescriptionFormat format, Optional<String> asked, Resolver resolver) {
      this.file = file;
      this.format = format;
      this.asked = asked;
      this.resolver = resolver;
    }

    private VmDescriptionException error(String element, String problem) {
      return new VmDescriptionException(file, element, problem);
    }

    VmDescription run(byte[] xml) throws VmDescriptionException {
      Element env = DescriptionXml.parse(file, xml).getDocumentElement();
      String ns = env.getNamespaceURI();
      if (!"Envelope".equals(DescriptionXml.localName(env)) || !(OVF1.equals(ns) || OVF2.equals(ns))) {
        String old = ns != null && ns.contains("vmware.com/schema/ovf/1/envelope")
            ? " (this is OVF 0.9, from 2007: re-export it with OVF 1.0 or later)" : "";
        throw error("root element", "<" + env.getTagName() + "> in namespace " + ns + " is not an OVF 1.x or 2.x"
            + " <Envelope> (" + OVF1 + " or " + OVF2 + ")" + old);
      }
      b = VmDescription.builder(file, format);
      references(env);
      diskSection(env);
      Element system = virtualSystem(env);
      configuration(env, system);
      String name = childText(system, "Name");
      name = name.isEmpty() ? attr(system, "id") : name;
      if (!name.isEmpty()) {
        b.name(name);
      }
      operatingSystem(system);
      List<Element> sections = children(system, "VirtualHardwareSection");
      if (sections.isEmpty()) {
        throw error("VirtualSystem", "has no VirtualHardwareSection: the OVF states no hardware");
      }
      // Several sections are alternatives for different hypervisors (ovf:transport, System types); the
      // first is the exporter's own.
      Element hardware = sections.get(0);
      Optional<Element> vboxMachine = children(system, "Machine").stream()
          .filter(m -> VBOX.equals(m.getNamespaceURI())).findFirst();
      if (vboxMachine.isPresent()) {
        VboxReader.readFirmwareAndChipset(file, vboxMachine.get(), "VirtualSystem/vbox:Machine", b);
      }
      Map<String, Element> vmw = vmwareConfig(hardware);
      firmware(vmw);
      hardware(hardware, vmw);
      if (vboxMachine.isPresent()) {
        macsFromVbox(VboxReader.readNics(file, vboxMachine.get(), "VirtualSystem/vbox:Machine"));
      }
      for (DescribedNic nic : nics) {
        b.addNic(nic);
      }
      return b.build();
    }

    private void references(Element env) throws VmDescriptionException {
      for (Element refs : children(env, "References")) {
        for (Element f : children(refs, "File")) {
          String id = attr(f, "id");
          String where = "References/File[ovf:id=" + id + "]";
          if (id.isEmpty() || attr(f, "href").isEmpty()) {
            throw error(where, "a File needs ovf:id and ovf:href");
          }
          String chunk = attr(f, "chunkSize");
          long chunkSize = chunk.isEmpty() ? 0 : DescriptionXml.number(file, where + "@ovf:chunkSize", chunk, 1,
              Long.MAX_VALUE);
          if (files.put(id, new FileRef(id, attr(f, "href"), attr(f, "compression"), chunkSize, where)) != null) {
            throw error(where, "the file id is listed twice in References");
          }
        }
      }
    }

    private void diskSection(Element env) throws VmDescriptionException {
      for (Element section : children(env, "DiskSection")) {
        for (Element d : children(section, "Disk")) {
          String id = attr(d, "diskId");
          String where = "DiskSection/Disk[ovf:diskId=" + id + "]";
          if (id.isEmpty()) {
            throw error(where, "a Disk without ovf:diskId");
          }
          OptionalLong capacity = capacity(where, attr(d, "capacity"), attr(d, "capacityAllocationUnits"));
          if (disks.put(id, new DiskDecl(id, attr(d, "fileRef"), capacity, where)) != null) {
            throw error(where, "the disk id is listed twice in the DiskSection");
          }
        }
      }
    }

    private OptionalLong capacity(String where, String capacity, String units) throws VmDescriptionException {
      if (capacity.isEmpty() || PROPERTY.matcher(capacity).matches()) {
        return OptionalLong.empty(); // a deployment-time property such as ${disk.size}
      }
      long value = DescriptionXml.number(file, where + "@ovf:capacity", capacity, 0, Long.MAX_VALUE);
      BigInteger perUnit = OvfUnits.bytesPerUnit(units).orElseThrow(() -> error(where
          + "@ovf:capacityAllocationUnits", "'" + units + "' is not a unit of bytes (byte * 2^30, GigaBytes, ...)"));
      BigInteger bytes = BigInteger.valueOf(value).multiply(perUnit);
      if (bytes.bitLength() > 63) {
        throw error(where + "@ovf:capacity", capacity + " x " + units + " is more bytes than any disk holds");
      }
      return bytes.signum() == 0 ? OptionalLong.empty() : OptionalLong.of(bytes.longValueExact());
    }

    private Element virtualSystem(Element env) throws VmDescriptionException {
      List<Element> collections = children(env, "VirtualSystemCollection");
      if (!collections.isEmpty()) {
        Element c = collections.get(0);
        throw error("VirtualSystemCollection[ovf:id=" + attr(c, "id") + "]", "the OVF describes a collection of "
            + "VMs " + systemNames(c) + "; one description is one VM: export each VM on its own");
      }
      List<Element> systems = children(env, "VirtualSystem");
      if (systems.isEmpty()) {
        throw error("Envelope", "has no VirtualSystem: the OVF describes no VM");
      }
      if (systems.size() > 1) {
        throw error("Envelope/VirtualSystem", "the OVF describes " + systems.size() + " VMs "
            + systemNames(env) + "; one description is one VM: export each VM on its own");
      }
      return systems.get(0);
    }

    /** The ids of the VirtualSystems under an element, nested collections included (no recursion). */
    private static List<String> systemNames(Element top) {
      List<String> names = new ArrayList<>();
      List<Element> todo = new ArrayList<>(List.of(top));
      while (!todo.isEmpty() && names.size() < 20) {
        Element e = todo.remove(0);
        for (Element k : DescriptionXml.children(e)) {
          String ln = DescriptionXml.localName(k);
          if (ln.equals("VirtualSystem")) {
            String n = childText(k, "Name");
            names.add("'" + (n.isEmpty() ? attr(k, "id") : n) + "'");
          } else if (ln.equals("VirtualSystemCollection")) {
            todo.add(k);
          }
        }
      }
      return names;
    }

    private void configuration(Element env, Element system) throws VmDescriptionException {
      List<Element> sections = new ArrayList<>(children(env, "DeploymentOptionSection"));
      sections.addAll(children(system, "DeploymentOptionSection"));
      List<String> ids = new ArrayList<>();
      String dflt = null;
      for (Element s : sections) {
        for (Element c : children(s, "Configuration")) {
          String id = attr(c, "id");
          if (id.isEmpty()) {
            throw error("DeploymentOptionSection/Configuration", "a Configuration without ovf:id");
          }
          ids.add(id);
          if (dflt == null && attr(c, "default").equalsIgnoreCase("true")) {
            dflt = id;
          }
        }
      }
      if (asked.isPresent()) {
        if (ids.isEmpty()) {
          throw error("DeploymentOptionSection", "the OVF offers no deployment options, so there is no"
              + " configuration '" + asked.get() + "' to choose: leave the configuration unset");
        }
        if (!ids.contains(asked.get())) {
          String d = dflt;
          throw error("DeploymentOptionSection", "the configuration '" + asked.get() + "' asked for is not one"
              + " the OVF offers: " + ids.stream().map(i -> i.equals(d) ? i + " (default)" : i).toList());
        }
        configuration = asked.get();
      } else if (!ids.isEmpty()) {
        configuration = dflt != null ? dflt : ids.get(0);
      }
    }

    /** @return whether an element with {@code ovf:configuration} applies to the chosen configuration */
    private boolean applies(Element e, String where) throws VmDescriptionException {
      String configs = attr(e, "configuration");
      if (configs.isEmpty()) {
        return true;
      }
      if (configuration == null) {
        throw error(where, "is for configuration '" + configs + "', but the OVF has no DeploymentOptionSection");
      }
      return List.of(configs.split("\\s+")).contains(configuration);
    }

    private void operatingSystem(Element system) {
      Optional<Element> os = child(system, "OperatingSystemSection");
      if (os.isEmpty()) {
        return;
      }
      Element s = os.get();
      String vmwType = attr(s, "osType");
      String vboxType = childText(s, "OSType");
      String description = childText(s, "Description");
      String cim = attr(s, "id");
      String guest = !vmwType.isEmpty() ? vmwType : !vboxType.isEmpty() ? vboxType : !description.isEmpty()
          ? description : !cim.isEmpty() ? "CIM OS type " + cim : null;
      if (guest != null) {
        b.guestOs(guest);
      }
    }

    /** VMware's {@code vmw:Config} and {@code vmw:ExtraConfig} keys of the hardware section, first wins. */
    private Map<String, Element> vmwareConfig(Element hardware) throws VmDescriptionException {
      Map<String, Element> keys = new HashMap<>();
      for (Element e : DescriptionXml.children(hardware)) {
        String ln = DescriptionXml.localName(e);
        if (VMW.equals(e.getNamespaceURI()) && (ln.equals("Config") || ln.equals("ExtraConfig"))
            && applies(e, "vmw:" + ln + "[" + attr(e, "key") + "]")) {
          keys.putIfAbsent(attr(e, "key"), e);
        }
      }
      return keys;
    }

    private void firmware(Map<String, Element> vmw) throws VmDescriptionException {
      Element fw = vmw.get("firmware");
      if (fw != null) {
        String v = attr(fw, "value").toLowerCase(Locale.ROOT);
        if (!v.equals("efi") && !v.equals("bios")) {
          throw error("vmw:Config[firmware]", "'" + attr(fw, "value") + "' is neither efi nor bios");
        }
        b.firmware(v);
      }
      for (String key : List.of("uefi.secureBoot.enabled", "bootOptions.efiSecureBootEnabled")) {
        Element sb = vmw.get(key);
        if (sb != null) {
          String v = attr(sb, "value").toLowerCase(Locale.ROOT);
          if (!v.equals("true") && !v.equals("false")) {
            throw error("vmw:Config[" + key + "]", "'" + attr(sb, "value") + "' is neither true nor false");
          }
          b.secureBoot(v.equals("true"));
        }
      }
    }

    private void hardware(Element hardware, Map<String, Element> vmw) throws VmDescriptionException {
      List<Item> items = items(hardware);
      Map<String, Item> byId = new HashMap<>();
      for (Item i : items) {
        if (!i.instanceId().isEmpty()) {
          Item other = byId.put(i.instanceId(), i);
          if (other != null) {
            throw error(i.where(), "the InstanceID is also " + other.where() + "'s; Parent references would be"
                + " ambiguous");
          }
        }
      }
      Map<String, Controller> controllers = new LinkedHashMap<>();
      Map<String, Integer> perFamily = new HashMap<>();
      List<Item> diskItems = new ArrayList<>();
      Item cpu = null;
      Item memory = null;
      for (Item i : items) {
        switch (i.type()) {
          case 3 -> {
            if (cpu != null) {
              throw error(i.where(), "a second processor item (the first is " + cpu.where() + ")");
            }
            cpu = i;
            cpu(i);
          }
          case 4 -> {
            if (memory != null) {
              throw error(i.where(), "a second memory item (the first is " + memory.where() + ")");
            }
            memory = i;
            memory(i);
          }
          case 5, 6, 20 -> {
            if (i.instanceId().isEmpty()) {
              throw error(i.where(), "a disk controller without InstanceID: its disks cannot name it as their Parent");
            }
            DiskController kind = controllerKind(i);
            String family = family(i.type(), kind);
            int index = perFamily.merge(family, 1, Integer::sum) - 1;
            int bus = smallNumber(i.text("Address")).orElse(index);
            controllers.put(i.instanceId(), new Controller(i, kind, family, bus));
          }
          case 10 -> nic(i);
          case 17 -> diskItems.add(i);
          case 14 -> b.notCarriedOver(phrase("floppy drive", i));
          case 15, 16 -> b.notCarriedOver(phrase(i.type() == 15 ? "CD-ROM drive" : "DVD drive", i)
              + cdContent(i));
          case 21 -> b.notCarriedOver(phrase("serial port", i));
          case 22 -> b.notCarriedOver(phrase("parallel port", i));
          case 23 -> b.notCarriedOver(phrase("USB controller", i));
          case 35 -> b.notCarriedOver(phrase("sound card", i));
          case 24 -> {
            // The video card: KubeVirt gives every VM a display device of its own.
          }
          case 1 -> b.notCarriedOver(phrase(otherKind(i.subType()), i));
          default -> b.notCarriedOver(phrase("device of ResourceType " + i.type(), i));
        }
      }
      disks(diskItems, byId, controllers, vmw);
    }

    private List<Item> items(Element hardware) throws VmDescriptionException {
      List<Item> items = new ArrayList<>();
      int position = 0;
      for (Element e : DescriptionXml.children(hardware)) {
        String kind = DescriptionXml.localName(e);
        if (!kind.equals("Item") && !kind.equals("StorageItem") && !kind.equals("EthernetPortItem")) {
          continue;
        }
        position++;
        String id = childText(e, "InstanceID");
        if (id.isEmpty()) {
          id = childText(e, "InstanceId"); // VirtualBox accepts this spelling, so exporters write it
        }
        String where = "VirtualHardwareSection/" + kind + (id.isEmpty() ? "[" + position + "]" : "[InstanceID=" + id
            + "]");
        if (!applies(e, where)) {
          continue;
        }
        String bound = attr(e, "bound");
        if (bound.equalsIgnoreCase("min") || bound.equalsIgnoreCase("max")) {
          continue; // the limits of a range; the item with ovf:bound="normal" is the hardware
        }
        String rt = childText(e, "ResourceType");
        if (rt.isEmpty()) {
          throw error(where, "an item without ResourceType");
        }
        int type = (int) DescriptionXml.number(file, where + "/ResourceType", rt, 0, 65535);
        String label = childText(e, "ElementName");
        if (label.isEmpty()) {
          label = childText(e, "Caption");
        }
        items.add(new Item(e, position, id, type, childText(e, "ResourceSubType"), label, where));
      }
      return items;
    }

    private void cpu(Item i) throws VmDescriptionException {
      String q = i.text("VirtualQuantity");
      if (q.isEmpty()) {
        throw error(i.where(), "a processor item without VirtualQuantity");
      }
      int count = (int) DescriptionXml.number(file, i.where() + "/VirtualQuantity", q, 1, 1024);
      Optional<Element> cps = child(i.element(), "CoresPerSocket");
      int cores = 1;
      if (cps.isPresent()) {
        cores = (int) DescriptionXml.number(file, i.where() + "/vmw:CoresPerSocket", DescriptionXml.text(cps.get()),
            1, count);
        if (count % cores != 0) {
          throw error(i.where() + "/vmw:CoresPerSocket", count + " vCPUs cannot be split into sockets of " + cores
              + " cores");
        }
      }
      b.cpuSockets(count / cores).cpuCores(cores).cpuThreads(1);
    }

    private void memory(Item i) throws VmDescriptionException {
      String q = i.text("VirtualQuantity");
      String units = i.text("AllocationUnits");
      if (q.isEmpty()) {
        throw error(i.where(), "a memory item without VirtualQuantity");
      }
      // Up to 40 digits are taken as a number (and found too large below); anything else is not one.
      BigInteger value = q.matches("[0-9]{1,40}") ? new BigInteger(q)
          : BigInteger.valueOf(DescriptionXml.number(file, i.where() + "/VirtualQuantity", q, 1, Long.MAX_VALUE));
      if (value.signum() == 0) {
        throw error(i.where() + "/VirtualQuantity", "0: a VM needs memory");
      }
      if (units.isEmpty()) {
        throw error(i.where() + "/AllocationUnits", "missing: " + q + " could be bytes or MiB; write"
            + " AllocationUnits (byte * 2^20 for MiB)");
      }
      BigInteger perUnit = OvfUnits.bytesPerUnit(units).orElseThrow(() -> error(i.where() + "/AllocationUnits",
          "'" + units + "' is not a unit of bytes (byte * 2^20, MegaBytes, MB, byte * 2^30, GigaBytes, GB)"));
      BigInteger bytes = value.multiply(perUnit);
      if (bytes.compareTo(MAX_MEMORY) > 0) {
        throw error(i.where() + "/VirtualQuantity", q + " x " + units + " is more than 16 TiB of memory");
      }
      b.memoryBytes(bytes.longValueExact());
    }

    private void nic(Item i) throws VmDescriptionException {
      String address = i.text("Address");
      Optional<String> mac = Optional.empty();
      if (!address.isEmpty()) {
        mac = MacAddress.normalize(address);
        if (mac.isEmpty()) {
          throw error(i.where() + "/Address", "'" + address + "' is not a unicast MAC address");
        }
      }
      String network = i.text("Connection");
      nics.add(new DescribedNic(nicModel(i.subType()), mac, network.isEmpty() ? Optional.empty()
          : Optional.of(network), i.where()));
    }

    /**
     * VirtualBox exports write the MAC addresses only in {@code vbox:Machine}, one enabled adapter per
     * NIC item in slot order; when the counts agree, an item without {@code Address} takes its
     * adapter's.
     */
    private void macsFromVbox(List<DescribedNic> adapters) {
      if (adapters.size() != nics.size()) {
        return;
      }
      for (int i = 0; i < nics.size(); i++) {
        DescribedNic n = nics.get(i);
        if (n.macAddress().isEmpty() && adapters.get(i).macAddress().isPresent()) {
          nics.set(i, new DescribedNic(n.model(), adapters.get(i).macAddress(), n.network(), n.element()));
        }
      }
    }

    private String cdContent(Item i) {
      String host = i.text("HostResource");
      if (host.isEmpty()) {
        return " (empty)";
      }
      Matcher m = HOST_RESOURCE.matcher(host);
      if (m.matches() && m.group(1).equals("file") && files.containsKey(m.group(2))) {
        return " (image " + files.get(m.group(2)).href() + ")";
      }
      return " (" + host + ")";
    }

    private void disks(List<Item> diskItems, Map<String, Item> byId, Map<String, Controller> controllers,
        Map<String, Element> vmw) throws VmDescriptionException {
      if (diskItems.isEmpty()) {
        // No disk items at all: only a hand-written OVF looks like this. Its DiskSection is all we have.
        for (DiskDecl d : disks.values()) {
          if (!d.fileRef().isEmpty()) {
            b.addDisk(new DescribedDisk(d.diskId(), fileOf(d, d.where()), DiskController.UNKNOWN, d.capacity(),
                d.where()));
          }
        }
        return;
      }
      List<AttachedDisk> attached = new ArrayList<>();
      Map<String, String> usedDisk = new HashMap<>();
      Map<String, String> usedSlot = new HashMap<>();
      Set<String> controllersWithDisks = new HashSet<>();
      for (Item i : diskItems) {
        String host = i.text("HostResource");
        Matcher m = HOST_RESOURCE.matcher(host);
        if (!m.matches()) {
          throw error(i.where() + "/HostResource", host.isEmpty() ? "a disk item without HostResource"
              : "'" + host + "' names no disk (ovf:/disk/<diskId> or ovf:/file/<fileId>)");
        }
        String id = m.group(2);
        String previous = usedDisk.put(m.group(1) + "/" + id, i.where());
        if (previous != null) {
          throw error(i.where(), "attaches " + host + " a second time (also " + previous + "); a disk is attached"
              + " once");
        }
        String name;
        String diskFile;
        OptionalLong capacity;
        if (m.group(1).equals("disk")) {
          DiskDecl d = disks.get(id);
          if (d == null) {
            throw error(i.where() + "/HostResource", "'" + host + "' names disk " + id + ", which the DiskSection"
                + " does not list " + (disks.isEmpty() ? "(it lists none)" : "(it lists " + first(disks.keySet()) + ")"));
          }
          if (d.fileRef().isEmpty()) {
            b.notCarriedOver("blank disk " + id + (d.capacity().isPresent() ? " of " + d.capacity().getAsLong()
                + " bytes" : "") + " (no file: the OVF asks the importer to create it empty; add it in <disks>)");
            continue;
          }
          name = id;
          diskFile = fileOf(d, i.where());
          capacity = d.capacity();
        } else {
          FileRef f = files.get(id);
          if (f == null) {
            throw error(i.where() + "/HostResource", "'" + host + "' names file " + id + ", which References does"
                + " not list");
          }
          diskFile = resolver.resolve(f, i.where());
          name = id;
          capacity = OptionalLong.empty();
        }
        Controller controller = null;
        String parent = i.text("Parent");
        if (!parent.isEmpty()) {
          controller = controllers.get(parent);
          if (controller == null) {
            Item p = byId.get(parent);
            throw error(i.where() + "/Parent", p == null ? "names item " + parent + ", which the hardware section"
                + " does not have (in this configuration)" : "names " + p.where() + ", which is not a disk controller"
                + " (ResourceType " + p.type() + ")");
          }
          controllersWithDisks.add(parent);
        }
        String aop = i.text("AddressOnParent");
        int unit = aop.isEmpty() ? Integer.MAX_VALUE
            : (int) DescriptionXml.number(file, i.where() + "/AddressOnParent", aop, 0, 65535);
        if (controller != null && !aop.isEmpty()) {
          String slot = usedSlot.put(parent + ":" + unit, i.where());
          if (slot != null) {
            throw error(i.where() + "/AddressOnParent", "unit " + unit + " of " + controller.item().where()
                + " is also " + slot + "'s");
          }
        }
        DiskController kind = controller == null ? DiskController.UNKNOWN : controller.kind();
        attached.add(new AttachedDisk(new DescribedDisk(name, diskFile, kind, capacity, i.where()), controller, unit,
            i.position()));
      }
      List<String> hddOrder = hddOrder(vmw);
      attached.sort(Comparator.comparingInt((AttachedDisk a) -> hddIndex(hddOrder, a))
          .thenComparingInt(a -> DiskOrder.biosRank(a.disk().controller()))
          .thenComparingInt(a -> a.controller() == null ? Integer.MAX_VALUE : a.controller().bus())
          .thenComparingInt(a -> a.controller() == null ? Integer.MAX_VALUE : a.controller().item().position())
          .thenComparingInt(AttachedDisk::unit)
          .thenComparingInt(AttachedDisk::position));
      for (AttachedDisk a : attached) {
        b.addDisk(a.disk());
      }
      for (DiskDecl d : disks.values()) {
        if (!usedDisk.containsKey("disk/" + d.diskId()) && !d.fileRef().isEmpty()) {
          FileRef f = files.get(d.fileRef());
          b.notCarriedOver("disk " + d.diskId() + (f == null ? "" : " (" + f.href() + ")") + ": in the DiskSection"
              + " but attached to no controller" + (configuration == null ? "" : " in configuration '"
              + configuration + "'"));
        }
      }
      for (Map.Entry<String, Controller> c : controllers.entrySet()) {
        if (!controllersWithDisks.contains(c.getKey()) && c.getValue().kind() != DiskController.IDE) {
          b.notCarriedOver(phrase("storage controller", c.getValue().item()) + ", no disk on it");
        }
      }
      for (FileRef f : files.values()) {
        if (f.href().toLowerCase(Locale.ROOT).endsWith(".nvram")) {
          b.notCarriedOver("EFI NVRAM " + f.href() + " (KubeVirt starts with empty EFI variables: the guest must"
              + " boot from \\EFI\\BOOT\\BOOTX64.EFI)");
        }
      }
    }

    private String fileOf(DiskDecl d, String where) throws VmDescriptionException {
      FileRef f = files.get(d.fileRef());
      if (f == null) {
        throw error(d.where() + "@ovf:fileRef", "names file " + d.fileRef() + ", which References does not list"
            + (files.isEmpty() ? "" : " (it lists " + first(files.keySet()) + ")"));
      }
      return resolver.resolve(f, where);
    }

    /** VMware's {@code bios.hddOrder} ({@code scsi0:1,sata0:0}): the disks the BIOS tries, in order. */
    private List<String> hddOrder(Map<String, Element> vmw) {
      Element e = vmw.get("bios.hddOrder");
      if (e == null) {
        return List.of();
      }
      List<String> order = new ArrayList<>();
      for (String s : attr(e, "value").toLowerCase(Locale.ROOT).split("\\s*,\\s*")) {
        Matcher m = HDD_ORDER.matcher(s.strip());
        if (m.matches()) {
          order.add(m.group(1) + Integer.parseInt(m.group(2)) + ":" + Integer.parseInt(m.group(3)));
        }
      }
      return order;
    }

    private static int hddIndex(List<String> order, AttachedDisk a) {
      if (a.controller() == null || order.isEmpty()) {
        return Integer.MAX_VALUE;
      }
      int i = order.indexOf(a.controller().family() + a.controller().bus() + ":" + a.unit());
      return i < 0 ? Integer.MAX_VALUE : i;
    }
  }

  private static String first(Set<String> ids) {
    List<String> l = new ArrayList<>(ids);
    return l.size() > 10 ? String.join(", ", l.subList(0, 10)) + ", ..." : String.join(", ", l);
  }

  /** A controller's bus number, when it is a plain small number (only used to order disks). */
  private static Optional<Integer> smallNumber(String s) {
    String t = s.strip();
    if (!t.isEmpty() && t.length() <= 6 && t.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return Optional.of(Integer.parseInt(t));
    }
    return Optional.empty();
  }

  /** The controller item's kind, by ResourceType and (case-insensitive) ResourceSubType. */
  private static DiskController controllerKind(Item i) {
    if (i.type() == 5) {
      return DiskController.IDE;
    }
    String sub = i.subType().toLowerCase(Locale.ROOT);
    // vSphere API class names (VirtualLsiLogicSASController, ParaVirtualSCSIController) also appear;
    // VMware's own "VirtualSCSI" is PVSCSI.
    sub = sub.endsWith("controller") ? sub.substring(0, sub.length() - "controller".length()) : sub;
    sub = sub.startsWith("virtual") && !sub.equals("virtualscsi") ? sub.substring("virtual".length()) : sub;
    return switch (sub) {
      case "lsilogic" -> DiskController.LSILOGIC;
      case "lsilogicsas", "lsisas1068" -> DiskController.LSILOGIC_SAS;
      case "buslogic" -> DiskController.BUSLOGIC;
      case "virtualscsi", "pvscsi", "paravirtualscsi" -> DiskController.PVSCSI;
      case "virtioscsi", "virtio-scsi" -> DiskController.VIRTIO_SCSI;
      case "ahci", "vmware.sata.ahci", "sata" -> DiskController.SATA;
      case "nvme", "vmware.nvme.controller" -> DiskController.NVME;
      case "virtio", "virtio-blk" -> i.type() == 20 ? DiskController.VIRTIO_BLK : DiskController.VIRTIO_SCSI;
      default -> DiskController.UNKNOWN;
    };
  }

  /** The family {@code bios.hddOrder} names a controller by. */
  private static String family(int type, DiskController kind) {
    return switch (kind) {
      case IDE -> "ide";
      case SATA -> "sata";
      case NVME -> "nvme";
      case LSILOGIC, LSILOGIC_SAS, BUSLOGIC, PVSCSI, VIRTIO_SCSI -> "scsi";
      default -> type == 6 ? "scsi" : "other";
    };
  }

  /** The NIC model a (case-insensitive) ResourceSubType names. */
  static NicModel nicModel(String subType) {
    String s = subType.toLowerCase(Locale.ROOT);
    s = s.startsWith("virtual") ? s.substring("virtual".length()) : s; // vSphere API names: VirtualVmxnet3
    return switch (s) {
      case "e1000", "82540em", "82543gc", "82545em" -> NicModel.E1000;
      case "e1000e" -> NicModel.E1000E;
      case "vmxnet3" -> NicModel.VMXNET3;
      case "vmxnet", "vmxnet2" -> NicModel.VMXNET;
      case "pcnet32", "pcnet", "vlance", "am79c970a", "am79c973", "am79c960" -> NicModel.PCNET;
      case "rtl8139" -> NicModel.RTL8139;
      case "ne2k_pci" -> NicModel.NE2K_PCI;
      case "igb" -> NicModel.IGB;
      case "virtio", "virtio-net" -> NicModel.VIRTIO;
      default -> NicModel.UNKNOWN;
    };
  }

  /** What a ResourceType 1 ("other") item is, by VMware's ResourceSubType names. */
  private static String otherKind(String subType) {
    String s = subType.toLowerCase(Locale.ROOT);
    if (s.contains("sound")) {
      return "sound card";
    }
    if (s.contains("vmci")) {
      return "VMware VMCI device";
    }
    if (s.contains("tpm")) {
      return "TPM";
    }
    if (s.contains("usb")) {
      return "USB controller";
    }
    return "device";
  }

  private static String phrase(String kind, Item i) {
    return kind + (i.label().isEmpty() ? "" : " '" + i.label() + "'") + (i.subType().isEmpty() ? ""
        : " (" + i.subType() + ")");
  }
}
