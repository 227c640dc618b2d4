package dev.vmpackager.disk.ova;

import dev.vmpackager.disk.CorruptImageException;
import dev.vmpackager.disk.FileImageSource;
import dev.vmpackager.disk.ImageSource;
import dev.vmpackager.disk.UnsupportedImageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An OVA's table of contents and its OVF descriptor: the tar indexed in place, the first entry
 * checked to be the {@code .ovf}, bounded in size and checked against the manifest when the
 * archive holds one. The disk driver ({@link OvaDriver}) and the VM description reader
 * ({@code dev.vmpackager.vm.ovf.OvfReader}) both start here, so they accept and refuse the same
 * archives.
 */
public final class OvaContents {

  final List<TarIndex.Entry> entries;
  final Manifest manifest;
  private final TarIndex.Entry descriptorEntry;
  private final String descriptorSourceName;
  private final byte[] descriptor;

  private OvaContents(List<TarIndex.Entry> entries, Manifest manifest, TarIndex.Entry descriptorEntry,
      String descriptorSourceName, byte[] descriptor) {
    this.entries = entries;
    this.manifest = manifest;
    this.descriptorEntry = descriptorEntry;
    this.descriptorSourceName = descriptorSourceName;
    this.descriptor = descriptor;
  }

  /**
   * Indexes an OVA file and reads its descriptor.
   *
   * @param ova the archive
   * @return its contents
   * @throws CorruptImageException when it is not a well-formed OVA, or the descriptor does not
   *     match the manifest
   * @throws UnsupportedImageException when an entry name is absolute or climbs with {@code ..},
   *     or the archive is too large to be an OVA
   */
  public static OvaContents read(Path ova) throws IOException {
    try (FileImageSource source = FileImageSource.open(ova)) {
      return index(source);
    }
  }

  /** Indexes an archive and reads its descriptor (bounded, checked against the manifest). */
  static OvaContents index(ImageSource source) throws IOException {
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
    if (ovfEntry.size() > OvaDriver.MAX_OVF_BYTES) {
      throw new CorruptImageException(name + ": the OVF descriptor " + ovfEntry.name() + " is " + ovfEntry.size()
          + " bytes, more than " + OvaDriver.MAX_OVF_BYTES);
    }
    ImageSource ovfData = window(source, ovfEntry);
    manifest.verify(ovfEntry.name(), ovfData);
    return new OvaContents(List.copyOf(entries), manifest, ovfEntry, ovfData.name(), readAll(ovfData));
  }

  static boolean isOvf(String name) {
    return name.toLowerCase(Locale.ROOT).endsWith(".ovf");
  }

  /** @return the descriptor's entry name, e.g. {@code app.ovf} */
  public String descriptorName() {
    return descriptorEntry.name();
  }

  /** @return the descriptor's bytes (a copy) */
  public byte[] descriptor() {
    return descriptor.clone();
  }

  /** @return what to call the descriptor in messages */
  String descriptorSourceName() {
    return descriptorSourceName;
  }

  /** @return the descriptor's bytes, not copied (for the driver) */
  byte[] descriptorBytes() {
    return descriptor;
  }

  /**
   * @param entry an entry name as {@link #entryName} returns it
   * @return whether the archive holds a regular file of that name
   */
  public boolean holds(String entry) {
    return find(entry).isPresent();
  }

  /**
   * @param href an {@code ovf:href}
   * @param archive the archive's name, for the message
   * @return the entry name it stands for (without a leading {@code ./})
   * @throws UnsupportedImageException when it is absolute or contains {@code ..}: an OVA's files
   *     are plain relative entries, and the disk reader refuses anything else
   */
  public static String entryName(String href, String archive) throws UnsupportedImageException {
    return TarIndex.checkName(href, archive);
  }

  Optional<TarIndex.Entry> find(String name) {
    return entries.stream().filter(e -> e.name().equals(name)).findFirst();
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

  static ImageSource window(ImageSource source, TarIndex.Entry e) throws IOException {
    if (source instanceof FileImageSource f) {
      return f.slice(e.dataOffset(), e.size(), e.name());
    }
    return source.slice(e.dataOffset(), e.size());
  }

  static byte[] readAll(ImageSource s) throws IOException {
    ByteBuffer b = ByteBuffer.allocate((int) s.size());
    s.readFully(b, 0);
    return b.array();
  }
}
