package dev.vmpackager.vm.ovf;

import static dev.vmpackager.vm.VmFixtures.refused;
import static dev.vmpackager.vm.VmFixtures.sha256;
import static dev.vmpackager.vm.VmFixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.vm.DescribedDisk;
import dev.vmpackager.vm.DescribedNic;
import dev.vmpackager.vm.DescriptionFormat;
import dev.vmpackager.vm.DiskController;
import dev.vmpackager.vm.NicModel;
import dev.vmpackager.vm.VmDescription;
import dev.vmpackager.vm.VmFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * OVFs as VMware (ovftool/vSphere export) and VirtualBox 7 write them, in an OVA and loose with a
 * manifest, read into the VM model: hardware, disks in boot order on their controllers, NICs with
 * their MACs, deployment options, and what cannot be carried over.
 */
@Timeout(60)
class OvfReaderTest {

  @TempDir static Path shared;
  static byte[] disk;

  @TempDir Path dir;

  @BeforeAll
  static void disk() throws Exception {
    disk = Files.readAllBytes(VmFixtures.vmdk(shared.resolve("tiny.vmdk")));
  }

  /** The VMware export with its placeholders filled, the data disk listed first in References and DiskSection. */
  static String vmwareOvf() throws Exception {
    return VmFixtures.text("ovf/vmware-two-disks-efi.ovf").replace("@SIZE1@", String.valueOf(disk.length))
        .replace("@SIZE2@", String.valueOf(disk.length));
  }

  /** An OVA as ovftool writes it: descriptor, manifest, disks, NVRAM. */
  Path vmwareOva(String ovf) throws Exception {
    byte[] descriptor = utf8(ovf);
    byte[] nvram = new byte[8684];
    String mf = "SHA256(appvm.ovf)= " + sha256(descriptor) + "\n"
        + "SHA256(appvm-2.vmdk)= " + sha256(disk) + "\n"
        + "SHA256(appvm-1.vmdk)= " + sha256(disk) + "\n"
        + "SHA256(appvm-3.nvram)= " + sha256(nvram) + "\n";
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("appvm.ovf", descriptor);
    entries.put("appvm.mf", utf8(mf));
    entries.put("appvm-2.vmdk", disk);
    entries.put("appvm-1.vmdk", disk);
    entries.put("appvm-3.nvram", nvram);
    return VmFixtures.ova(dir.resolve("appvm.ova"), entries);
  }

  @Test
  void vmwareOvaWithEfiTwoVcpusAndTwoDisksOnLsiSas() throws Exception {
    Path ova = vmwareOva(vmwareOvf());
    VmDescription vm = OvfReader.read(ova, Optional.empty());

    assertEquals(DescriptionFormat.OVA, vm.format());
    assertEquals(ova, vm.file());
    assertEquals(Optional.of("appvm"), vm.name());
    assertEquals(OptionalInt.of(1), vm.cpuSockets());
    assertEquals(OptionalInt.of(2), vm.cpuCores());
    assertEquals(OptionalInt.of(1), vm.cpuThreads());
    assertEquals(OptionalLong.of(4096L << 20), vm.memoryBytes());
    assertEquals(Optional.of("efi"), vm.firmware());
    assertEquals(Optional.of(false), vm.secureBoot());
    assertEquals(Optional.empty(), vm.machineType());
    assertEquals(Optional.of("debian11_64Guest"), vm.guestOs());
    // The DiskSection and References list the data disk (vmdisk2) first; the OS disk is SCSI 0:0.
    assertEquals(List.of(
        new DescribedDisk("vmdisk1", "appvm-1.vmdk", DiskController.LSILOGIC_SAS, OptionalLong.of(1L << 20),
            "VirtualHardwareSection/Item[InstanceID=9]"),
        new DescribedDisk("vmdisk2", "appvm-2.vmdk", DiskController.LSILOGIC_SAS, OptionalLong.of(2L << 20),
            "VirtualHardwareSection/Item[InstanceID=10]")), vm.disks());
    assertEquals(List.of(new DescribedNic(NicModel.VMXNET3, Optional.of("00:50:56:8e:2a:41"),
        Optional.of("VM Network"), "VirtualHardwareSection/Item[InstanceID=11]")), vm.nics());
    assertEquals(List.of("VMware VMCI device 'VMCI device' (vmware.vmci)",
        "CD-ROM drive 'CD/DVD drive 1' (vmware.cdrom.remotepassthrough) (empty)",
        "EFI NVRAM appvm-3.nvram (KubeVirt starts with empty EFI variables: the guest must boot from"
            + " \\EFI\\BOOT\\BOOTX64.EFI)"), vm.notCarriedOver());
  }

