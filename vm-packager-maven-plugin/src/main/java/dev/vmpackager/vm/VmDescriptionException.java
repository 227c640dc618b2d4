package dev.vmpackager.vm;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A VM description that cannot be used: malformed, hostile or inconsistent. The message names the
 * file and the element at fault, and what to do.
 */
public class VmDescriptionException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * @param file the description
   * @param element the element or key at fault (e.g. {@code DiskSection/Disk[2]}, {@code memsize})
   * @param problem what is wrong, and how to fix it
   */
  public VmDescriptionException(Path file, String element, String problem) {
    super(file + ": " + element + ": " + problem);
  }

  /**
   * @param file the description
   * @param element the element or key at fault
   * @param problem what is wrong, and how to fix it
   * @param cause the underlying failure
   */
  public VmDescriptionException(Path file, String element, String problem, Throwable cause) {
    super(file + ": " + element + ": " + problem, cause);
  }
}
