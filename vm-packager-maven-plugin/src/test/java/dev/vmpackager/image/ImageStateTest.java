package dev.vmpackager.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One state folder per image reference: readable, one per reference, never inside another's. */
class ImageStateTest {

  @TempDir Path dir;

  private String folder(String reference) throws Exception {
    Path root = dir.resolve("vm").resolve(ImageState.FOLDER);
    return root.relativize(ImageState.of(dir.resolve("vm"), ImageFixtures.ref(reference)).directory()).toString();
  }

  @Test
  void theFolderIsTheReferenceAsAPath() throws Exception {
    assertEquals("registry.example.com/apps/vm+1.0", folder("registry.example.com/apps/vm:1.0"));
    assertEquals("localhost+5000/vm+latest", folder("localhost:5000/vm"));
    assertEquals("librespeed-vm-containerdisk+0.0.1-SNAPSHOT", folder("librespeed-vm-containerdisk:0.0.1-SNAPSHOT"));
    assertEquals("registry.example.com/apps/x+V1", folder("Registry.Example.com/apps/x:V1"), "the host in lower case");
    assertEquals("localhost/x+sha256+" + "0".repeat(64), folder("localhost/x@sha256:" + "0".repeat(64)));
    // The same image written three ways is one folder.
    assertEquals("vm+latest", folder("vm"));
    assertEquals("vm+latest", folder("vm:latest"));
    assertEquals("vm+latest", folder("docker.io/library/vm:latest"));
  }

  @Test
  void differentReferencesNeverShareOrNestFolders() throws Exception {
    List<String> refs = List.of("apps/os:1.0", "apps/os_1.0", "apps/os/1.0", "apps_os:1.0", "apps/os:1.0_rc",
        "localhost:5000/os:1", "localhost/5000/os:1", "localhost:5000/os/1", "r.example.com/os:1",
        "r.example.com/os/data:1", "r.example.com/os@sha256:" + "1".repeat(64));
    for (String a : refs) {
      for (String b : refs) {
        if (!a.equals(b)) {
          Path fa = Path.of(folder(a));
          Path fb = Path.of(folder(b));
          assertNotEquals(fa, fb, a + " and " + b);
          assertFalse(fb.startsWith(fa), b + " inside " + a + "'s folder");
        }
      }
    }
  }

  @Test
  void digestIsReadAndChecked() throws Exception {
    ImageState state = ImageState.of(dir.resolve("vm"), ImageFixtures.ref("registry.example.com/apps/vm:1.0"));
    assertEquals(Optional.empty(), state.digest());
    String digest = "sha256:" + "ab".repeat(32);
    Files.createDirectories(state.directory());
    ContainerDiskBuilder.writeDigestFile(state.digestFile(), digest);
    assertEquals(Optional.of(digest), state.digest());
    Files.writeString(state.digestFile(), "sha256:short\n");
    ImageException e = assertThrows(ImageException.class, state::digest);
    assertTrue(e.getMessage().contains(state.digestFile().toString()) && e.getMessage().contains("'sha256:short'")
        && e.getMessage().contains("registry.example.com/apps/vm:1.0"), e.getMessage());
  }

  @Test
  void aSpecFromAnotherFolderIsNotRecorded() throws Exception {
    ImageState state = ImageState.of(dir.resolve("vm"), ImageFixtures.ref("registry.example.com/apps/vm:1.0"));
    ContainerDiskSpec spec = ContainerDiskSpec.builder().disk(dir.resolve("vm.qcow2"))
        .cacheDirectory(dir.resolve("elsewhere")).build();
    assertThrows(IllegalArgumentException.class, () -> state.record(spec, "sha256:" + "ab".repeat(32)));
    ImageException e = assertThrows(ImageException.class, state::built);
    assertTrue(e.getMessage().contains("No containerDisk image was built for registry.example.com/apps/vm:1.0")
        && e.getMessage().contains("no image was built"), e.getMessage());
  }
}
