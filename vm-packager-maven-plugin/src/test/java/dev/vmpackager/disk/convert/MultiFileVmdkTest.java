package dev.vmpackager.disk.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageException;
import dev.vmpackager.disk.UnsupportedImageException;
import dev.vmpackager.testing.PatternedDisk;
import dev.vmpackager.testing.QemuImg;
import dev.vmpackager.testing.VmFolders;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A multi-file VMDK (VMware Workstation's split disk, ESXi's descriptor and flat extent) is one
 * disk: converted without {@code allowExternalFiles} as long as its extents stay in the
 * descriptor's folder, fingerprinted whole for the up-to-date check. Backing chains (delta disks)
 * still need the opt-in.
 */
class MultiFileVmdkTest {

  @TempDir
  static Path dir;

  /** 4.5 GiB, sparse: as twoGbMaxExtentSparse, a descriptor and three extents. */
  static Path big;
  static Path small;
  /** A Workstation VM folder whose disk.vmdk is split in disk-s001..s003.vmdk. */
  static Path workstation;

  private static final AtomicInteger COUNTER = new AtomicInteger();

  @BeforeAll
  static void fixtures() throws Exception {
    big = PatternedDisk.create(dir.resolve("big.raw"), 4608L << 20, 21);
    small = PatternedDisk.create(dir.resolve("small.raw"), 64L << 20, 22);
    workstation = dir.resolve("ws-vm");
    VmFolders.vmwareWorkstation(workstation, "ws-vm", big);
    assertTrue(Files.exists(workstation.resolve("disk-s003.vmdk")), "4.5 GiB makes three extents");
  }

  private static ConversionRequest.Builder request(Path source) {
    Path out = dir.resolve("out" + COUNTER.incrementAndGet()).resolve("vm.qcow2");
    return ConversionRequest.builder().source(source).output(out);
  }

