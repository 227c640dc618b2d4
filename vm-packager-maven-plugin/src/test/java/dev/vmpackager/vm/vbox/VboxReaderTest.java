package dev.vmpackager.vm.vbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vmpackager.testing.QemuImg;
import dev.vmpackager.vm.DescribedDisk;
import dev.vmpackager.vm.DescribedNic;
import dev.vmpackager.vm.DescriptionFormat;
import dev.vmpackager.vm.DiskController;
import dev.vmpackager.vm.NicModel;
import dev.vmpackager.vm.VmDescription;
import dev.vmpackager.vm.VmFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * VirtualBox 7.0 (settings 1.19) and 7.1 (1.20, with {@code Platform}) machine files read into the
 * VM model, their disks found by name beside them.
 */
@Timeout(60)
class VboxReaderTest {

  @TempDir static Path shared;
  static byte[] vdi;

  @TempDir Path dir;

  @BeforeAll
  static void disk() throws Exception {
    Path f = shared.resolve("tiny.vdi");
    QemuImg.ok("create", "-q", "-f", "vdi", f, "1M");
    vdi = Files.readAllBytes(f);
  }

  Path win11(String vbox) throws Exception {
    Files.write(dir.resolve("win11-build.vdi"), vdi);
    Files.write(dir.resolve("data.vdi"), vdi);
    return Files.writeString(dir.resolve("win11-build.vbox"), vbox);
  }

  @Test
  void virtualBox7WithAhciNvmeDvdAudioSerialUsbAndTpm() throws Exception {
    Path file = win11(VmFixtures.text("vbox/virtualbox7.vbox"));
    VmDescription vm = VboxReader.read(file);

    assertEquals(DescriptionFormat.VBOX, vm.format());
    assertEquals(Optional.of("win11-build"), vm.name());
    assertEquals(Optional.of("Windows11_64"), vm.guestOs());
    assertEquals(OptionalInt.of(1), vm.cpuSockets());
    assertEquals(OptionalInt.of(4), vm.cpuCores());
    assertEquals(OptionalInt.of(1), vm.cpuThreads());
    assertEquals(OptionalLong.of(8192L << 20), vm.memoryBytes());
    assertEquals(Optional.of("efi"), vm.firmware());
    assertEquals(Optional.empty(), vm.secureBoot(), "kept in the NVRAM file, not in the .vbox");
    assertEquals(Optional.of("q35"), vm.machineType(), "ICH9");
    assertEquals(List.of(
        new DescribedDisk("win11-build", "win11-build.vdi", DiskController.SATA, OptionalLong.empty(),
            "Machine/StorageControllers/StorageController[name=SATA]/AttachedDevice[port=0,device=0]"),
        new DescribedDisk("data", "data.vdi", DiskController.NVME, OptionalLong.empty(),
            "Machine/StorageControllers/StorageController[name=NVMe]/AttachedDevice[port=0,device=0]")), vm.disks());
    assertEquals(List.of(
        new DescribedNic(NicModel.E1000, Optional.of("08:00:27:c0:8e:7c"), Optional.empty(),
            "Machine/Hardware/Network/Adapter[slot=0]"),
        new DescribedNic(NicModel.VIRTIO, Optional.of("08:00:27:5a:1b:2c"), Optional.of("build-net"),
            "Machine/Hardware/Network/Adapter[slot=1]")), vm.nics());
    assertEquals(List.of("DVD drive on 'SATA' port 1 device 0 (image Win11_23H2_English_x64.iso)",
        "sound card (HDA)", "serial port COM1 (RawFile)", "USB controller 'xHCI' (XHCI)", "TPM (v2_0)"),
        vm.notCarriedOver());
  }

  @Test
  void virtualBox71PlatformLayout() throws Exception {
    Files.write(dir.resolve("fedora40.vdi"), vdi);
    Path file = Files.writeString(dir.resolve("fedora40.vbox"), VmFixtures.text("vbox/virtualbox71.vbox"));
    VmDescription vm = VboxReader.read(file);
    assertEquals(OptionalInt.of(1), vm.cpuSockets());
    assertEquals(OptionalInt.of(2), vm.cpuCores(), "Platform/CPU@count");
    assertEquals(OptionalLong.of(4096L << 20), vm.memoryBytes());
    assertEquals(Optional.of("bios"), vm.firmware());
    assertEquals(Optional.of("i440fx"), vm.machineType(), "Platform/Chipset PIIX3");
    // The location is the absolute path on the host that wrote it: the disk is found by name beside the file.
    assertEquals(List.of(new DescribedDisk("fedora40", "fedora40.vdi", DiskController.SATA, OptionalLong.empty(),
        "Machine/StorageControllers/StorageController[name=SATA]/AttachedDevice[port=0,device=0]")), vm.disks());
    assertEquals(List.of(new DescribedNic(NicModel.E1000, Optional.of("08:00:27:91:f3:a0"), Optional.empty(),
        "Machine/Hardware/Network/Adapter[slot=0]")), vm.nics());
    assertEquals(List.of("DVD drive on 'IDE' port 1 device 0 (empty)"), vm.notCarriedOver(),
        "the audio adapter is disabled");
  }

  @Test
  void nonBootableControllerComesLast() throws Exception {
    Path file = win11(VmFixtures.text("vbox/virtualbox7.vbox").replace(
        "PortCount=\"2\" useHostIOCache=\"false\" Bootable=\"true\"", "PortCount=\"2\" useHostIOCache=\"false\" Bootable=\"false\""));
    assertEquals(List.of("data.vdi", "win11-build.vdi"),
        VboxReader.read(file).disks().stream().map(DescribedDisk::file).toList());
  }

