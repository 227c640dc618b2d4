package dev.vmpackager.disk.vmdk;

import dev.vmpackager.disk.ImageSource;
import java.io.IOException;

/**
 * Finds the file a VMDK descriptor's extent line names: a file in the descriptor's folder, or an
 * entry of the OVA the descriptor came from. Implementations refuse names that would leave their
 * container (absolute paths, {@code ..}, symbolic links pointing outside).
 */
@FunctionalInterface
public interface ExtentLocator {

  /**
   * @param fileName the extent's file name exactly as the descriptor writes it (unquoted)
   * @return a source over the extent file; the VMDK reader closes it when it is closed
   * @throws dev.vmpackager.disk.DiskImageException when the name is refused or names nothing
   */
  ImageSource open(String fileName) throws IOException;
}
