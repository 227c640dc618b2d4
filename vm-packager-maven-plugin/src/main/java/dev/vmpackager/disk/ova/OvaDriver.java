package dev.vmpackager.disk.ova;

import dev.vmpackager.disk.CorruptImageException;
import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageException;
import dev.vmpackager.disk.DiskImageReader;
import dev.vmpackager.disk.DiskOpenOptions;
import dev.vmpackager.disk.FileImageSource;
import dev.vmpackager.disk.FormatDriver;
import dev.vmpackager.disk.FormatDrivers;
import dev.vmpackager.disk.ImageSource;
import dev.vmpackager.disk.UnsupportedImageException;
import dev.vmpackager.disk.vmdk.VmdkDriver;
import dev.vmpackager.io.Closeables;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The OVA format: a ustar archive whose first entry is an OVF descriptor. The archive is read in
 * place; the first disk of the OVF's {@code DiskSection} is opened as a window of the archive by
 * the driver its {@code ovf:format} names, or else by the one of {@link FormatDrivers} that
 * recognises its content (OVA's own excepted: OVAs do not nest). When the archive holds a manifest,
 * the digests of the descriptor and of every disk entry read are checked at open.
 *
 * <p>Chunked disks ({@code ovf:chunkSize}: entries {@code disk.vmdk.000000000}, ...) are read in
 * place as one file. A gzip-compressed disk ({@code ovf:compression="gzip"}) cannot be read at random,
 * so it is inflated into a scratch file in {@link DiskOpenOptions#scratchDirectory()}, bounded by the
 * disk's OVF capacity, and deleted when the reader closes. Not read: other compressions, disks
 * referenced by URL, and certificates ({@code .cert} signatures are not checked).
 */
public final class OvaDriver implements FormatDriver {

  /** OVF descriptors larger than this are refused: real ones are tens of KiB. */
  static final int MAX_OVF_BYTES = 16 << 20;

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
      return !first.isEmpty() && OvaContents.isOvf(first.get(0).name());
    } catch (DiskImageException e) {
      return false;
    }
  }

  @Override
  public DiskImageReader open(ImageSource source, DiskOpenOptions options) throws IOException {
    String name = source.name();
    OvaContents ova = OvaContents.index(source);
    List<TarIndex.Entry> entries = ova.entries;
    Manifest manifest = ova.manifest;
    OvfDescriptor ovf = OvfDescriptor.parse(ova.descriptorBytes(), ova.descriptorSourceName());
    String ovfName = ova.descriptorSourceName();

    OvfDescriptor.OvfDisk disk = options.ovaEntry().isEmpty()
        ? ovf.disks().stream().filter(d -> !d.fileRef().isEmpty()).findFirst()
            .orElseThrow(() -> new CorruptImageException(ovfName + ": the DiskSection lists no disk with a file"))
        : named(ovf, options.ovaEntry(), name, ovfName);
    OvfDescriptor.OvfFile file = ovf.files().get(disk.fileRef());
    if (file == null) {
      throw new CorruptImageException(ovfName + ": disk " + disk.diskId() + " refers to file id "
          + disk.fileRef() + ", which References does not list");
    }
    if (file.href().contains("://")) {
      throw new UnsupportedImageException(ovfName + ": disk " + disk.diskId() + " is a URL (" + file.href()
          + "), not an entry of the OVA");
    }
    if (file.compressed() && !file.compression().equalsIgnoreCase("gzip")) {
      throw new UnsupportedImageException(ovfName + ": disk file " + file.href() + " is "
          + file.compression() + "-compressed inside the OVA; only gzip (the OVF standard's one) is read");
    }
    String href = TarIndex.checkName(file.href(), name);
    ImageSource stored = storedFile(source, entries, manifest, href, file.chunkSize());
    if (file.size() >= 0 && stored.size() != file.size()) {
      throw new CorruptImageException(name + ": the OVF's disk " + href + " is " + stored.size()
          + " bytes in the archive, but its ovf:size is " + file.size() + (file.chunked()
          ? " (a missing or damaged chunk)" : " (a truncated or altered OVA)"));
    }
    List<Closeable> scratch = new ArrayList<>();
    ImageSource diskData = stored;
    boolean ok = false;
    try {
      if (file.compressed()) {
        // A gzip stream has no random access: inflate it next to the output (bounded by the capacity).
        long cap = disk.capacityBytes();
        long limit = cap < 0 ? Long.MAX_VALUE : cap + cap / 8 + (64L << 20);
        Path inflated = GunzippedDisk.inflate(stored, options.scratchDirectory(), limit, options.listener());
        scratch.add(() -> Files.deleteIfExists(inflated));
        FileImageSource data = FileImageSource.open(inflated, name + "!" + href + " (inflated)");
        scratch.add(0, data);
        diskData = data;
      }
      FormatDriver driver = chooseDriver(disk.format(), diskData);
      DiskImageReader inner;
      if (driver instanceof VmdkDriver vmdk) {
        String folder = href.contains("/") ? href.substring(0, href.lastIndexOf('/') + 1) : "";
        ImageSource descriptor = diskData;
        inner = vmdk.open(diskData, options, extentName -> {
          if (file.compressed()) {
            throw new UnsupportedImageException(descriptor.name() + ": a compressed VMDK descriptor naming extent"
                + " files (" + extentName + ") is not supported");
          }
          String entryName = TarIndex.checkName(folder + extentName.replace('\\', '/'), name);
          TarIndex.Entry e = find(entries, entryName).orElseThrow(() -> new CorruptImageException(
              descriptor.name() + ": extent file " + extentName + " is not in the archive"));
          ImageSource w = window(source, e);
          manifest.verify(e.name(), w);
          return w;
        });
      } else {
        inner = driver.open(diskData, options);
      }
      ok = true;
      return new OvaReader(inner, name + "!" + href, scratch);
    } finally {
      if (!ok) {
        Closeables.closeAll(scratch);
      }
    }
  }

  /**
   * The stored bytes of an OVF file: one archive entry, or its chunk entries
   * {@code href.000000000}, {@code href.000000001}, ... joined; each entry checked against the manifest.
   */
  private static ImageSource storedFile(ImageSource source, List<TarIndex.Entry> entries, Manifest manifest,
      String href, long chunkSize) throws IOException {
    String name = source.name();
    if (chunkSize <= 0) {
      TarIndex.Entry entry = find(entries, href).orElseThrow(() -> new CorruptImageException(name
          + ": the OVF's disk " + href + " is not in the archive (truncated or incomplete OVA)"));
      ImageSource data = window(source, entry);
      manifest.verify(entry.name(), data);
      return data;
    }
    List<ImageSource> parts = new ArrayList<>();
    for (int i = 0; ; i++) {
      String chunkName = String.format(Locale.ROOT, "%s.%09d", href, i);
      Optional<TarIndex.Entry> chunk = find(entries, chunkName);
      if (chunk.isEmpty()) {
        if (i == 0) {
          throw new CorruptImageException(name + ": the OVF's disk " + href + " is chunked (ovf:chunkSize "
              + chunkSize + ") but the archive has no " + chunkName);
        }
        int next = i;
        Optional<String> later = entries.stream().map(TarIndex.Entry::name)
            .filter(n -> n.startsWith(href + ".") && n.length() == href.length() + 10
                && n.substring(href.length() + 1).chars().allMatch(Character::isDigit)
                && Integer.parseInt(n.substring(href.length() + 1)) > next)
            .findFirst();
        if (later.isPresent()) {
          throw new CorruptImageException(name + ": chunk " + chunkName + " of " + href + " is missing, but "
              + later.get() + " is there (an incomplete OVA)");
        }
        break;
      }
      if (!parts.isEmpty() && parts.get(parts.size() - 1).size() != chunkSize) {
        throw new CorruptImageException(name + ": chunk " + String.format(Locale.ROOT, "%s.%09d", href, i - 1) + " of " + href
            + " is " + parts.get(parts.size() - 1).size() + " bytes, but ovf:chunkSize is " + chunkSize
            + " (a missing or damaged chunk)");
      }
      if (chunk.get().size() > chunkSize || chunk.get().size() == 0) {
        throw new CorruptImageException(name + ": chunk " + chunkName + " is " + chunk.get().size()
            + " bytes, but ovf:chunkSize is " + chunkSize);
      }
      ImageSource data = window(source, chunk.get());
      manifest.verify(chunk.get().name(), data);
      parts.add(data);
    }
    return ChunkedSource.of(parts, name + "!" + href);
  }


  /**
   * @return the drivers for the disk inside the archive: looked up at open, not at construction,
   *     since {@link FormatDrivers} itself holds this driver
   */
  private static List<FormatDriver> diskDrivers() {
    return FormatDrivers.detectionOrder().stream().filter(d -> d.format() != DiskFormat.OVA).toList();
  }

  private static FormatDriver chooseDriver(String ovfFormat, ImageSource disk) throws IOException {
    List<FormatDriver> diskDrivers = diskDrivers();
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
      if (d.matches(head.duplicate(), disk)) {
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

  private static Optional<TarIndex.Entry> find(List<TarIndex.Entry> entries, String name) {
    return entries.stream().filter(e -> e.name().equals(name)).findFirst();
  }

  private static ImageSource window(ImageSource source, TarIndex.Entry e) throws IOException {
    return OvaContents.window(source, e);
  }

  /** The DiskSection disk whose file is the entry {@code entry}: a VM with several disks opens each by name. */
  private static OvfDescriptor.OvfDisk named(OvfDescriptor ovf, String entry, String name, String ovfName)
      throws CorruptImageException {
    for (OvfDescriptor.OvfDisk d : ovf.disks()) {
      OvfDescriptor.OvfFile f = d.fileRef().isEmpty() ? null : ovf.files().get(d.fileRef());
      if (f != null && f.href().equals(entry)) {
        return d;
      }
    }
    throw new CorruptImageException(name + ": " + ovfName + " has no disk whose file is " + entry + " (its disks' files: "
        + ovf.disks().stream().map(d -> ovf.files().get(d.fileRef())).filter(java.util.Objects::nonNull)
            .map(OvfDescriptor.OvfFile::href).collect(java.util.stream.Collectors.joining(", ")) + ")");
  }
}