  @Test
  void bootDiskFollowsControllerAndUnitWhateverTheItemOrder() throws Exception {
    // The data disk's item first in the document too, and on unit 0 of a second SCSI controller:
    // the OS disk on bus 0 unit 0 still boots.
    String ovf = vmwareOvf();
    String disk1 = ovf.substring(ovf.indexOf("      <Item>\n        <rasd:AddressOnParent>0</rasd:AddressOnParent>\n"
        + "        <rasd:ElementName>Hard disk 1"), ovf.indexOf("      <Item>\n        <rasd:AddressOnParent>1"));
    ovf = ovf.replace(disk1, "");
    ovf = ovf.replace("      <Item>\n        <rasd:Address>00:50:56", disk1 + "      <Item>\n        <rasd:Address>00:50:56");
    ovf = ovf.replace("<rasd:AddressOnParent>1</rasd:AddressOnParent>", "<rasd:AddressOnParent>0</rasd:AddressOnParent>")
        .replace("<rasd:HostResource>ovf:/disk/vmdisk2</rasd:HostResource>\n        <rasd:InstanceID>10</rasd:InstanceID>\n"
            + "        <rasd:Parent>3</rasd:Parent>", "<rasd:HostResource>ovf:/disk/vmdisk2</rasd:HostResource>\n"
            + "        <rasd:InstanceID>10</rasd:InstanceID>\n        <rasd:Parent>12</rasd:Parent>")
        .replace("      <Item>\n        <rasd:Address>1</rasd:Address>", "      <Item>\n        <rasd:Address>1</rasd:Address>\n"
            + "        <rasd:ElementName>SCSI Controller 1</rasd:ElementName>\n        <rasd:InstanceID>12</rasd:InstanceID>\n"
            + "        <rasd:ResourceSubType>VirtualSCSI</rasd:ResourceSubType>\n        <rasd:ResourceType>6</rasd:ResourceType>\n"
            + "      </Item>\n      <Item>\n        <rasd:Address>1</rasd:Address>");
    assertTrue(ovf.indexOf("ovf:/disk/vmdisk2") < ovf.indexOf("ovf:/disk/vmdisk1"), "fixture edit failed");
    VmDescription vm = OvfReader.read(vmwareOva(ovf), Optional.empty());
    assertEquals(List.of("appvm-1.vmdk", "appvm-2.vmdk"), vm.disks().stream().map(DescribedDisk::file).toList());
    assertEquals(List.of(DiskController.LSILOGIC_SAS, DiskController.PVSCSI),
        vm.disks().stream().map(DescribedDisk::controller).toList());
  }

  @Test
  void vmwareHddOrderPicksTheBootDisk() throws Exception {
    String ovf = vmwareOvf().replace("      <vmw:ExtraConfig ovf:required=\"false\" vmw:key=\"svga.autodetect\"",
        "      <vmw:ExtraConfig ovf:required=\"false\" vmw:key=\"bios.hddOrder\" vmw:value=\"scsi0:1,scsi0:0\"/>\n"
            + "      <vmw:ExtraConfig ovf:required=\"false\" vmw:key=\"svga.autodetect\"");
    VmDescription vm = OvfReader.read(vmwareOva(ovf), Optional.empty());
    assertEquals(List.of("vmdisk2", "vmdisk1"), vm.disks().stream().map(DescribedDisk::name).toList());
  }

  @Test
  void ideDiskBootsBeforeScsiDisk() throws Exception {
    // A disk on IDE 0 master and one on SCSI 0:0: VMware's and VirtualBox's BIOS try IDE first.
    String ovf = vmwareOvf().replace("<rasd:HostResource>ovf:/disk/vmdisk2</rasd:HostResource>\n"
        + "        <rasd:InstanceID>10</rasd:InstanceID>\n        <rasd:Parent>3</rasd:Parent>",
        "<rasd:HostResource>ovf:/disk/vmdisk2</rasd:HostResource>\n        <rasd:InstanceID>10</rasd:InstanceID>\n"
            + "        <rasd:Parent>5</rasd:Parent>");
    VmDescription vm = OvfReader.read(vmwareOva(ovf), Optional.empty());
    assertEquals(List.of("vmdisk2", "vmdisk1"), vm.disks().stream().map(DescribedDisk::name).toList());
    assertEquals(DiskController.IDE, vm.disks().get(0).controller());
  }

