package dev.vmpackager.disk;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The parent of a differencing image (a qcow2 or QED backing file, a VMDK delta disk's parent),
 * opened under the rules every format shares: refused unless the user allowed external files,
 * a plain name resolved against the child's folder and never leaving it (no {@code ..}, no
 * absolute path elsewhere, no symbolic link out), no archive member pointing outside its
 * archive, loops and chains deeper than {@link BackingChain#MAX_DEPTH} refused (the chain comes
 * with the child's options). The parent is opened through {@link DiskImages#open} with content
 * detection (or a given format), so chains of mixed formats work.
 *
 * <p>The child reads its unallocated ranges through {@link #extentAt} and {@link #read}: the
 * parent's bytes below its size, zeros beyond it (a child may be larger than its parent).
 * Thread-safe: the parent's reader is.
 */
public final class BackingFile implements Closeable {

  /** The opt-in every refusal names. */
  public static final String OPT_IN = "<allowExternalFiles>true</allowExternalFiles> (vm.allowExternalFiles)";

  private final String reference;
  private final Path path;
  private final OpenedDisk disk;
  private final long size;

  private BackingFile(String reference, Path path, OpenedDisk disk) {
    this.reference = reference;
    this.path = path;
    this.disk = disk;
    this.size = disk.reader().virtualSize();
  }

  /**
   * Resolves and opens a child image's parent.
   *
   * @param child the child image's bytes (its name and folder are used)
   * @param reference the parent's name exactly as the child stores it
   * @param formatOrNull the parent's format when the child fixes it, null to detect it from content
   * @param options the child's open options, its chain included; the parent is opened with the same
   * @param what how the child calls its parent in messages, e.g. {@code "backing file"} or {@code "parent"}
   * @return the opened parent; the child closes it with itself
   * @throws UnsupportedImageException when external files are not allowed, or the name is not a
   *     plain file name, or it leaves the child's folder, or the child is inside an archive
   * @throws DiskImageException when the parent is missing
   * @throws CorruptImageException when the chain loops or is too deep
   */
  public static BackingFile open(ImageSource child, String reference, DiskFormat formatOrNull,
      DiskOpenOptions options, String what) throws IOException {
    String name = child.name();
    if (!options.allowExternalReferences()) {
      throw new UnsupportedImageException(name + ": has a " + what + " '" + reference + "' and reads data from it;"
          + " images that reference other files are refused unless " + OPT_IN
          + " is set, and even then the file must lie in the image's folder");
    }
    if (reference.isBlank() || reference.startsWith("json:") || reference.contains("://")
        || reference.indexOf('\0') >= 0) {
      throw new UnsupportedImageException(name + ": " + what + " '" + reference + "' is not a plain file name");
    }
    Path dir = child.directory();
    Path self = dir == null ? null : dir.resolve(name);
    if (self == null || !Files.isRegularFile(self) || Files.size(self) != child.size()) {
      // A disk inside an archive (app.ova!disk.vmdk) has no folder of its own to look in.
      throw new UnsupportedImageException(name + ": has a " + what + " '" + reference
          + "', but it is not a file of its own (a disk inside an archive), so there is no folder to find it in");
    }
    dir = dir.toAbsolutePath().normalize();
    Path p;
    try {
      p = dir.resolve(reference).normalize();
    } catch (InvalidPathException e) {
      throw new UnsupportedImageException(name + ": " + what + " name '" + reference + "' is not a valid path");
    }
    if (!p.startsWith(dir) || p.equals(dir)) {
      throw new UnsupportedImageException(name + ": " + what + " '" + reference + "' lies outside the image's folder "
          + dir + ", which is refused");
    }
    if (!Files.isRegularFile(p)) {
      throw new DiskImageException(name + ": " + what + " '" + reference + "' not found at " + p);
    }
    Path real = p.toRealPath();
    if (!real.startsWith(dir.toRealPath())) {
      throw new UnsupportedImageException(name + ": " + what + " '" + reference + "' resolves (through a link) to "
          + real + ", outside the image's folder, which is refused");
    }
    if (real.equals(self.toRealPath())) {
      throw new CorruptImageException(name + ": the backing chain loops: its " + what + " '" + reference
          + "' is the image itself");
    }
    options.chain().refuseLoop(name, what, reference, real);
    return new BackingFile(reference, real, DiskImages.open(real, formatOrNull, options));
  }

  /** @return the parent's name as the child stores it */
  public String reference() {
    return reference;
  }

  /** @return the parent's file */
  public Path path() {
    return path;
  }

  /** @return the opened parent */
  public OpenedDisk disk() {
    return disk;
  }

  /** @return the parent's guest size; the child's bytes beyond it read as zeros */
  public long size() {
    return size;
  }

  /**
   * Describes a run of the child that falls through to the parent.
   *
   * @param offset guest offset of the run's start
   * @param end guest offset where the child's unallocated run ends
   * @return the run from {@code offset}: zeros when the parent says so or the parent is shorter,
   *     data otherwise; it ends at most at {@code end}
   */
  public DiskExtent extentAt(long offset, long end) throws IOException {
    if (offset >= size) {
      return new DiskExtent(offset, end - offset, true);
    }
    DiskExtent e = disk.reader().extentAt(offset);
    return new DiskExtent(offset, Math.min(end, e.end()) - offset, e.zero());
  }

  /**
   * Reads the child's unallocated bytes from the parent: the parent's bytes below its size,
   * zeros beyond.
   *
   * @param dst filled from its position to its limit
   * @param offset guest offset of the first byte
   */
  public void read(ByteBuffer dst, long offset) throws IOException {
    int n = dst.remaining();
    if (offset < size) {
      int inParent = (int) Math.min(n, size - offset);
      int limit = dst.limit();
      dst.limit(dst.position() + inParent);
      try {
        disk.reader().read(dst, offset);
      } finally {
        dst.limit(limit);
      }
      n -= inParent;
    }
    Zeros.fill(dst, n);
  }

  @Override
  public void close() throws IOException {
    disk.close();
  }
}
