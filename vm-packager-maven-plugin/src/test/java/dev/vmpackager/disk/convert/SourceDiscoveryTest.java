package dev.vmpackager.disk.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.testing.PatternedDisk;
import dev.vmpackager.testing.QemuImg;
import dev.vmpackager.testing.VmFolders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default source: the one disk file in src/main/vm/. */
class SourceDiscoveryTest {

  @TempDir
  static Path fixtures;

  /** A sparse 4.5 GiB disk: as a twoGbMaxExtentSparse VMDK it is a descriptor and three extents. */
  static Path raw;
  static Path small;

  @TempDir
  Path vm;

  @BeforeAll
  static void source() throws Exception {
    raw = PatternedDisk.create(fixtures.resolve("src.raw"), 4608L << 20, 5);
    small = PatternedDisk.create(fixtures.resolve("small.raw"), 8L << 20, 6);
  }

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
  void anyNameCanBeARawDiskOfWholeSectors() throws Exception {
    Files.write(vm.resolve("disk"), new byte[64 * 512]);
    files("user-data");
    assertEquals(vm.resolve("disk"), SourceDiscovery.single(vm));
  }

  @Test
  void aFileWithoutADiskNameOrDiskContentIsNoCandidate() throws Exception {
    // 290 bytes of text, an empty file, 1000 bytes of binary: no disk format, not whole sectors.
    Files.writeString(vm.resolve("config"), "x".repeat(290));
    Files.write(vm.resolve("empty"), new byte[0]);
    Files.write(vm.resolve("blob.bin"), new byte[1000]);
    SourceDiscovery.Problem p = assertThrows(SourceDiscovery.Problem.class, () -> SourceDiscovery.single(vm));
    assertTrue(p.getMessage().contains("No disk image found in " + vm), p.getMessage());
    assertTrue(p.getMessage().contains("not disk images: blob.bin, config, empty"), p.getMessage());
    // Content decides for a name that says nothing: a qcow2 called "disk" is a candidate.
    QemuImg.ok("create", "-f", "qcow2", vm.resolve("disk"), "1M");
    assertEquals(vm.resolve("disk"), SourceDiscovery.single(vm));
  }

  @Test
  void splitVmdkCountsAsOneDisk() throws Exception {
    Files.writeString(vm.resolve("app.vmdk"), descriptor("monolithicFlat", "RW 2048 FLAT \"app-flat.vmdk\" 0"));
    files("app-flat.vmdk");
    assertEquals(vm.resolve("app.vmdk"), SourceDiscovery.single(vm));
    Files.writeString(vm.resolve("big.vmdk"), descriptor("twoGbMaxExtentSparse",
        "RW 4192256 SPARSE \"big-s001.vmdk\"", "RW 4192256 SPARSE \"big-s002.vmdk\""));
    files("big-s001.vmdk", "big-s002.vmdk");
    assertEquals(List.of(vm.resolve("app.vmdk"), vm.resolve("big.vmdk")), SourceDiscovery.candidates(vm));
  }

  @Test
  void extentsAreWhatTheDescriptorsNameWhateverTheyAreCalled() throws Exception {
    // A descriptor naming its extent "data.bin", not after the -flat/-sNNN pattern.
    Files.writeString(vm.resolve("esx.vmdk"), descriptor("vmfs", "RW 2048 VMFS \"data.bin\""));
    Files.write(vm.resolve("data.bin"), new byte[2048 * 512]);
    assertEquals(vm.resolve("esx.vmdk"), SourceDiscovery.single(vm));
    // A -flat.vmdk no descriptor names is a file of its own, not silently dropped.
    Files.write(vm.resolve("orphan-flat.vmdk"), new byte[512]);
    assertEquals(List.of(vm.resolve("esx.vmdk"), vm.resolve("orphan-flat.vmdk")), SourceDiscovery.candidates(vm));
  }

  @Test
  void vmwareWorkstationFolderHasOneDisk() throws Exception {
    Path disk = VmFolders.vmwareWorkstation(vm, "ws-vm", raw);
    assertTrue(Files.exists(vm.resolve("disk-s003.vmdk")), "4.5 GiB makes three 2 GiB extents");
    assertEquals(disk, SourceDiscovery.single(vm));
  }

  @Test
  void virtualBoxFolderHasOneDisk() throws Exception {
    Path disk = VmFolders.virtualBox(vm, "vbox-vm", raw);
    assertEquals(disk, SourceDiscovery.single(vm));
  }

  @Test
  void virtManagerFolderHasOneDisk() throws Exception {
    Path disk = VmFolders.virtManager(vm, "kvm-vm", raw);
    assertEquals(disk, SourceDiscovery.single(vm));
  }

  @Test
  void ovfExportFolderHasOneDisk() throws Exception {
    Path disk = VmFolders.ovfExport(vm, "esx-vm", small);
    assertEquals(disk, SourceDiscovery.single(vm));
  }

  private static String descriptor(String createType, String... extents) {
    return "# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType=\"" + createType
        + "\"\n\n# Extent description\n" + String.join("\n", extents) + "\n";
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
