package dev.vmpackager.io;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deleting a folder with everything in it, never what its links point to. */
class FileTreesTest {

  @TempDir Path dir;

  @Test
  void deletesTheTreeButNotWhatItsLinksPointTo() throws Exception {
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Path kept = Files.writeString(outside.resolve("kept.txt"), "kept");
    Path tree = Files.createDirectories(dir.resolve("tree/a/b"));
    Files.writeString(tree.resolve("f.txt"), "x");
    Files.writeString(dir.resolve("tree/a/g.txt"), "y");
    Files.createSymbolicLink(dir.resolve("tree/a/link"), outside);
    Files.createSymbolicLink(dir.resolve("tree/file-link"), kept);

    FileTrees.deleteRecursively(dir.resolve("tree"));

    assertFalse(Files.exists(dir.resolve("tree"), LinkOption.NOFOLLOW_LINKS));
    assertTrue(Files.isRegularFile(kept), "a link's target outside the tree stays");
  }

  @Test
  void aSingleFileOrALinkIsDeletedAndAMissingPathIsNothingToDo() throws Exception {
    Path file = Files.writeString(dir.resolve("file.txt"), "x");
    Path target = Files.createDirectories(dir.resolve("target"));
    Path link = Files.createSymbolicLink(dir.resolve("link"), target);

    FileTrees.deleteRecursively(file);
    FileTrees.deleteRecursively(link);
    FileTrees.deleteRecursively(dir.resolve("missing"));

    assertFalse(Files.exists(file));
    assertFalse(Files.exists(link, LinkOption.NOFOLLOW_LINKS));
    assertTrue(Files.isDirectory(target), "the folder a link named stays");
  }
}
