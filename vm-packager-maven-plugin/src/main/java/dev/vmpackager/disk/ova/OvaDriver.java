package dev.vmpackager.disk.ova;

import dev.vmpackager.disk.CorruptImageException;
import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageException;
import dev.vmpackager.disk.DiskImageReader;
import dev.vmpackager.disk.DiskOpenOptions;
import dev.vmpackager.disk.FileImageSource;
import dev.vmpackager.disk.FormatDriver;
import dev.vmpackager.disk.ImageSource;
import dev.vmpackager.disk.UnsupportedImageException;
import dev.vmpackager.disk.vmdk.VmdkDriver;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The OVA format: a ustar archive whose first entry is an OVF descriptor. The archive is read in
 * place; the first disk of the OVF's {@code DiskSection} is opened as a window of the archive by
 * the driver its {@code ovf:format} names (VMDK unless other drivers are given). When the archive
 * holds a manifest, the digests of the descriptor and of every disk entry read are checked at open.
 *
 * <p>Not read: gzip-compressed ({@code ovf:compression}) and chunked ({@code ovf:chunkSize}) disk
 * entries, disks referenced by URL, and certificates ({@code .cert} signatures are not checked).
 */
public final class OvaDriver implements FormatDriver {

  /** OVF descriptors larger than this are refused: real ones are tens of KiB. */
  static final int MAX_OVF_BYTES = 16 << 20;

  private final List<FormatDriver> diskDrivers;

  /** An OVA driver that opens VMDK disks. */
  public OvaDriver() {
    this(List.of(new VmdkDriver()));
  }

  /**
   * @param diskDrivers the drivers for disks inside the archive (an OVA driver among them is
   *     ignored: OVAs do not nest)
   */
  public OvaDriver(List<FormatDriver> diskDrivers) {
    this.diskDrivers = diskDrivers.stream().filter(d -> d.format() != DiskFormat.OVA).toList();
  }

  @Override
  public DiskFormat format() {
    return DiskFormat.OVA;
  }

  /** The ustar magic at offset 257 and a first entry whose name ends in {@code .ovf}. */
  @Override
  public boolean matches(ByteBuffer head, ImageSource source) throws IOException {
    if (!TarIndex.hasUstarMagic(head, head.position())) {
      return false;
    }
    try {
      List<TarIndex.Entry> first = TarIndex.read(source, 1);
      return !first.isEmpty() && isOvf(first.get(0).name());
    } catch (DiskImageException e) {
      return false;
    }
  }

  private static boolean isOvf(String name) {
    return name.toLowerCase(Locale.ROOT).endsWith(".ovf");
  }

  @Override
  public DiskImageReader open(ImageSource source, DiskOpenOptions options) throws IOException {
    String name = source.name();
    List<TarIndex.Entry> entries = TarIndex.read(source, TarIndex.MAX_ENTRIES);
    if (entries.isEmpty()) {
      throw new CorruptImageException(name + ": an empty archive, not an OVA");
    }
    TarIndex.Entry ovfEntry = entries.get(0);
    if (!isOvf(ovfEntry.name())) {
      throw new CorruptImageException(name + ": the first entry is " + ovfEntry.name()
          + ", but an OVA starts with its .ovf descriptor");
    }
    Manifest manifest = readManifest(source, entries);
    if (ovfEntry.size() > MAX_OVF_BYTES) {
      throw new CorruptImageException(name + ": the OVF descriptor " + ovfEntry.name() + " is " + ovfEntry.size()
          + " bytes, more than " + MAX_OVF_BYTES);
    }
    ImageSource ovfData = window(source, ovfEntry);
    manifest.verify(ovfEntry.name(), ovfData);
    OvfDescriptor ovf = OvfDescriptor.parse(readAll(ovfData), ovfData.name());

    OvfDescriptor.OvfDisk disk = ovf.disks().stream().filter(d -> !d.fileRef().isEmpty()).findFirst()
        .orElseThrow(() -> new CorruptImageException(ovfData.name() + ": the DiskSection lists no disk with a file"));
    OvfDescriptor.OvfFile file = ovf.files().get(disk.fileRef());
    if (file == null) {
      throw new CorruptImageException(ovfData.name() + ": disk " + disk.diskId() + " refers to file id "
          + disk.fileRef() + ", which References does not list");
    }
    if (file.href().contains("://")) {
      throw new UnsupportedImageException(ovfData.name() + ": disk " + disk.diskId() + " is a URL (" + file.href()
          + "), not an entry of the OVA");
    }
    if (!file.compression().isEmpty() && !file.compression().equalsIgnoreCase("identity")) {
      throw new UnsupportedImageException(ovfData.name() + ": disk file " + file.href() + " is "
          + file.compression() + "-compressed inside the OVA, which is not supported; unpack the OVA and use the disk");
    }
    if (file.chunked()) {
      throw new UnsupportedImageException(ovfData.name() + ": disk file " + file.href()
          + " is split into chunks (ovf:chunkSize), which is not supported");
    }
    String href = TarIndex.checkName(file.href(), name);
    TarIndex.Entry diskEntry = find(entries, href)
        .orElseThrow(() -> new CorruptImageException(name + ": the OVF's disk " + href
            + " is not in the archive (truncated or incomplete OVA)"));
    ImageSource diskData = window(source, diskEntry);
    manifest.verify(diskEntry.name(), diskData);

    FormatDriver driver = chooseDriver(disk.format(), diskData);
    DiskImageReader inner;
    if (driver instanceof VmdkDriver vmdk) {
      String folder = href.contains("/") ? href.substring(0, href.lastIndexOf('/') + 1) : "";
      inner = vmdk.open(diskData, options, extentName -> {
        String entryName = TarIndex.checkName(folder + extentName.replace('\\', '/'), name);
        TarIndex.Entry e = find(entries, entryName).orElseThrow(() -> new CorruptImageException(
            diskData.name() + ": extent file " + extentName + " is not in the archive"));
        ImageSource w = window(source, e);
        manifest.verify(e.name(), w);
        return w;
      });
    } else {
      inner = driver.open(diskData, options);
    }
    return new OvaReader(inner, name + "!" + diskEntry.name());
  }