  /** A loose VirtualBox 7 export: the .ovf, its .mf (SHA256, as "Write Manifest file" does) and the disks. */
  Path virtualBoxExport() throws Exception {
    byte[] ovf = utf8(VmFixtures.text("ovf/virtualbox7-export.ovf"));
    Path file = Files.write(dir.resolve("debian12.ovf"), ovf);
    Files.write(dir.resolve("debian12-disk001.vmdk"), disk);
    Files.write(dir.resolve("debian12-disk002.vmdk"), disk);
    Files.writeString(dir.resolve("debian12.mf"), "SHA256 (debian12.ovf) = " + sha256(ovf) + "\n"
        + "SHA256 (debian12-disk001.vmdk) = " + sha256(disk) + "\n"
        + "SHA256 (debian12-disk002.vmdk) = " + sha256(disk) + "\n");
    return file;
  }

  @Test
  void virtualBoxExportLooseWithManifest() throws Exception {
    Path ovf = virtualBoxExport();
    VmDescription vm = OvfReader.read(ovf, Optional.empty());

    assertEquals(DescriptionFormat.OVF, vm.format());
    assertEquals(Optional.of("debian12"), vm.name());
    assertEquals(OptionalInt.of(2), vm.cpuSockets());
    assertEquals(OptionalInt.of(1), vm.cpuCores());
    assertEquals(OptionalLong.of(2048L << 20), vm.memoryBytes());
    assertEquals(Optional.of("efi"), vm.firmware(), "from vbox:Machine/Hardware/Firmware");
    assertEquals(Optional.empty(), vm.secureBoot());
    assertEquals(Optional.of("q35"), vm.machineType(), "ICH9");
    assertEquals(Optional.of("Debian12_64"), vm.guestOs());
    assertEquals(List.of(
        new DescribedDisk("vmdisk1", "debian12-disk001.vmdk", DiskController.SATA, OptionalLong.of(1048576),
            "VirtualHardwareSection/Item[InstanceID=8]"),
        new DescribedDisk("vmdisk2", "debian12-disk002.vmdk", DiskController.SATA, OptionalLong.of(2097152),
            "VirtualHardwareSection/Item[InstanceID=9]")), vm.disks());
    // The item has no Address: the MAC comes from the vbox:Machine adapter.
    assertEquals(List.of(new DescribedNic(NicModel.E1000, Optional.of("08:00:27:8a:c7:d2"), Optional.of("NAT"),
        "VirtualHardwareSection/Item[InstanceID=11]")), vm.nics());
    assertEquals(List.of("USB controller 'usb'", "sound card 'sound' (ensoniq1371)", "CD-ROM drive 'cdrom1' (empty)"),
        vm.notCarriedOver());

    assertTrue(OvfReader.verifyAgainstManifest(ovf, "debian12-disk002.vmdk"));
    assertFalse(OvfReader.verifyAgainstManifest(ovf, "other.vmdk"));
  }

  @Test
  void manifestMismatchOfTheDescriptorIsRefused() throws Exception {
    Path ovf = virtualBoxExport();
    Files.writeString(ovf, Files.readString(ovf).replace("<rasd:VirtualQuantity>2048<", "<rasd:VirtualQuantity>4096<"));
    refused(() -> OvfReader.read(ovf, Optional.empty()), ovf.toString(), "manifest debian12.mf", "debian12.ovf",
        "does not match the manifest");
  }

  @Test
  void manifestMismatchOfADiskIsFoundOnRequest() throws Exception {
    Path ovf = virtualBoxExport();
    Files.write(dir.resolve("debian12-disk002.vmdk"), new byte[] {1, 2, 3});
    OvfReader.read(ovf, Optional.empty()); // the reader does not hash disks
    refused(() -> OvfReader.verifyAgainstManifest(ovf, "debian12-disk002.vmdk"), "debian12-disk002.vmdk",
        "does not match the manifest");
  }

  @Test
  void looseOvfWithoutManifest() throws Exception {
    Path ovf = virtualBoxExport();
    Files.delete(dir.resolve("debian12.mf"));
    assertEquals(2, OvfReader.read(ovf, Optional.empty()).disks().size());
    assertFalse(OvfReader.verifyAgainstManifest(ovf, "debian12-disk001.vmdk"));
  }

