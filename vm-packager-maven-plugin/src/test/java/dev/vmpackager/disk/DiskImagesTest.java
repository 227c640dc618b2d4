package dev.vmpackager.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.testing.PatternedDisk;
import dev.vmpackager.testing.QemuImg;
import dev.vmpackager.testing.VmFolders;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Detection from content, never the name; names that claim a format the content lacks are errors. */
class DiskImagesTest {

  @TempDir
  static Path dir;

  static Path raw;
  static Path qcow2;

  @BeforeAll
  static void fixtures() throws Exception {
    raw = PatternedDisk.create(dir.resolve("src.raw"), 8L << 20, 3);
    qcow2 = dir.resolve("src.qcow2");
    QemuImg.convert(raw, qcow2, "qcow2");
  }

  private static Path copy(Path from, String name) throws Exception {
    return Files.copy(from, dir.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void rawContentWithNeutralNamesIsRaw() throws Exception {
    for (String name : new String[] {"disk.img", "disk.raw", "disk", "disk.bin"}) {
      try (OpenedDisk d = DiskImages.open(copy(raw, name), null, DiskOpenOptions.DEFAULT)) {
        assertEquals(DiskFormat.RAW, d.format(), name);
        assertEquals(8L << 20, d.reader().virtualSize());
      }
    }
  }

  @Test
  void qcow2ContentIsQcow2WhateverTheName() throws Exception {
    for (String name : new String[] {"disk.img", "disk.raw", "qcow2-disk"}) {
      try (OpenedDisk d = DiskImages.open(copy(qcow2, name), null, DiskOpenOptions.DEFAULT)) {
        assertEquals(DiskFormat.QCOW2, d.format(), name);
      }
    }
    assertEquals(DiskFormat.QCOW2, DiskImages.detect(qcow2));
  }

  @Test
  void nameClaimingAFormatTheContentLacksIsAnError() throws Exception {
    String[][] cases = {
        {"disk.vmdk", "the name says vmdk", "VMDK"},
        {"disk.qcow2", "the name says qcow2", "QFI"},
        {"disk.VDI", "the name says vdi", "VDI"},
        {"disk.vhd", "the name says vpc", "VHD"},
        {"disk.vhdx", "the name says vhdx", "VHDX"},
        {"disk.qed", "the name says qed", "QED"},
        {"disk.ova", "the name says ova", "OVA"},
    };
    for (String[] c : cases) {
      Path p = copy(raw, c[0]);
      DiskImageException e = assertThrows(DiskImageException.class, () -> DiskImages.open(p, null,
          DiskOpenOptions.DEFAULT));
      assertTrue(e.getMessage().startsWith(c[0] + ": "), e.getMessage());
      assertTrue(e.getMessage().contains(c[1]), e.getMessage());
      assertTrue(e.getMessage().contains(c[2]), e.getMessage());
      assertThrows(DiskImageException.class, () -> DiskImages.detect(p));
    }
  }

  @Test
  void forcedFormatMustMatchTheContent() throws Exception {
    Path p = copy(raw, "forced.img");
    DiskImageException e = assertThrows(DiskImageException.class,
        () -> DiskImages.open(p, DiskFormat.QCOW2, DiskOpenOptions.DEFAULT));
    assertTrue(e.getMessage().contains("forced.img") && e.getMessage().contains("qcow2"), e.getMessage());
    // A format this build may not read (yet) still ends in an error naming the file.
    DiskImageException v = assertThrows(DiskImageException.class,
        () -> DiskImages.open(p, DiskFormat.VMDK, DiskOpenOptions.DEFAULT));
    assertTrue(v.getMessage().contains("forced.img"), v.getMessage());
  }

  @Test
  void forcedRawReadsAnyBytes() throws Exception {
    Path p = copy(qcow2, "named.qcow2");
    try (OpenedDisk d = DiskImages.open(p, DiskFormat.RAW, DiskOpenOptions.DEFAULT)) {
      assertEquals(DiskFormat.RAW, d.format());
      assertEquals(Files.size(p), d.reader().virtualSize());
    }
  }

  @Test
  void missingFileNamesIt() {
    DiskImageException e = assertThrows(DiskImageException.class,
        () -> DiskImages.open(dir.resolve("nope.qcow2"), null, DiskOpenOptions.DEFAULT));
    assertTrue(e.getMessage().contains("nope.qcow2"), e.getMessage());
  }

  @Test
  void emptyFileIsAnEmptyRawDisk() throws Exception {
    Path p = Files.write(dir.resolve("empty.img"), new byte[0]);
    try (OpenedDisk d = DiskImages.open(p, null, DiskOpenOptions.DEFAULT)) {
      assertEquals(0, d.reader().virtualSize());
    }
  }

  @Test
  void rawDiskOfPartialSectorsIsRefused() throws Exception {
    // What a 290-byte .vmx or an 8684-byte .nvram under another name would otherwise become: a tiny disk.
    Path p = Files.writeString(dir.resolve("ws-vm.config"), "x".repeat(290));
    DiskImageException e = assertThrows(DiskImageException.class, () -> DiskImages.open(p, null,
        DiskOpenOptions.DEFAULT));
    assertTrue(e.getMessage().startsWith("ws-vm.config: is 290 bytes, not a whole number of 512-byte sectors"),
        e.getMessage());
    assertTrue(e.getMessage().contains("not a disk image") && e.getMessage().contains("<source> (vm.source)"),
        e.getMessage());
    DiskImageException forced = assertThrows(DiskImageException.class, () -> DiskImages.open(p, DiskFormat.RAW,
        DiskOpenOptions.DEFAULT));
    assertTrue(forced.getMessage().contains("290 bytes") && forced.getMessage().contains("given as raw"),
        forced.getMessage());
  }

  @Test
  void vmwareDescriptionIsNotADisk() throws Exception {
    // Padded to whole sectors: it is the name that says what it is, not the size.
    String vmx = VmFolders.vmx("ws-vm", "disk.vmdk");
    Path p = Files.writeString(dir.resolve("ws-vm.vmx"), vmx + " ".repeat(1024 - vmx.length() % 512));
    assertEquals(0, Files.size(p) % 512);
    DiskImageException e = assertThrows(DiskImageException.class, () -> DiskImages.open(p, null,
        DiskOpenOptions.DEFAULT));
    assertTrue(e.getMessage().startsWith("ws-vm.vmx: is a VMware VM description (.vmx), not a disk image"),
        e.getMessage());
    assertTrue(e.getMessage().contains("point <source> (vm.source) at the VM's disk (this one attaches disk.vmdk)"),
        e.getMessage());
    // The same for the other files a hypervisor keeps beside its disks.
    for (String name : new String[] {"ws-vm.nvram", "ws-vm.vmsd", "vbox-vm.vbox", "vbox-vm.vbox-prev", "vm.sav",
        "kvm-vm.xml", "vmware.log", "VBox.log.1", "guest.vmem"}) {
      Path f = Files.write(dir.resolve(name), new byte[4096]);
      DiskImageException n = assertThrows(DiskImageException.class, () -> DiskImages.open(f, null,
          DiskOpenOptions.DEFAULT), name);
      assertTrue(n.getMessage().startsWith(name + ": is ") && n.getMessage().contains("not a disk image"),
          n.getMessage());
    }
  }
}
