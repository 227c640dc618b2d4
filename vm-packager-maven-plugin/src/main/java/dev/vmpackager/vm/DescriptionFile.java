package dev.vmpackager.vm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a description file whole, refusing one larger than a reader's limit: descriptions are a
 * few kilobytes, so a huge file is the wrong file (or a hostile one) and is not loaded into memory.
 */
public final class DescriptionFile {

  private DescriptionFile() {}

  /**
   * @param file the description
   * @param maxBytes the largest size accepted
   * @param what what the file should be, for messages, e.g. {@code a VMware .vmx}
   * @return the file's bytes
   * @throws VmDescriptionException when the file is missing, not a regular file, larger than
   *     {@code maxBytes} or cannot be read
   */
  public static byte[] read(Path file, long maxBytes, String what) throws VmDescriptionException {
    if (!Files.exists(file)) {
      throw new VmDescriptionException(file, "file", "does not exist");
    }
    if (!Files.isRegularFile(file)) {
      throw new VmDescriptionException(file, "file", "is not a regular file; expected " + what);
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      if (Files.size(file) > maxBytes) {
        throw tooLarge(file, maxBytes, what);
      }
      // Reading one byte more than allowed catches a file that grew after it was measured.
      bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
    } catch (VmDescriptionException e) {
      throw e;
    } catch (IOException e) {
      throw new VmDescriptionException(file, "file", "cannot be read: " + e.getMessage(), e);
    }
    if (bytes.length > maxBytes) {
      throw tooLarge(file, maxBytes, what);
    }
    return bytes;
  }

  private static VmDescriptionException tooLarge(Path file, long maxBytes, String what) {
    return new VmDescriptionException(file, "size", "the file is more than " + maxBytes + " bytes, and "
        + what + " is a few kilobytes: is this the right file?");
  }
}