  @Test
  void looseOvfFindsDisksByNameWhateverPathItRecords() throws Exception {
    Path ovf = virtualBoxExport();
    Files.delete(dir.resolve("debian12.mf"));
    Files.writeString(ovf, Files.readString(ovf).replace("ovf:href=\"debian12-disk001.vmdk\"",
        "ovf:href=\"C:\\Users\\me\\VirtualBox VMs\\debian12\\debian12-disk001.vmdk\"")
        .replace("ovf:href=\"debian12-disk002.vmdk\"", "ovf:href=\"../../elsewhere/debian12-disk002.vmdk\""));
    assertEquals(List.of("debian12-disk001.vmdk", "debian12-disk002.vmdk"),
        OvfReader.read(ovf, Optional.empty()).disks().stream().map(DescribedDisk::file).toList());
  }

  @Test
  void virtualBox71ExportInOvf2WithStorageAndEthernetPortItems() throws Exception {
    Path ovf = Files.writeString(dir.resolve("ubuntu24.ovf"), VmFixtures.text("ovf/virtualbox71-export-ovf2.ovf"));
    Files.write(dir.resolve("ubuntu24-disk001.vmdk"), disk);
    VmDescription vm = OvfReader.read(ovf, Optional.empty());
    assertEquals(OptionalInt.of(4), vm.cpuSockets());
    assertEquals(OptionalLong.of(8192L << 20), vm.memoryBytes());
    assertEquals(Optional.of("efi"), vm.firmware());
    assertEquals(Optional.of("i440fx"), vm.machineType(), "PIIX3 in vbox:Machine/Platform");
    assertEquals(List.of(new DescribedDisk("vmdisk1", "ubuntu24-disk001.vmdk", DiskController.SATA,
        OptionalLong.of(1048576), "VirtualHardwareSection/StorageItem[InstanceID=4]")), vm.disks());
    assertEquals(List.of(new DescribedNic(NicModel.VIRTIO, Optional.of("08:00:27:d4:1e:5b"), Optional.of("NAT"),
        "VirtualHardwareSection/EthernetPortItem[InstanceID=5]")), vm.nics());
    assertEquals(List.of(), vm.notCarriedOver());
  }

  /** The deployment-options fixture as an OVA. */
  Path appliance() throws Exception {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("appliance.ovf", utf8(VmFixtures.text("ovf/deployment-options.ovf")));
    entries.put("appliance-system.vmdk", disk);
    entries.put("appliance-logs.vmdk", disk);
    return VmFixtures.ova(dir.resolve("appliance.ova"), entries);
  }

  @Test
  void deploymentOptionsUseTheDefaultConfiguration() throws Exception {
    VmDescription vm = OvfReader.read(appliance(), Optional.empty());
    assertEquals(OptionalInt.of(2), vm.cpuSockets());
    assertEquals(OptionalInt.of(2), vm.cpuCores());
    assertEquals(OptionalLong.of(8192L << 20), vm.memoryBytes());
    assertEquals(Optional.of(true), vm.secureBoot());
    assertEquals(List.of("system"), vm.disks().stream().map(DescribedDisk::name).toList());
    assertEquals(DiskController.PVSCSI, vm.disks().get(0).controller());
    assertEquals(List.of("disk logs (appliance-logs.vmdk): in the DiskSection but attached to no controller in"
        + " configuration 'small'"), vm.notCarriedOver());
    assertEquals(NicModel.E1000E, vm.nics().get(0).model());
    assertEquals(Optional.empty(), vm.nics().get(0).macAddress());
  }

  @Test
  void deploymentOptionsUseTheConfigurationAskedFor() throws Exception {
    VmDescription vm = OvfReader.read(appliance(), Optional.of("large"));
    assertEquals(OptionalInt.of(2), vm.cpuSockets());
    assertEquals(OptionalInt.of(8), vm.cpuCores());
    assertEquals(OptionalLong.of(32L << 30), vm.memoryBytes());
    assertEquals(List.of("system", "logs"), vm.disks().stream().map(DescribedDisk::name).toList());
    assertEquals(List.of(), vm.notCarriedOver());

    VmDescription tiny = OvfReader.read(appliance(), Optional.of("tiny"));
    assertEquals(OptionalInt.of(2), tiny.cpuSockets());
    assertEquals(OptionalInt.of(1), tiny.cpuCores());
    assertEquals(OptionalLong.of(2048L << 20), tiny.memoryBytes());
  }

