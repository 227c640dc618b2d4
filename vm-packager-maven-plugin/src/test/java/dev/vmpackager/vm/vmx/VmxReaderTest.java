package dev.vmpackager.vm.vmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.vm.DescribedDisk;
import dev.vmpackager.vm.DescribedNic;
import dev.vmpackager.vm.DescriptionFormat;
import dev.vmpackager.vm.DiskController;
import dev.vmpackager.vm.NicModel;
import dev.vmpackager.vm.VmDescription;
import dev.vmpackager.vm.VmDescriptionException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code .vmx} files as Workstation and ESXi write them, and hostile variants of them. */
@Timeout(30)
class VmxReaderTest {

  @TempDir Path dir;

  @Test
  void workstation17EfiVm() throws Exception {
    // Written on a Windows host: windows-1252, CRLF, the data disk recorded with its absolute path.
    Path vmx = fixture("workstation17-efi.vmx", "Ubuntu 64-bit.vmdk", "Ubuntu 64-bit-0.vmdk");

    VmDescription d = VmxReader.read(vmx);

    assertEquals(DescriptionFormat.VMX, d.format());
    assertEquals(Optional.of("Ubuntu 64-bit \u2013 B\u00fcro"), d.name());
    assertEquals(Optional.of("ubuntu-64"), d.guestOs());
    assertEquals(Optional.of("vmx-21"), d.machineType());
    assertEquals(1, d.cpuSockets().getAsInt());
    assertEquals(2, d.cpuCores().getAsInt());
    assertEquals(1, d.cpuThreads().getAsInt());
    assertEquals(4096L << 20, d.memoryBytes().getAsLong());
    assertEquals(Optional.of("efi"), d.firmware());
    assertEquals(Optional.of(false), d.secureBoot());
    assertEquals(List.of(
        new DescribedDisk("nvme0:0", "Ubuntu 64-bit.vmdk", DiskController.NVME, java.util.OptionalLong.empty(),
            "nvme0:0"),
        new DescribedDisk("nvme0:1", "Ubuntu 64-bit-0.vmdk", DiskController.NVME, java.util.OptionalLong.empty(),
            "nvme0:1")), d.disks());
    // The generated address is kept: it is the MAC the guest has known since it was installed.
    assertEquals(List.of(new DescribedNic(NicModel.E1000E, Optional.of("00:0c:29:5d:7e:21"), Optional.empty(),
        "ethernet0")), d.nics());
    assertEquals(List.of("CD-ROM sata0:1 (C:\\Users\\anna\\Downloads\\ubuntu-24.04.1-live-server-amd64.iso)",
        "sound card (hdaudio)", "USB 1.1 controller (usb)", "USB 2 controller (ehci)",
        "USB 3 controller (usb_xhci)"), d.notCarriedOver());
  }

  @Test
  void esxiVmWithPvscsiAndVmxnet3() throws Exception {
    Path vmx = fixture("esxi8-pvscsi-vmxnet3.vmx", "web01.vmdk", "web01_1.vmdk");

    VmDescription d = VmxReader.read(vmx);

    assertEquals(Optional.of("web01"), d.name());
    assertEquals(Optional.of("vmx-20"), d.machineType());
    assertEquals(2, d.cpuSockets().getAsInt());
    assertEquals(2, d.cpuCores().getAsInt());
    assertEquals(1, d.cpuThreads().getAsInt());
    assertEquals(8192L << 20, d.memoryBytes().getAsLong());
    assertEquals(Optional.of("bios"), d.firmware());
    assertEquals(Optional.empty(), d.secureBoot());
    assertEquals(List.of("web01.vmdk", "web01_1.vmdk"), d.disks().stream().map(DescribedDisk::file).toList());
    assertEquals(List.of(DiskController.PVSCSI, DiskController.PVSCSI),
        d.disks().stream().map(DescribedDisk::controller).toList());
    assertEquals(List.of(
        new DescribedNic(NicModel.VMXNET3, Optional.of("00:50:56:3f:00:20"), Optional.of("VM Network"), "ethernet0"),
        new DescribedNic(NicModel.VMXNET3, Optional.of("00:50:56:a1:b2:c3"), Optional.of("Backend"), "ethernet1")),
        d.nics());
    assertEquals(List.of("CD-ROM sata0:0 (/vmfs/devices/cdrom/mpx.vmhba64:C0:T0:L0)", "USB 3 controller (usb_xhci)",
        "serial port serial0 ([datastore1] web01/serial.log)"), d.notCarriedOver());
  }