  private FormatDriver chooseDriver(String ovfFormat, ImageSource disk) throws IOException {
    DiskFormat named = formatOf(ovfFormat);
    if (named != null) {
      for (FormatDriver d : diskDrivers) {
        if (d.format() == named) {
          return d;
        }
      }
      throw new UnsupportedImageException(disk.name() + ": the OVF says the disk is " + named.id()
          + " (" + ovfFormat + "), which is not readable inside an OVA here");
    }
    ByteBuffer head = ByteBuffer.allocate((int) Math.min(HEAD_BYTES, disk.size()));
    disk.readFully(head, 0);
    head.flip();
    for (FormatDriver d : diskDrivers) {
      if (d.format() != DiskFormat.RAW && d.matches(head.duplicate(), disk)) {
        return d;
      }
    }
    throw new UnsupportedImageException(disk.name() + ": the OVF's disk format \"" + ovfFormat
        + "\" is not one this plugin reads, and the content is not recognised");
  }

  /** Maps an {@code ovf:format} URI to a format, or null when it names none we know. */
  static DiskFormat formatOf(String uri) {
    String u = uri.toLowerCase(Locale.ROOT);
    if (u.contains("vmdk")) {
      return DiskFormat.VMDK;
    }
    if (u.contains("qcow")) {
      return DiskFormat.QCOW2;
    }
    if (u.contains("vhdx")) {
      return DiskFormat.VHDX;
    }
    if (u.contains("vhd")) {
      return DiskFormat.VPC;
    }
    if (u.contains("vdi")) {
      return DiskFormat.VDI;
    }
    return null;
  }

  private static Manifest readManifest(ImageSource source, List<TarIndex.Entry> entries) throws IOException {
    Optional<TarIndex.Entry> mf =
        entries.stream().filter(e -> e.name().toLowerCase(Locale.ROOT).endsWith(".mf")).findFirst();
    if (mf.isEmpty()) {
      return Manifest.none();
    }
    ImageSource data = window(source, mf.get());
    if (data.size() > Manifest.MAX_BYTES) {
      throw new CorruptImageException(data.name() + ": the manifest is " + data.size() + " bytes, more than "
          + Manifest.MAX_BYTES);
    }
    return Manifest.parse(new String(readAll(data), StandardCharsets.UTF_8), data.name());
  }

  private static Optional<TarIndex.Entry> find(List<TarIndex.Entry> entries, String name) {
    return entries.stream().filter(e -> e.name().equals(name)).findFirst();
  }

  private static ImageSource window(ImageSource source, TarIndex.Entry e) throws IOException {
    if (source instanceof FileImageSource f) {
      return f.slice(e.dataOffset(), e.size(), e.name());
    }
    return source.slice(e.dataOffset(), e.size());
  }

  private static byte[] readAll(ImageSource s) throws IOException {
    ByteBuffer b = ByteBuffer.allocate((int) s.size());
    s.readFully(b, 0);
    return b.array();
  }
}
