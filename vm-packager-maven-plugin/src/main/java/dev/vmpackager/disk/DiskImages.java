package dev.vmpackager.disk;

import dev.vmpackager.disk.raw.RawDriver;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Opens disk images: detects the format from content (never the name), refuses a file whose name
 * claims a format its content does not have, and hands back the reader.
 *
 * <p>Detection tries {@link FormatDrivers#detectionOrder()} in order; content that none of them
 * recognises is raw, unless the name says it is a hypervisor's other file (a {@code .vmx}, an
 * {@code .nvram}... see {@link HypervisorFiles}). A raw disk whose size is not a whole number of
 * 512-byte sectors is refused, detected or forced: no hypervisor makes one, so it is some other file.
 */
public final class DiskImages {

  /** Not among {@link FormatDrivers}: raw is what content matching none of them is. */
  private static final FormatDriver RAW = new RawDriver();

  /** What each format's content would show, for the "name says X but content is not" message. */
  private static final Map<DiskFormat, String> SIGNATURES = Map.of(
      DiskFormat.QCOW2, "a qcow2 image (no QFI\\xfb magic)",
      DiskFormat.VMDK, "a VMDK image (no KDMV magic / descriptor)",
      DiskFormat.VDI, "a VDI image (no 0xBEDA107F signature at offset 0x40)",
      DiskFormat.VPC, "a VHD image (no conectix footer)",
      DiskFormat.VHDX, "a VHDX image (no vhdxfile signature)",
      DiskFormat.QED, "a QED image (no QED\\0 magic)",
      DiskFormat.OVA, "an OVA archive (no tar archive holding an .ovf descriptor)");

  /** Every disk is a whole number of these. */
  static final int SECTOR = 512;

  private DiskImages() {}

  /**
   * Opens a disk image read-only. Its driver gets {@code options} with the image added to
   * {@link DiskOpenOptions#chain()}, so the backing files it opens in turn know the chain above them.
   *
   * @param file the image file
   * @param forcedOrNull the format to open it as, or null to detect it from content
   * @param options what the image may reference outside itself, and the chain it is opened in
   * @return the opened image; the caller closes it
   * @throws DiskImageException naming the file when it is missing, of another format than forced,
   *     named as a format its content is not, corrupt, or unsupported
   * @throws CorruptImageException when the chain already holds 16 images
   */
  public static OpenedDisk open(Path file, DiskFormat forcedOrNull, DiskOpenOptions options) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new DiskImageException(file + ": no such disk image file");
    }
    BackingChain chain = options.chain().extend(file);
    FileImageSource source = FileImageSource.open(file);
    try {
      FormatDriver driver = choose(source, forcedOrNull);
      if (driver == RAW) {
        checkRawSize(source, forcedOrNull != null);
      }
      DiskImageReader reader = driver.open(source, options.inChain(chain));
      return new OpenedDisk(source, reader);
    } catch (IOException | RuntimeException e) {
      source.close();
      throw e;
    }
  }

  /**
   * Detects an image's format from its content, with the same name check as {@link #open}.
   *
   * @param file the image file
   * @return the format
   */
  public static DiskFormat detect(Path file) throws IOException {
    try (FileImageSource source = FileImageSource.open(file)) {
      return choose(source, null).format();
    }
  }

  private static FormatDriver choose(ImageSource source, DiskFormat forced) throws IOException {
    ByteBuffer head = head(source);
    if (forced != null) {
      if (forced == DiskFormat.RAW) {
        return RAW;
      }
      Optional<FormatDriver> d = driver(forced);
      if (d.isEmpty()) {
        throw new UnsupportedImageException(source.name() + ": the source format " + forced.id()
            + " is not supported yet");
      }
      if (!d.get().matches(head.duplicate(), source)) {
        throw new DiskImageException(source.name() + ": the source format was given as " + forced.id()
            + " but the content is not " + signature(forced));
      }
      return d.get();
    }
    for (FormatDriver d : FormatDrivers.detectionOrder()) {
      if (d.matches(head.duplicate(), source)) {
        return d;
      }
    }
    Optional<DiskFormat> claimed = DiskFormat.claimedByName(source.name());
    if (claimed.isPresent()) {
      throw new DiskImageException(source.name() + ": the name says " + claimed.get().id()
          + " but the content is not " + signature(claimed.get())
          + "; a corrupt or mislabelled image is not shipped as a raw disk (rename it, or set the source format)");
    }
    HypervisorFiles.refuseIfNotADisk(source);
    return RAW;
  }

  /**
   * Refuses a raw disk whose size is not a whole number of sectors: a VM description, a log or
   * NVRAM would otherwise become a tiny disk without a word.
   */
  private static void checkRawSize(ImageSource source, boolean forced) throws DiskImageException {
    long size = source.size();
    if (size % SECTOR == 0) {
      return;
    }
    throw new DiskImageException(source.name() + ": is " + size + " bytes, not a whole number of " + SECTOR
        + "-byte sectors, so it is not a raw disk" + (forced ? " (the source format was given as raw)"
            : ", and its content is no other disk format (qcow2, vmdk, vdi, vpc, vhdx, qed, ova) either")
        + ": it is not a disk image; point <source> (vm.source) at the VM's disk");
  }

  private static String signature(DiskFormat f) {
    return SIGNATURES.getOrDefault(f, "a " + f.id() + " image");
  }

  private static Optional<FormatDriver> driver(DiskFormat f) {
    return FormatDrivers.detectionOrder().stream().filter(d -> d.format() == f).findFirst();
  }

  private static ByteBuffer head(ImageSource source) throws IOException {
    int n = (int) Math.min(FormatDriver.HEAD_BYTES, source.size());
    ByteBuffer head = ByteBuffer.allocate(n);
    source.readFully(head, 0);
    head.flip();
    return head;
  }
}
