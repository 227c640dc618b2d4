package dev.vmpackager.vm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Finds the files a description names in the description's own folder. Hypervisors record disk
 * paths as they were on the host that wrote the file ({@code /var/lib/libvirt/images/app.qcow2},
 * {@code C:\VMs\app\app.vmdk}, {@code [datastore1] app/app.vmdk}); a VM folder copied elsewhere
 * keeps only the names. So only the last name is used, it is looked up in the folder, and nothing
 * outside the folder is ever opened: a symbolic link that leaves it is refused.
 */
public final class FolderFiles {

  private FolderFiles() {}

  /**
   * @param description the description file; its folder is searched
   * @param recorded the path as the description records it, in any host's syntax
   * @param element where the path is recorded, for messages
   * @return the plain file name, which names a regular file inside the folder
   * @throws VmDescriptionException when the name is empty or special, or no such file is in the
   *     folder, or it is a link out of the folder
   */
  public static String resolve(Path description, String recorded, String element) throws VmDescriptionException {
    String name = lastName(recorded);
    if (name.isEmpty() || name.equals(".") || name.equals("..")) {
      throw new VmDescriptionException(description, element, "'" + recorded + "' names no file");
    }
    Path folder = description.toAbsolutePath().getParent();
    Path file = folder.resolve(name);
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new VmDescriptionException(description, element, "the disk '" + recorded + "' is looked up as " + name
          + " in " + folder + " (descriptions are read from their own folder, whatever path they record),"
          + " and it is not there: copy the disk file beside the description");
    }
    try {
      Path real = file.toRealPath();
      if (!real.getParent().equals(folder.toRealPath()) || !Files.isRegularFile(real)) {
        throw new VmDescriptionException(description, element, name + " is not a regular file in " + folder
            + " (a link out of the folder is not followed): copy the disk file itself beside the description");
      }
    } catch (IOException e) {
      if (e instanceof VmDescriptionException v) {
        throw v;
      }
      throw new VmDescriptionException(description, element, "cannot look at " + file + ": " + e.getMessage(), e);
    }
    return name;
  }

  /**
   * @param recorded a path in POSIX, Windows or VMware datastore syntax
   * @return its last name ({@code [ds1] vm/app.vmdk} gives {@code app.vmdk})
   */
  static String lastName(String recorded) {
    String s = recorded.trim();
    int cut = Math.max(s.lastIndexOf('/'), Math.max(s.lastIndexOf('\\'), s.lastIndexOf(']')));
    return s.substring(cut + 1).trim();
  }
}
