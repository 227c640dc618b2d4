package dev.vmpackager.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.testing.UmaskModes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Temporary files of write-then-rename: beside the output, hidden, unique, with the umask's modes. */
class TempPathsTest {

  @TempDir Path dir;

  @Test
  void filesAreHiddenSiblingsWithTheUmasksMode() throws Exception {
    Path target = dir.resolve("new/sub/app-1.0.0.tgz");
    Path a = TempPaths.createFile(target);
    Path b = TempPaths.createFile(target);
    assertNotEquals(a, b);
    for (Path p : List.of(a, b)) {
      assertEquals(target.toAbsolutePath().getParent(), p.getParent(), "same folder, so the rename is atomic");
      assertTrue(p.getFileName().toString().startsWith(".app-1.0.0.tgz."), p.toString());
      assertTrue(p.getFileName().toString().endsWith(".tmp"), p.toString());
      assertEquals(0, Files.size(p));
      UmaskModes.assertAsCreated(p);
    }
  }

  @Test
  void foldersHaveTheUmasksMode() throws Exception {
    Path tmp = TempPaths.createDirectory(dir.resolve("helm/app"));
    assertTrue(Files.isDirectory(tmp));
    assertEquals(dir.resolve("helm").toAbsolutePath(), tmp.getParent());
    UmaskModes.assertAsCreated(tmp);
  }

  @Test
  void writeStringLeavesOnlyTheFile() throws Exception {
    Path target = dir.resolve("vm/image.digest");
    TempPaths.writeString(target, "sha256:0\n", StandardCharsets.US_ASCII);
    TempPaths.writeString(target, "sha256:1\n", StandardCharsets.US_ASCII);
    assertEquals("sha256:1\n", Files.readString(target));
    try (Stream<Path> s = Files.list(target.getParent())) {
      assertEquals(List.of(target), s.toList());
    }
    UmaskModes.assertAsCreated(target);
  }
}
