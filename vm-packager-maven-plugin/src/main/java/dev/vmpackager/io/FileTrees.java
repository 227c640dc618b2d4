package dev.vmpackager.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Whole folders at once: what write-then-rename needs to replace an output folder and drop its temporary one. */
public final class FileTrees {

  private FileTrees() {}

  /**
   * Deletes a file or a folder with everything in it. Symbolic links are deleted, never followed,
   * so nothing outside the tree is touched.
   *
   * @param root the file or folder; nothing happens when it does not exist
   * @throws IOException when something in it cannot be deleted
   */
  public static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    List<Path> deepestFirst;
    try (Stream<Path> s = Files.walk(root)) {
      deepestFirst = s.sorted(Comparator.reverseOrder()).toList();
    }
    for (Path p : deepestFirst) {
      Files.deleteIfExists(p);
    }
  }
}
