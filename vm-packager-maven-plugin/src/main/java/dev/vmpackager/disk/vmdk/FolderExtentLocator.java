package dev.vmpackager.disk.vmdk;

import dev.vmpackager.disk.CorruptImageException;
import dev.vmpackager.disk.FileImageSource;
import dev.vmpackager.disk.ImageSource;
import dev.vmpackager.disk.UnsupportedImageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Resolves extent names against the descriptor's folder and never leaves it: absolute names,
 * {@code ..} and symbolic links pointing outside the folder are refused. Extents are part of their
 * descriptor's disk (VMware Workstation's split disks, ESXi's descriptor and flat file), so they are
 * read without {@code allowExternalFiles}, which is for backing chains only (DESIGN.md, Parameters).
 */
final class FolderExtentLocator implements ExtentLocator {

  private final Path folder;
  private final String descriptor;

  /**
   * @param folder the descriptor's folder, or null when the source has none
   * @param descriptor the descriptor's name, for messages
   */
  FolderExtentLocator(Path folder, String descriptor) {
    this.folder = folder;
    this.descriptor = descriptor;
  }

  @Override
  public ImageSource open(String fileName) throws IOException {
    return FileImageSource.open(resolve(fileName));
  }

  /**
   * @param fileName the extent's name as the descriptor writes it
   * @return the extent's real path, inside the descriptor's folder
   * @throws UnsupportedImageException when the name or a link leaves the folder, or there is no folder
   * @throws CorruptImageException when the file does not exist
   */
  Path resolve(String fileName) throws IOException {
    String relative = checkRelative(fileName, descriptor);
    if (folder == null) {
      throw new UnsupportedImageException(descriptor + ": names extent file \"" + fileName
          + "\" but has no folder to find it in");
    }
    Path base = folder.toAbsolutePath().normalize();
    Path candidate = base.resolve(relative).normalize();
    if (!candidate.startsWith(base) || candidate.equals(base)) {
      throw refused(fileName, "it resolves outside the descriptor's folder");
    }
    if (!Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) {
      throw new CorruptImageException(descriptor + ": extent file \"" + fileName + "\" does not exist in " + base);
    }
    Path real;
    try {
      real = candidate.toRealPath();
    } catch (IOException e) {
      throw new CorruptImageException(descriptor + ": extent file \"" + fileName + "\" cannot be resolved: " + e, e);
    }
    if (!real.startsWith(base.toRealPath())) {
      throw refused(fileName, "it is a symbolic link to " + real + ", outside the descriptor's folder");
    }
    if (!Files.isRegularFile(real)) {
      throw refused(fileName, "it is not a regular file");
    }
    return real;
  }

  private UnsupportedImageException refused(String fileName, String why) {
    return new UnsupportedImageException(descriptor + ": refused extent file \"" + fileName + "\": " + why);
  }

  /**
   * @return the name with {@code \} turned into {@code /}
   * @throws UnsupportedImageException when the name is absolute or climbs with {@code ..}
   */
  static String checkRelative(String fileName, String descriptor) throws UnsupportedImageException {
    String n = fileName.replace('\\', '/');
    boolean absolute = n.startsWith("/") || n.matches("^[A-Za-z]:.*") || n.contains("\0");
    boolean climbs = false;
    for (String part : n.split("/")) {
      climbs |= part.equals("..");
    }
    if (n.isBlank() || absolute || climbs) {
      throw new UnsupportedImageException(descriptor + ": refused extent file \"" + fileName
          + "\": extents must be plain relative names inside the descriptor's folder (no absolute path, no '..')");
    }
    return n;
  }
}
