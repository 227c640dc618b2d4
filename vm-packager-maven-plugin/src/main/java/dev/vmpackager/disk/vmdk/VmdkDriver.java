package dev.vmpackager.disk.vmdk;

import dev.vmpackager.disk.BackingFile;
import dev.vmpackager.disk.CorruptImageException;
import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageReader;
import dev.vmpackager.disk.DiskOpenOptions;
import dev.vmpackager.disk.FileImageSource;
import dev.vmpackager.disk.FormatDriver;
import dev.vmpackager.disk.ImageSource;
import dev.vmpackager.disk.UnsupportedImageException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The VMDK format: a hosted sparse extent file ({@code KDMV}: monolithicSparse, streamOptimized,
 * or one extent of a split disk), or a text descriptor naming extents in the same folder
 * (monolithicFlat, twoGbMaxExtentSparse, twoGbMaxExtentFlat, vmfs...).
 *
 * <p>A descriptor's extents are part of its disk and are read without the external-files opt-in,
 * but they must be plain relative names inside the descriptor's folder (or, in an OVA, entries of
 * the archive). Differencing (delta) disks, whose descriptor names a parent, read their unallocated
 * grains from that parent only when the user allows external files (see {@link BackingFile});
 * otherwise they are refused. RW and RDONLY extents are read, ZERO extents read as zeros, NOACCESS
 * extents are refused.
 */
public final class VmdkDriver implements FormatDriver {

  /** The line a VMDK text descriptor starts with. */
  static final String DESCRIPTOR_SIGNATURE = "# Disk DescriptorFile";
  /** Text descriptors larger than this are refused: real ones are a few KiB. */
  static final int MAX_TEXT_DESCRIPTOR = 1 << 20;

  private static final Set<String> DEVICE_TYPES =
      Set.of("fullDevice", "partitionedDevice", "vmfsRaw", "vmfsRDM", "vmfsRDMP", "vmfsPassthroughRawDeviceMap",
          "vmfsRawDeviceMap");

  @Override
  public DiskFormat format() {
    return DiskFormat.VMDK;
  }

  @Override
  public boolean matches(ByteBuffer head, ImageSource source) {
    ByteBuffer b = head.duplicate();
    int p = b.position();
    if (SparseHeader.isSparseMagic(b, p) || isCowd(b, p)) {
      return true;
    }
    return looksLikeDescriptor(b);
  }

  private static boolean isCowd(ByteBuffer b, int at) {
    return b.limit() - at >= 4 && b.get(at) == 'C' && b.get(at + 1) == 'O' && b.get(at + 2) == 'W' && b.get(at + 3) == 'D';
  }