  @Test
  void biosOrderNamesTheBootDisk() throws Exception {
    String disks = "scsi0.present = \"TRUE\"\nscsi0.virtualDev = \"lsisas1068\"\n"
        + "scsi0:0.fileName = \"data.vmdk\"\nscsi0:0.present = \"TRUE\"\n"
        + "sata0:0.fileName = \"other.vmdk\"\n"
        + "scsi0:1.fileName = \"system.vmdk\"\nscsi0:1.present = \"TRUE\"\n";
    Path hddOrder = write(disks + "bios.hddOrder = \"scsi0:1\"\n", "data.vmdk", "other.vmdk", "system.vmdk");
    assertEquals(List.of("system.vmdk", "data.vmdk", "other.vmdk"), files(VmxReader.read(hddOrder)));

    Path bootOrder = write(disks + "bios.bootOrder = \"cdrom,SATA0:0,hdd\"\nbios.hddOrder = \"scsi0:1\"\n");
    assertEquals(List.of("other.vmdk", "system.vmdk", "data.vmdk"), files(VmxReader.read(bootOrder)));

    Path none = write(disks);
    VmDescription d = VmxReader.read(none);
    assertEquals(List.of("data.vmdk", "other.vmdk", "system.vmdk"), files(d));
    assertEquals(List.of(DiskController.LSILOGIC_SAS, DiskController.SATA, DiskController.LSILOGIC_SAS),
        d.disks().stream().map(DescribedDisk::controller).toList());
  }

  @Test
  void devicesThatAreNotPresent() throws Exception {
    Path vmx = write("scsi0.present = \"TRUE\"\nscsi0:0.fileName = \"a.vmdk\"\n"
        + "scsi0:1.fileName = \"b.vmdk\"\nscsi0:1.present = \"FALSE\"\n"
        + "scsi1.present = \"FALSE\"\nscsi1:0.fileName = \"c.vmdk\"\nscsi1:0.present = \"TRUE\"\n"
        + "ethernet0.present = \"FALSE\"\nethernet0.virtualDev = \"e1000\"\n"
        + "ethernet1.virtualDev = \"vlance\"\n"
        + "floppy0.present = \"FALSE\"\nsound.present = \"FALSE\"\nserial1.present = \"FALSE\"\n", "a.vmdk");

    VmDescription d = VmxReader.read(vmx);

    assertEquals(List.of("a.vmdk"), files(d));
    assertEquals(List.of(new DescribedNic(NicModel.PCNET, Optional.empty(), Optional.empty(), "ethernet1")), d.nics());
    assertEquals(List.of("disk scsi1:0 (c.vmdk), whose controller scsi1 is present = FALSE"), d.notCarriedOver());
  }

  @Test
  void controllersDeviceTypesAndOldHardware() throws Exception {
    Path vmx = write("ide0:0.deviceType = \"ata-hardDisk\"\nide0:0.fileName = \"ide.vmdk\"\n"
        + "ide1:0.fileName = \"install.ISO\"\n"
        + "ide1:1.deviceType = \"cdrom-raw\"\nide1:1.fileName = \"auto detect\"\n"
        + "scsi0.virtualDev = \"buslogic\"\nscsi0:0.deviceType = \"plainDisk\"\nscsi0:0.fileName = \"old.vmdk\"\n"
        + "scsi0:1.deviceType = \"scsi-passthru\"\nscsi0:1.fileName = \"/dev/sg1\"\n"
        + "scsi1.virtualDev = \"lsilogic\"\nscsi1:0.deviceType = \"disk\"\nscsi1:0.fileName = \"[ds1] x/lsi.vmdk\"\n"
        + "scsi2:0.fileName = \"nodev.vmdk\"\n"
        + "floppy0.fileName = \"drivers.flp\"\n"
        + "ethernet0.virtualDev = \"vmxnet\"\nethernet0.address = \"00:50:56:00:00:01\"\n"
        + "ethernet1.virtualDev = \"e1000\"\nethernet1.connectionType = \"custom\"\nethernet1.vnet = \"VMnet2\"\n"
        + "parallel0.present = \"TRUE\"\npciPassthru0.present = \"TRUE\"\n"
        + "sharedFolder0.present = \"TRUE\"\nsharedFolder0.guestName = \"Sync\"\n",
        "ide.vmdk", "old.vmdk", "lsi.vmdk", "nodev.vmdk");

    VmDescription d = VmxReader.read(vmx);

    assertEquals(List.of(DiskController.IDE, DiskController.BUSLOGIC, DiskController.LSILOGIC, DiskController.UNKNOWN),
        d.disks().stream().map(DescribedDisk::controller).toList());
    assertEquals(List.of("ide.vmdk", "old.vmdk", "lsi.vmdk", "nodev.vmdk"), files(d));
    assertEquals(Optional.of("bios"), d.firmware());
    assertEquals(List.of(
        new DescribedNic(NicModel.VMXNET, Optional.of("00:50:56:00:00:01"), Optional.empty(), "ethernet0"),
        new DescribedNic(NicModel.E1000, Optional.empty(), Optional.of("VMnet2"), "ethernet1")), d.nics());
    assertEquals(List.of("CD-ROM ide1:0 (install.ISO)", "CD-ROM ide1:1 (auto detect)",
        "SCSI passthrough device scsi0:1 (/dev/sg1)", "floppy drive floppy0 (drivers.flp)", "parallel port parallel0",
        "PCI passthrough device pcipassthru0", "shared folder Sync"), d.notCarriedOver());
  }

