package dev.vmpackager.disk.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default source: the one disk file in src/main/vm/. */
class SourceDiscoveryTest {

  @TempDir
  Path vm;

  private void files(String... names) throws Exception {
    for (String n : names) {
      Files.writeString(vm.resolve(n), "x");
    }
  }

  @Test
  void theOneDiskBesideCloudInitAndText() throws Exception {
    files("app.qcow2", "user-data", "user-data.yaml", "meta-data", "network-config", "README.md", "notes.txt",
        "values.json", ".gitkeep", ".app.qcow2.swp", "SHA256SUMS", "app.qcow2.sha256", "cloud.yml");
    Files.createDirectories(vm.resolve("sub"));
    assertEquals(vm.resolve("app.qcow2"), SourceDiscovery.single(vm));
  }

  @Test
  void anyNameCanBeADisk() throws Exception {
    files("disk", "user-data");
    assertEquals(vm.resolve("disk"), SourceDiscovery.single(vm));
  }

  @Test
  void splitVmdkCountsAsOneDisk() throws Exception {
    files("app.vmdk", "app-flat.vmdk");
    assertEquals(vm.resolve("app.vmdk"), SourceDiscovery.single(vm));
    files("big.vmdk", "big-s001.vmdk", "big-s002.vmdk");
    assertEquals(List.of(vm.resolve("app.vmdk"), vm.resolve("big.vmdk")), SourceDiscovery.candidates(vm));
  }

  @Test
  void noneIsAnErrorNamingTheParameter() throws Exception {
    files("user-data", "README.md");
    SourceDiscovery.Problem p = assertThrows(SourceDiscovery.Problem.class, () -> SourceDiscovery.single(vm));
    assertTrue(p.getMessage().contains("No disk image found in " + vm), p.getMessage());
    assertTrue(p.getMessage().contains("vm.source"), p.getMessage());
    SourceDiscovery.Problem missing = assertThrows(SourceDiscovery.Problem.class,
        () -> SourceDiscovery.single(vm.resolve("nope")));
    assertTrue(missing.getMessage().contains("no such folder"), missing.getMessage());
  }

  @Test
  void severalIsAnErrorListingThem() throws Exception {
    files("a.qcow2", "b.img", "user-data");
    SourceDiscovery.Problem p = assertThrows(SourceDiscovery.Problem.class, () -> SourceDiscovery.single(vm));
    assertTrue(p.getMessage().contains("a.qcow2, b.img"), p.getMessage());
    assertEquals(2, p.candidates().size());
  }
}