  /** A copy of the Workstation folder's disk files (the extents are small: sparse). */
  private static Path copyOfWorkstationDisk() throws Exception {
    Path to = Files.createDirectories(dir.resolve("case" + COUNTER.incrementAndGet()).resolve("vm"));
    try (Stream<Path> s = Files.list(workstation)) {
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith("disk")).toList()) {
        Files.copy(p, to.resolve(p.getFileName()));
      }
    }
    return to.resolve("disk.vmdk");
  }

  @Test
  void workstationSplitDiskConvertsWithoutTheOptIn() throws Exception {
    Path disk = workstation.resolve("disk.vmdk");
    for (ConversionRequest.Engine engine : ConversionRequest.Engine.values()) {
      ConversionRequest req = request(disk).engine(engine).build();
      ConversionResult r = new DiskConverter().convert(req);
      assertEquals(DiskFormat.VMDK, r.sourceFormat(), engine.id());
      assertEquals(4608L << 20, r.virtualSize());
      QemuImg.assertIdentical(disk, "vmdk", req.output(), "qcow2");
      QemuImg.assertIdentical(big, "raw", req.output(), "qcow2");
    }
  }

  @Test
  void esxiDescriptorAndFlatExtentConvertWithoutTheOptIn() throws Exception {
    // qemu-img's monolithicFlat (disk.vmdk + disk-flat.vmdk) and ESXi's vmfs descriptor.
    Path flatDir = Files.createDirectories(dir.resolve("flat"));
    Path flat = flatDir.resolve("disk.vmdk");
    QemuImg.convert(small, flat, "vmdk", "-o", "subformat=monolithicFlat");
    Path esxDir = Files.createDirectories(dir.resolve("esx"));
    Files.copy(small, esxDir.resolve("esx-vm-flat.vmdk"));
    Path esx = Files.writeString(esxDir.resolve("esx-vm.vmdk"), "# Disk DescriptorFile\nversion=1\n"
        + "encoding=\"UTF-8\"\nCID=3f1b5c2e\nparentCID=ffffffff\ncreateType=\"vmfs\"\n\n# Extent description\n"
        + "RW " + ((64L << 20) / 512) + " VMFS \"esx-vm-flat.vmdk\"\n\n# The Disk Data Base\n#DDB\n\n"
        + "ddb.adapterType = \"lsilogic\"\nddb.geometry.cylinders = \"8\"\nddb.geometry.heads = \"255\"\n"
        + "ddb.geometry.sectors = \"63\"\nddb.thinProvisioned = \"1\"\nddb.virtualHWVersion = \"19\"\n");
    for (Path source : new Path[] {flat, esx}) {
      for (ConversionRequest.Engine engine : ConversionRequest.Engine.values()) {
        ConversionRequest req = request(source).engine(engine).build();
        new DiskConverter().convert(req);
        QemuImg.assertIdentical(small, "raw", req.output(), "qcow2");
      }
    }
  }

  @Test
  void aChangedExtentIsConvertedAgain() throws Exception {
    Path dirOf = Files.createDirectories(dir.resolve("changed"));
    Path disk = dirOf.resolve("disk.vmdk");
    QemuImg.convert(small, disk, "vmdk", "-o", "subformat=monolithicFlat");
    Path extent = dirOf.resolve("disk-flat.vmdk");
    ConversionRequest req = request(disk).build();
    assertFalse(new DiskConverter().convert(req).upToDate());
    assertTrue(new DiskConverter().convert(req).upToDate(), "nothing changed");

    // New bytes in the extent, same size, its time put back: the descriptor is untouched.
    FileTime was = Files.getLastModifiedTime(extent);
    try (FileChannel ch = FileChannel.open(extent, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap("changed in the guest".getBytes(StandardCharsets.US_ASCII)), 100);
    }
    Files.setLastModifiedTime(extent, was);
    assertFalse(new DiskConverter().convert(req).upToDate(), "a changed extent is not up to date");
    QemuImg.assertIdentical(disk, "vmdk", req.output(), "qcow2");
    assertTrue(new DiskConverter().convert(req).upToDate());

    // A touched extent (copied back from a backup, say): converted again.
    Files.setLastModifiedTime(extent, FileTime.fromMillis(was.toMillis() - 5000));
    assertFalse(new DiskConverter().convert(req).upToDate());
  }

  @Test
  void extentsLeavingTheFolderAreStillRefused() throws Exception {
    // The second extent of a split disk named "../x-s002.vmdk", by absolute path, or a link out.
    Path dotdot = copyOfWorkstationDisk();
    Files.copy(dotdot.resolveSibling("disk-s002.vmdk"), dotdot.getParent().resolveSibling("x-s002.vmdk"));
    rename(dotdot, "disk-s002.vmdk", "../x-s002.vmdk");
    assertRefused(dotdot, "\"../x-s002.vmdk\"", "no absolute path, no '..'");

    Path absolute = copyOfWorkstationDisk();
    Path elsewhere = Files.copy(absolute.resolveSibling("disk-s002.vmdk"),
        absolute.getParent().resolveSibling("elsewhere-s002.vmdk"));
    rename(absolute, "disk-s002.vmdk", elsewhere.toString());
    assertRefused(absolute, "\"" + elsewhere + "\"", "no absolute path");

    Path link = copyOfWorkstationDisk();
    Path outside = Files.move(link.resolveSibling("disk-s002.vmdk"),
        link.getParent().resolveSibling("outside-s002.vmdk"));
    Files.createSymbolicLink(link.resolveSibling("disk-s002.vmdk"), outside);
    assertRefused(link, "\"disk-s002.vmdk\"", "symbolic link", "outside the descriptor's folder");
  }

  @Test
  void deltaDiskOverASplitDiskStillNeedsTheOptIn() throws Exception {
    Path base = copyOfWorkstationDisk();
    // A Workstation snapshot: disk-000001.vmdk, split like its parent, over disk.vmdk.
    Path child = base.resolveSibling("disk-000001.vmdk");
    QemuImg.ok("create", "-q", "-f", "vmdk", "-o", "subformat=twoGbMaxExtentSparse", "-b", "disk.vmdk",
        "-F", "vmdk", child);
    ConversionRequest parentReq = request(base).build();
    new DiskConverter().convert(parentReq);
    QemuImg.assertIdentical(big, "raw", parentReq.output(), "qcow2");

    ConversionRequest refused = request(child).build();
    UnsupportedImageException e = assertThrows(UnsupportedImageException.class,
        () -> new DiskConverter().convert(refused));
    assertTrue(e.getMessage().contains("disk-000001.vmdk") && e.getMessage().contains("differencing")
        && e.getMessage().contains("disk.vmdk") && e.getMessage().contains("vm.allowExternalFiles"), e.getMessage());
    assertFalse(Files.exists(refused.output()));

    ConversionRequest allowed = request(child).allowExternalReferences(true).build();
    new DiskConverter().convert(allowed);
    QemuImg.assertIdentical(big, "raw", allowed.output(), "qcow2");
  }

  private static void rename(Path descriptor, String from, String to) throws Exception {
    String text = Files.readString(descriptor);
    assertTrue(text.contains("\"" + from + "\""), text);
    Files.writeString(descriptor, text.replace("\"" + from + "\"", "\"" + to + "\""));
  }

  /** Refused with and without the opt-in, by the java and the qemu-img engine, nothing written. */
  private static void assertRefused(Path descriptor, String... fragments) {
    for (boolean optIn : new boolean[] {false, true}) {
      for (ConversionRequest.Engine engine : ConversionRequest.Engine.values()) {
        ConversionRequest req = request(descriptor).engine(engine).allowExternalReferences(optIn).build();
        DiskImageException e = assertThrows(UnsupportedImageException.class, () -> new DiskConverter().convert(req));
        assertTrue(e.getMessage().startsWith("disk.vmdk: refused extent file "), e.getMessage());
        for (String f : fragments) {
          assertTrue(e.getMessage().contains(f), () -> "'" + f + "' missing from: " + e.getMessage());
        }
        assertFalse(Files.exists(req.output()), "nothing written");
      }
    }
  }
}