  @Test
  void syntaxDetails() throws Exception {
    Path vmx = write("#!/usr/bin/vmware\n\n# a comment\n  displayName   =   \"say |22hi|22 |7C ok\"  \n"
        + "NUMVCPUS = 4\nnumvcpus = \"4\"\nMemSize = \"2048\"\nFirmware = \"EFI\"\nuefi.secureBoot.enabled = \"true\"\n");

    VmDescription d = VmxReader.read(vmx);

    assertEquals(Optional.of("say \"hi\" | ok"), d.name());
    assertEquals(4, d.cpuSockets().getAsInt());
    assertEquals(1, d.cpuCores().getAsInt());
    assertEquals(2048L << 20, d.memoryBytes().getAsLong());
    assertEquals(Optional.of("efi"), d.firmware());
    assertEquals(Optional.of(true), d.secureBoot());
  }

  // ---- hostile and broken input: always a VmDescriptionException naming file and key ----

  @Test
  void hugeNumbers() throws Exception {
    assertFails(write("memsize = \"1000000000000000000000000000000\"\n"), "memsize (line 1)", "not between");
    assertFails(write("memsize = \"16777217\"\n"), "memsize", "16777216");
    assertFails(write("memsize = \"0\"\n"), "memsize");
    assertFails(write("memsize = \"4 GB\"\n"), "memsize", "not a whole number");
    assertFails(write("numvcpus = \"1099511627776\"\n"), "numvcpus (line 1)", "not between 1 and 1024");
    assertFails(write("numvcpus = \"-2\"\n"), "numvcpus", "not a whole number");
    assertFails(write("numvcpus = \"4\"\ncpuid.coresPerSocket = \"3\"\n"), "cpuid.coresPerSocket (line 2)",
        "do not divide");
    assertFails(write("numvcpus = \"4\"\ncpuid.coresPerSocket = \"4294967296\"\n"), "cpuid.coresPerSocket");
    assertFails(write("virtualHW.version = \"99999999999999999999\"\n"), "virtualHW.version");
    assertFails(write("scsi9:0.fileName = \"a.vmdk\"\n"), "scsi9:0.fileName (line 1)", "scsi0 to scsi3");
    assertFails(write("sata0:123456789012345678901234567890.fileName = \"a.vmdk\"\n"), "sata0:1234", "units");
    assertFails(write("ethernet100000000000.present = \"TRUE\"\n"), "ethernet100000000000.present");
  }

  @Test
  void diskListedTwice() throws Exception {
    assertFails(write("scsi0:0.fileName = \"disk.vmdk\"\nscsi0:1.fileName = \"C:\\VMs\\app\\disk.vmdk\"\n",
        "disk.vmdk"), "scsi0:1", "disk.vmdk", "also attached as scsi0:0");
  }

  @Test
  void missingAndEscapingFiles() throws Exception {
    assertFails(write("nvme0:0.fileName = \"/vmfs/volumes/ds1/app/gone.vmdk\"\n"), "nvme0:0.fileName (line 1)",
        "gone.vmdk", "not there");
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.writeString(outside.resolve("secret.vmdk"), "x");
    Path vmDir = Files.createDirectories(dir.resolve("vm"));
    Path dotdot = vmDir.resolve("dotdot.vmx");
    Files.writeString(dotdot, "scsi0:0.fileName = \"../outside/secret.vmdk\"\n");
    assertFails(dotdot, "scsi0:0.fileName", "secret.vmdk", "not there");
    Path parent = vmDir.resolve("parent.vmx");
    Files.writeString(parent, "scsi0:0.fileName = \"[datastore1] app/..\"\n");
    assertFails(parent, "scsi0:0.fileName", "names no file");
    assertFails(write("scsi0:0.deviceType = \"scsi-hardDisk\"\n"), "scsi0:0.deviceType", "no scsi0:0.fileName");
  }

  @Test
  void duplicateKeys() throws Exception {
    assertFails(write("memsize = \"2048\"\nnumvcpus = \"2\"\nmemSize = \"4096\"\n"), "memSize (line 3)",
        "line 1", "2048", "4096");
    assertEquals(2048L << 20, VmxReader.read(write("memsize = \"2048\"\nMEMSIZE = \"2048\"\n")).memoryBytes()
        .getAsLong());
  }