  @Test
  void unknownConfigurationIsRefusedListingTheKnownOnes() throws Exception {
    Path ova = appliance();
    refused(() -> OvfReader.read(ova, Optional.of("huge")), ova.toString(), "DeploymentOptionSection", "'huge'",
        "[tiny, small (default), large]");
  }

  @Test
  void configurationAskedOfAnOvfWithoutOptionsIsRefused() throws Exception {
    Path ova = vmwareOva(vmwareOvf());
    refused(() -> OvfReader.read(ova, Optional.of("small")), ova.toString(), "DeploymentOptionSection",
        "no deployment options", "'small'");
  }

  @Test
  void withoutDefaultTheFirstConfigurationIsUsed() throws Exception {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("appliance.ovf", utf8(VmFixtures.text("ovf/deployment-options.ovf")
        .replace("ovf:default=\"true\" ", "")));
    entries.put("appliance-system.vmdk", disk);
    VmDescription vm = OvfReader.read(VmFixtures.ova(dir.resolve("a.ova"), entries), Optional.empty());
    assertEquals(OptionalLong.of(2048L << 20), vm.memoryBytes(), "tiny, the first");
  }

  @Test
  void subTypesAreComparedCaseInsensitivelyAndInVsphereApiSpelling() throws Exception {
    for (String[] c : new String[][] {{"VirtualLsiLogicSAS", "LSILOGIC_SAS"}, {"LSILOGIC", "LSILOGIC"},
        {"BusLogic", "BUSLOGIC"}, {"VirtualSCSI", "PVSCSI"}, {"ParaVirtualSCSIController", "PVSCSI"},
        {"VirtioSCSI", "VIRTIO_SCSI"}, {"", "UNKNOWN"}}) {
      String ovf = vmwareOvf().replace("<rasd:ResourceSubType>lsilogicsas</rasd:ResourceSubType>",
          "<rasd:ResourceSubType>" + c[0] + "</rasd:ResourceSubType>");
      assertEquals(DiskController.valueOf(c[1]), OvfReader.read(vmwareOva(ovf), Optional.empty()).disks().get(0)
          .controller(), c[0]);
    }
    for (String[] c : new String[][] {{"vmxnet3", "VMXNET3"}, {"VirtualVmxnet3", "VMXNET3"}, {"E1000E", "E1000E"},
        {"e1000", "E1000"}, {"PCNet32", "PCNET"}, {"vmxnet2", "VMXNET"}, {"virtio", "VIRTIO"}, {"", "UNKNOWN"}}) {
      String ovf = vmwareOvf().replace("<rasd:ResourceSubType>VmxNet3</rasd:ResourceSubType>",
          "<rasd:ResourceSubType>" + c[0] + "</rasd:ResourceSubType>");
      assertEquals(NicModel.valueOf(c[1]), OvfReader.read(vmwareOva(ovf), Optional.empty()).nics().get(0).model(),
          c[0]);
    }
  }

  @Test
  void vmwareKeysInTheOvfNamespaceAndAsExtraConfig() throws Exception {
    // Some writers put key and value in the ovf: namespace, or Secure Boot in ExtraConfig (legacy key).
    String ovf = vmwareOvf().replace("vmw:key=\"firmware\" vmw:value=\"efi\"", "ovf:key=\"firmware\" ovf:value=\"EFI\"")
        .replace("      <vmw:Config ovf:required=\"false\" vmw:key=\"bootOptions.efiSecureBootEnabled\" vmw:value=\"false\"/>\n", "")
        .replace("<vmw:ExtraConfig ovf:required=\"false\" vmw:key=\"svga.autodetect\" vmw:value=\"TRUE\"/>",
            "<vmw:ExtraConfig ovf:required=\"false\" vmw:key=\"uefi.secureBoot.enabled\" vmw:value=\"TRUE\"/>");
    VmDescription vm = OvfReader.read(vmwareOva(ovf), Optional.empty());
    assertEquals(Optional.of("efi"), vm.firmware());
    assertEquals(Optional.of(true), vm.secureBoot());
  }

  @Test
  void ovaDetectedByContentWhateverItsName() throws Exception {
    Path ova = vmwareOva(vmwareOvf());
    Path renamed = Files.move(ova, dir.resolve("appvm.tar"));
    assertEquals(DescriptionFormat.OVA, OvfReader.read(renamed, Optional.empty()).format());
  }
}