  /**
   * A text descriptor: starts (after an optional UTF-8 BOM and blank lines) with
   * {@code # Disk DescriptorFile}, or, as qemu probes it, has comment lines followed by
   * {@code version=1|2|3}.
   */
  static boolean looksLikeDescriptor(ByteBuffer head) {
    byte[] bytes = new byte[head.remaining()];
    head.duplicate().get(bytes);
    int start = 0;
    if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF) {
      start = 3;
    }
    String text = new String(bytes, start, bytes.length - start, StandardCharsets.ISO_8859_1);
    if (text.stripLeading().startsWith(DESCRIPTOR_SIGNATURE)) {
      return true;
    }
    for (String line : text.split("\r?\n", -1)) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      return l.equals("version=1") || l.equals("version=2") || l.equals("version=3");
    }
    return false;
  }

  @Override
  public DiskImageReader open(ImageSource source, DiskOpenOptions options) throws IOException {
    return open(source, options, new FolderExtentLocator(source.directory(), source.name()));
  }

  /**
   * Opens a VMDK whose descriptor's extents are found by {@code locator} (an OVA's entries, for
   * instance) rather than in the source's folder.
   *
   * @param source the VMDK (sparse extent file or text descriptor); not closed by the reader
   * @param options what the image may reference
   * @param locator finds the files extent lines name; what it opens is closed with the reader
   * @return a reader over the guest disk
   * @throws CorruptImageException when the image breaks the format
   * @throws UnsupportedImageException when it uses something refused or not read (a delta disk
   *     without the external-files opt-in or with a parent outside the folder, NOACCESS extents, vmfsSparse/seSparse extents, raw device mappings)
   */
  public DiskImageReader open(ImageSource source, DiskOpenOptions options, ExtentLocator locator) throws IOException {
    String name = source.name();
    int headLen = (int) Math.min(source.size(), 512);
    if (headLen < 4) {
      throw new CorruptImageException(name + ": " + source.size() + " bytes is too short for a VMDK");
    }
    ByteBuffer head = ByteBuffer.allocate(headLen);
    source.readFully(head, 0);
    head.flip();
    if (isCowd(head, 0)) {
      throw new UnsupportedImageException(name + ": VMDK3 / vmfsSparse (COWD) extents are not supported");
    }
    if (SparseHeader.isSparseMagic(head, 0)) {
      SparseExtent extent = SparseExtent.open(source, -1);
      String createType = "";
      String cid = null;
      BackingFile parent = null;
      if (!extent.embeddedDescriptor().isBlank()) {
        VmdkDescriptor d = VmdkDescriptor.parse(extent.embeddedDescriptor(), name + " (embedded descriptor)", false);
        createType = d.createType();
        cid = d.settings().get("CID");
        parent = openParent(d, source, options);
      }
      return new VmdkReader(name, createType, cid, List.of(extent), List.of(), parent);
    }
    if (!looksLikeDescriptor(head)) {
      throw new CorruptImageException(name + ": not a VMDK: neither the KDMV magic nor a text descriptor");
    }
    return openDescriptor(source, options, locator);
  }

  /**
   * The files a VMDK text descriptor names as extents, so a caller choosing "the one disk in a
   * folder" can leave {@code disk-flat.vmdk} or {@code disk-s001.vmdk} out of the candidates.
   *
   * @param vmdk a file that may be a VMDK text descriptor
   * @return the extent files it names (as written, relative to its folder); empty when the file
   *     is not a text descriptor or names no files
   */
  public static List<String> extentFileNames(Path vmdk) throws IOException {
    try (ImageSource src = FileImageSource.open(vmdk)) {
      ByteBuffer head = ByteBuffer.allocate((int) Math.min(src.size(), FormatDriver.HEAD_BYTES));
      src.readFully(head, 0);
      head.flip();
      if (src.size() > MAX_TEXT_DESCRIPTOR || SparseHeader.isSparseMagic(head, 0) || !looksLikeDescriptor(head)) {
        return List.of();
      }
      ByteBuffer all = ByteBuffer.allocate((int) src.size());
      src.readFully(all, 0);
      VmdkDescriptor d = VmdkDescriptor.parse(new String(all.array(), StandardCharsets.UTF_8), src.name(), false);
      return d.extents().stream().map(VmdkDescriptor.ExtentLine::fileName).filter(f -> f != null).distinct().toList();
    }
  }

  /**
   * The files a VMDK text descriptor's extents are read from, resolved as the reader resolves them
   * (inside the descriptor's folder, never through a link out of it), so a caller can fingerprint
   * a multi-file VMDK as a whole.
   *
   * @param vmdk a file that may be a VMDK text descriptor
   * @return the extent files' real paths in descriptor order, each once; empty when the file is not
   *     a text descriptor or names no files
   * @throws dev.vmpackager.disk.DiskImageException when an extent name is refused or names no file
   */
  public static List<Path> extentFiles(Path vmdk) throws IOException {
    Path abs = vmdk.toAbsolutePath();
    FolderExtentLocator locator = new FolderExtentLocator(abs.getParent(), abs.getFileName().toString());
    List<Path> files = new ArrayList<>();
    for (String name : extentFileNames(abs)) {
      Path p = locator.resolve(name);
      if (!files.contains(p)) {
        files.add(p);
      }
    }
    return files;
  }

  /**
   * Opens a delta disk's parent, or returns null when the descriptor names none. As qemu does, the
   * parent is found by {@code parentFileNameHint} (relative to this disk's folder, never leaving
   * it), must be a VMDK, and its {@code CID} must equal this disk's {@code parentCID} (qemu's
   * vmdk_is_cid_valid): a parent changed after the child was taken no longer matches the child's
   * grains. qemu checks this on the first read that falls through; here it is checked at open.
   */
  private static BackingFile openParent(VmdkDescriptor d, ImageSource source, DiskOpenOptions options)
      throws IOException {
    if (!d.hasParent()) {
      return null;
    }
    String name = source.name();
    String hint = d.settings().getOrDefault("parentFileNameHint", "");
    String parentCid = d.settings().get("parentCID");
    if (!options.allowExternalReferences()) {
      throw new UnsupportedImageException(name + ": is a differencing VMDK (parentCID "
          + (parentCid == null ? "?" : parentCid) + ", parent \"" + (hint.isBlank() ? "(no parentFileNameHint)" : hint)
          + "\"); it reads data from another file and is refused unless " + BackingFile.OPT_IN
          + " is set (the parent must then lie in the same folder); or convert the merged disk instead"
          + " (e.g. qemu-img convert, or consolidate the snapshot in VMware)");
    }
    if (hint.isBlank()) {
      throw new UnsupportedImageException(name + ": is a differencing VMDK (parentCID " + parentCid
          + ") without a parentFileNameHint, so its parent cannot be found");
    }
    long wanted = parseCid(parentCid);
    if (wanted < 0) {
      throw new CorruptImageException(name + ": is a differencing VMDK (parent \"" + hint
          + "\") with no valid parentCID (\"" + parentCid + "\")");
    }
    BackingFile parent = BackingFile.open(source, hint.replace('\\', '/'), null, options, "parent");
    try {
      if (!(parent.disk().reader() instanceof VmdkReader p)) {
        throw new UnsupportedImageException(name + ": its parent \"" + hint + "\" is a "
            + parent.disk().format().id() + " image; a differencing VMDK's parent must be a VMDK"
            + " (its CID is checked against parentCID, as qemu does)");
      }
      long actual = parseCid(p.cid());
      if (actual != wanted) {
        throw new CorruptImageException(name + ": its parentCID " + parentCid + " does not match the CID "
            + (p.cid() == null ? "(none)" : p.cid()) + " of its parent \"" + hint + "\": the parent was changed"
            + " after this delta disk was made (or is another disk), so the chain would read wrong data");
      }
      return parent;
    } catch (IOException | RuntimeException e) {
      parent.close();
      throw e;
    }
  }

  /** @return a CID as qemu reads it ({@code %x}), or -1 when it is not hexadecimal */
  static long parseCid(String value) {
    if (value == null) {
      return -1;
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\s*(?:0[xX])?([0-9a-fA-F]{1,8})").matcher(value);
    return m.find() ? Long.parseLong(m.group(1), 16) : -1;
  }

  private DiskImageReader openDescriptor(ImageSource source, DiskOpenOptions options, ExtentLocator locator)
      throws IOException {
    String name = source.name();
    if (source.size() > MAX_TEXT_DESCRIPTOR) {
      throw new CorruptImageException(name + ": looks like a VMDK text descriptor but is " + source.size()
          + " bytes, more than the " + MAX_TEXT_DESCRIPTOR + " a descriptor may have");
    }
    ByteBuffer all = ByteBuffer.allocate((int) source.size());
    source.readFully(all, 0);
    String text = new String(all.array(), StandardCharsets.UTF_8);
    int nul = text.indexOf('\0');
    if (nul >= 0) {
      text = text.substring(0, nul);
    }
    VmdkDescriptor d = VmdkDescriptor.parse(text, name);
    String createType = d.createType();
    if (d.hasParent() && !options.allowExternalReferences()) {
      openParent(d, source, options); // refuses, naming the option
    }
    if (DEVICE_TYPES.contains(createType)) {
      throw new UnsupportedImageException(name + ": createType \"" + createType
          + "\" describes a physical device or raw device mapping, which is not supported");
    }
    if (d.extents().isEmpty()) {
      throw new CorruptImageException(name + ": the descriptor has no extent lines");
    }
    List<Extent> extents = new ArrayList<>();
    List<Closeable> owned = new ArrayList<>();
    boolean done = false;
    try {
      long total = 0;
      for (VmdkDescriptor.ExtentLine line : d.extents()) {
        long bytes = line.sectors() * SparseHeader.SECTOR;
        total = Math.addExact(total, bytes);
        if (total > Long.MAX_VALUE / 2) {
          throw new CorruptImageException(name + ": the extents add up to an impossible size");
        }
        extents.add(openExtent(line, bytes, name, locator, owned));
      }
      BackingFile parent = openParent(d, source, options);
      done = true;
      return new VmdkReader(name, createType, d.settings().get("CID"), extents, owned, parent);
    } catch (ArithmeticException e) {
      throw new CorruptImageException(name + ": the extents add up to an impossible size");
    } finally {
      if (!done) {
        for (Closeable c : owned) {
          try {
            c.close();
          } catch (IOException e) {
            // Already failing; the first error is the one to report.
          }
        }
      }
    }
  }

  private static Extent openExtent(VmdkDescriptor.ExtentLine line, long bytes, String name, ExtentLocator locator,
      List<Closeable> owned) throws IOException {
    String where = name + " line " + line.lineNumber();
    if (line.access().equals("NOACCESS")) {
      throw new UnsupportedImageException(where + ": extent \"" + line.fileName()
          + "\" is NOACCESS; its data cannot be read");
    }
    switch (line.type()) {
      case "ZERO":
        return Extent.zero(bytes);
      case "FLAT":
      case "VMFS": {
        if (line.offset() > Long.MAX_VALUE / SparseHeader.SECTOR) {
          throw new CorruptImageException(where + ": offset out of range");
        }
        ImageSource file = locator.open(line.fileName());
        owned.add(file);
        return FlatExtent.open(file, line.offset() * SparseHeader.SECTOR, bytes, name);
      }
      case "SPARSE": {
        ImageSource file = locator.open(line.fileName());
        owned.add(file);
        ByteBuffer magic = ByteBuffer.allocate(4);
        if (file.size() >= 4) {
          file.readFully(magic, 0);
        }
        magic.flip();
        if (!SparseHeader.isSparseMagic(magic, 0)) {
          throw new CorruptImageException(where + ": sparse extent \"" + line.fileName()
              + "\" is not a hosted sparse extent (no KDMV magic)");
        }
        try {
          return SparseExtent.open(file, bytes);
        } catch (CorruptImageException e) {
          throw new CorruptImageException(where + ": " + e.getMessage(), e);
        } catch (UnsupportedImageException e) {
          throw new UnsupportedImageException(where + ": " + e.getMessage());
        }
      }
      default:
        throw new UnsupportedImageException(where + ": extent type " + line.type() + " (\"" + line.fileName()
            + "\") is not supported (FLAT, VMFS, SPARSE and ZERO are)");
    }
  }
}
