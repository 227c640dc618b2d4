package dev.vmpackager.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Checks that outputs have the modes the umask gives, like every other Maven output: the same
 * POSIX permissions as a file or folder freshly made with {@code Files.createFile} or
 * {@code Files.createDirectory} in the same folder. Comparing with such a probe, not with 0644/0755,
 * keeps the check true under any umask.
 */
public final class UmaskModes {

  private UmaskModes() {}

  /**
   * @param root an output file, or a folder checked with everything in it
   */
  public static void assertAsCreated(Path root) throws IOException {
    List<String> wrong = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.toList()) {
        boolean dir = Files.isDirectory(p);
        Set<PosixFilePermission> expected = probe(p.toAbsolutePath().getParent(), dir);
        Set<PosixFilePermission> actual = Files.getPosixFilePermissions(p);
        if (!actual.equals(expected)) {
          wrong.add(p + " is " + PosixFilePermissions.toString(actual) + ", a new " + (dir ? "folder" : "file")
              + " there is " + PosixFilePermissions.toString(expected));
        }
      }
    }
    if (!wrong.isEmpty()) {
      fail("Outputs without the umask's modes:\n  " + String.join("\n  ", wrong));
    }
  }

  /** @return the permissions of a new file or folder in {@code folder} */
  public static Set<PosixFilePermission> probe(Path folder, boolean directory) throws IOException {
    Path p = folder.resolve(".umask-probe-" + System.nanoTime());
    if (directory) {
      Files.createDirectory(p);
    } else {
      Files.createFile(p);
    }
    try {
      return Files.getPosixFilePermissions(p);
    } finally {
      Files.delete(p);
    }
  }
}