  @Test
  void ideDiskBootsBeforeSataDiskAndPortsOrderTheRest() throws Exception {
    String vbox = VmFixtures.text("vbox/virtualbox7.vbox")
        .replace("<StorageController name=\"NVMe\" type=\"NVMe\"", "<StorageController name=\"IDE\" type=\"PIIX4\"")
        .replace("type=\"DVD\" hotpluggable=\"false\" port=\"1\" device=\"0\"",
            "type=\"DVD\" hotpluggable=\"false\" port=\"0\" device=\"0\"")
        .replace("type=\"HardDisk\" hotpluggable=\"false\" port=\"0\" device=\"0\">\n          <Image uuid=\"{0c5d",
            "type=\"HardDisk\" hotpluggable=\"false\" port=\"3\" device=\"0\">\n          <Image uuid=\"{0c5d");
    List<DescribedDisk> disks = VboxReader.read(win11(vbox)).disks();
    assertEquals(List.of(DiskController.IDE, DiskController.SATA), disks.stream().map(DescribedDisk::controller).toList());
    assertEquals("data.vdi", disks.get(0).file());
  }

  @Test
  void controllerTypesMapToTheControllerTheGuestBootedWith() {
    assertEquals(DiskController.IDE, VboxReader.controller("PIIX3"));
    assertEquals(DiskController.IDE, VboxReader.controller("ICH6"));
    assertEquals(DiskController.SATA, VboxReader.controller("AHCI"));
    assertEquals(DiskController.LSILOGIC, VboxReader.controller("LsiLogic"));
    assertEquals(DiskController.LSILOGIC_SAS, VboxReader.controller("LsiLogicSas"));
    assertEquals(DiskController.BUSLOGIC, VboxReader.controller("BusLogic"));
    assertEquals(DiskController.NVME, VboxReader.controller("NVMe"));
    assertEquals(DiskController.VIRTIO_SCSI, VboxReader.controller("VirtioSCSI"));
    assertEquals(DiskController.USB, VboxReader.controller("USB"));
    assertEquals(DiskController.UNKNOWN, VboxReader.controller("Quantum"));
  }

  @Test
  void nicTypesAndDefaults() throws Exception {
    String vbox = VmFixtures.text("vbox/virtualbox7.vbox")
        .replace("<Adapter slot=\"2\" type=\"Am79C973\"/>", "<Adapter slot=\"2\" enabled=\"true\"><BridgedInterface name=\"eth0\"/></Adapter>")
        .replace("<Adapter slot=\"3\" type=\"Am79C973\"/>", "<Adapter slot=\"3\" enabled=\"true\" type=\"82545EM\" MACAddress=\"08-00-27-AA-BB-CC\"/>");
    List<DescribedNic> nics = VboxReader.read(win11(vbox)).nics();
    assertEquals(new DescribedNic(NicModel.PCNET, Optional.empty(), Optional.of("eth0"),
        "Machine/Hardware/Network/Adapter[slot=2]"), nics.get(2), "Am79C973 is the default type");
    assertEquals(new DescribedNic(NicModel.E1000, Optional.of("08:00:27:aa:bb:cc"), Optional.empty(),
        "Machine/Hardware/Network/Adapter[slot=3]"), nics.get(3));
  }

  @Test
  void firmwareTypes() throws Exception {
    for (String t : List.of("EFI", "EFI64", "EFIDUAL")) {
      VmDescription vm = VboxReader.read(win11(VmFixtures.text("vbox/virtualbox7.vbox")
          .replace("<Firmware type=\"EFI\"/>", "<Firmware type=\"" + t + "\"/>")));
      assertEquals(Optional.of("efi"), vm.firmware(), t);
    }
    VmDescription efi32 = VboxReader.read(win11(VmFixtures.text("vbox/virtualbox7.vbox")
        .replace("<Firmware type=\"EFI\"/>", "<Firmware type=\"EFI32\"/>")));
    assertEquals(Optional.of("efi"), efi32.firmware());
    assertEquals(true, efi32.notCarriedOver().stream().anyMatch(s -> s.startsWith("32-bit EFI firmware")));
    VmDescription none = VboxReader.read(win11(VmFixtures.text("vbox/virtualbox7.vbox")
        .replace("<Firmware type=\"EFI\"/>", "")));
    assertEquals(Optional.empty(), none.firmware(), "absent: the description is silent (VirtualBox means BIOS)");
  }

  @Test
  void savedStateAndSharedFoldersAreListed() throws Exception {
    String vbox = VmFixtures.text("vbox/virtualbox7.vbox")
        .replace("snapshotFolder=\"Snapshots\"", "snapshotFolder=\"Snapshots\" stateFile=\"Snapshots/2024-04-18.sav\"")
        .replace("<Clipboard/>", "<SharedFolders><SharedFolder name=\"src\" hostPath=\"C:\\src\" writable=\"true\"/>"
            + "</SharedFolders><Clipboard/>");
    List<String> not = VboxReader.read(win11(vbox)).notCarriedOver();
    assertEquals(true, not.contains("saved state Snapshots/2024-04-18.sav (the VM was suspended: it starts as after a"
        + " power loss)"), not::toString);
    assertEquals(true, not.contains("shared folder 'src'"), not::toString);
  }
}