  @Test
  void brokenSyntax() throws Exception {
    assertFails(write("displayName = \"unterminated\nmemsize = \"1024\"\n"), "displayName (line 1)",
        "quote is not closed");
    assertFails(write("displayName = \"a\" \"b\"\n"), "displayName (line 1)", "follows the closing quote");
    assertFails(write("displayName = two words\n"), "displayName (line 1)", "not in quotes");
    assertFails(write("memsize = \"1024\"\njust some text\n"), "line 2", "not a key = \"value\"");
    assertFails(write("= \"value\"\n"), "line 1");
    assertFails(write("sound.present = \"maybe\"\n"), "sound.present (line 1)", "neither TRUE nor FALSE");
    assertFails(write("firmware = \"uefi\"\n"), "firmware (line 1)", "uefi");
  }

  @Test
  void notAVmx() throws Exception {
    byte[] garbage = new byte[4096];
    new Random(13).nextBytes(garbage);
    garbage[100] = 0;
    Path bin = dir.resolve("garbage.vmx");
    Files.write(bin, garbage);
    assertFails(bin, "binary");
    Path vmdk = dir.resolve("disk.vmx");
    Files.write(vmdk, "KDMV\u0001\u0000\u0000\u0000".getBytes(StandardCharsets.ISO_8859_1));
    assertFails(vmdk, "VMDK disk");
    Path descriptor = dir.resolve("descriptor.vmx");
    Files.writeString(descriptor, "# Disk DescriptorFile\nversion=1\n");
    assertFails(descriptor, "VMDK disk");
    Path huge = dir.resolve("huge.vmx");
    Files.write(huge, new byte[(int) VmxReader.MAX_SIZE + 1]);
    assertFails(huge, "size", "more than");
    assertFails(dir.resolve("absent.vmx"), "does not exist");
  }

  @Test
  void encodings() throws Exception {
    Path latin = dir.resolve("latin.vmx");
    Files.write(latin, "displayName = \"B\u00fcro\"\n".getBytes(StandardCharsets.ISO_8859_1));
    assertFails(latin, ".encoding", "not valid UTF-8");
    Path unknown = write(".encoding = \"klingon-8\"\ndisplayName = \"x\"\n");
    assertFails(unknown, ".encoding", "klingon-8");
    Path bom = dir.resolve("bom.vmx");
    Files.write(bom, "\ufeffdisplayName = \"B\u00fcro\"\n".getBytes(StandardCharsets.UTF_8));
    assertEquals(Optional.of("B\u00fcro"), VmxReader.read(bom).name());
  }

  @Test
  void badDevices() throws Exception {
    assertFails(write("scsi0:0.deviceType = \"rawDisk\"\nscsi0:0.fileName = \"physical.vmdk\"\n", "physical.vmdk"),
        "scsi0:0.deviceType (line 1)", "physical disk of the host");
    assertFails(write("scsi0:0.deviceType = \"scsi-passthru-rdm\"\nscsi0:0.fileName = \"lun-rdmp.vmdk\"\n"),
        "scsi0:0.deviceType", "raw device mapping");
    assertFails(write("scsi0:0.deviceType = \"tape\"\nscsi0:0.fileName = \"a.vmdk\"\n"), "scsi0:0.deviceType",
        "'tape'");
    assertFails(write("ethernet0.addressType = \"static\"\n"), "ethernet0.addressType", "ethernet0.address");
    assertFails(write("ethernet0.generatedAddress = \"00:0c:29:zz:00:01\"\n"), "ethernet0.generatedAddress (line 1)",
        "not a MAC");
  }

  private VmDescriptionException assertFails(Path file, String... fragments) {
    VmDescriptionException e = assertThrows(VmDescriptionException.class, () -> VmxReader.read(file));
    String message = e.getMessage();
    assertTrue(message.contains(file.toString()), message);
    for (String f : fragments) {
      assertTrue(message.contains(f), "'" + f + "' not in: " + message);
    }
    return e;
  }

  private static List<String> files(VmDescription d) {
    return d.disks().stream().map(DescribedDisk::file).toList();
  }

  private Path fixture(String name, String... disks) throws IOException {
    Path vmx = dir.resolve(name);
    try (InputStream in = getClass().getResourceAsStream("/vm/vmx/" + name)) {
      Files.copy(in, vmx);
    }
    createDisks(disks);
    return vmx;
  }

  private int written;

  private Path write(String vmx, String... disks) throws IOException {
    Path file = dir.resolve("vm" + (++written) + ".vmx");
    Files.writeString(file, vmx);
    createDisks(disks);
    return file;
  }

  private void createDisks(String... disks) throws IOException {
    for (String disk : disks) {
      if (!Files.exists(dir.resolve(disk))) {
        Files.write(dir.resolve(disk), new byte[] {1});
      }
    }
  }
}
