package dev.vmpackager.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * VM folders as hypervisors leave them: the disk (made by qemu-img from a raw source) among the
 * description, NVRAM, snapshot metadata and logs the hypervisor writes beside it. The text files
 * follow what VMware Workstation 17, VirtualBox 7, virt-manager and vSphere exports write; binary
 * ones (NVRAM, firmware variables) are random bytes of their usual size.
 */
public final class VmFolders {

  private VmFolders() {}

  /**
   * A VMware Workstation VM: {@code <vm>.vmx}, {@code .nvram}, {@code .vmsd}, {@code .vmxf},
   * {@code vmware.log} and rotated logs, a {@code .vmx.lck} lock folder, and the disk
   * {@code disk.vmdk} as Workstation splits it by default (twoGbMaxExtentSparse:
   * {@code disk-s001.vmdk}, ...).
   *
   * @param dir the VM's folder (created)
   * @param vm the VM's name
   * @param raw the disk's content
   * @return the disk's descriptor
   */
  public static Path vmwareWorkstation(Path dir, String vm, Path raw) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path disk = dir.resolve("disk.vmdk");
    QemuImg.convert(raw, disk, "vmdk", "-o", "subformat=twoGbMaxExtentSparse,adapter_type=lsilogic");
    Files.writeString(dir.resolve(vm + ".vmx"), vmx(vm, "disk.vmdk"));
    Files.write(dir.resolve(vm + ".nvram"), nvram(8684, 1));
    Files.writeString(dir.resolve(vm + ".vmsd"), ".encoding = \"UTF-8\"\n");
    Files.writeString(dir.resolve(vm + ".vmxf"), "<?xml version=\"1.0\"?>\n<Foundry>\n<VM>\n"
        + "<VMId type=\"string\">52 3b 6f 21 9d 0c 7e 44-a1 58 0e 92 c4 3d 17 6b</VMId>\n<ClientMetaData>\n"
        + "<clientMetaDataAttributes/>\n<HistoryEventList/></ClientMetaData>\n"
        + "<vmxPathName type=\"string\">" + vm + ".vmx</vmxPathName></VM></Foundry>\n");
    String log = "2024-05-14T09:12:01.123Z In(05) vmx Log for VMware Workstation pid=48211 version=17.5.1"
        + " build=build-23298084 option=Release\n"
        + "2024-05-14T09:12:01.123Z In(05) vmx The host is x86_64.\n"
        + "2024-05-14T09:12:01.124Z In(05) vmx DISK: OPEN scsi0:0 '" + dir.resolve("disk.vmdk")
        + "' persistent R[]\n";
    Files.writeString(dir.resolve("vmware.log"), log);
    Files.writeString(dir.resolve("vmware-0.log"), log);
    Path lock = Files.createDirectories(dir.resolve(vm + ".vmx.lck"));
    Files.writeString(lock.resolve("M22394.lck"), "");
    return disk;
  }

  /** A Workstation 17 {@code .vmx} attaching {@code disk} on SCSI 0:0 and an ISO on SATA 0:1. */
  public static String vmx(String vm, String disk) {
    return ".encoding = \"UTF-8\"\n"
        + "config.version = \"8\"\n"
        + "virtualHW.version = \"21\"\n"
        + "pciBridge0.present = \"TRUE\"\n"
        + "pciBridge4.present = \"TRUE\"\n"
        + "pciBridge4.virtualDev = \"pcieRootPort\"\n"
        + "pciBridge4.functions = \"8\"\n"
        + "vmci0.present = \"TRUE\"\n"
        + "hpet0.present = \"TRUE\"\n"
        + "nvram = \"" + vm + ".nvram\"\n"
        + "virtualHW.productCompatibility = \"hosted\"\n"
        + "powerType.powerOff = \"soft\"\n"
        + "powerType.powerOn = \"soft\"\n"
        + "powerType.suspend = \"soft\"\n"
        + "powerType.reset = \"soft\"\n"
        + "displayName = \"" + vm + "\"\n"
        + "guestOS = \"ubuntu-64\"\n"
        + "tools.syncTime = \"FALSE\"\n"
        + "numvcpus = \"2\"\n"
        + "cpuid.coresPerSocket = \"2\"\n"
        + "memsize = \"2048\"\n"
        + "scsi0.virtualDev = \"lsilogic\"\n"
        + "scsi0.present = \"TRUE\"\n"
        + "scsi0:0.fileName = \"" + disk + "\"\n"
        + "scsi0:0.present = \"TRUE\"\n"
        + "sata0.present = \"TRUE\"\n"
        + "sata0:1.deviceType = \"cdrom-image\"\n"
        + "sata0:1.fileName = \"/home/user/Downloads/ubuntu-22.04.4-live-server-amd64.iso\"\n"
        + "sata0:1.present = \"TRUE\"\n"
        + "usb.present = \"TRUE\"\n"
        + "ehci.present = \"TRUE\"\n"
        + "ethernet0.connectionType = \"nat\"\n"
        + "ethernet0.addressType = \"generated\"\n"
        + "ethernet0.virtualDev = \"e1000\"\n"
        + "ethernet0.present = \"TRUE\"\n"
        + "extendedConfigFile = \"" + vm + ".vmxf\"\n"
        + "floppy0.present = \"FALSE\"\n"
        + "uuid.bios = \"56 4d 2a 6e 0f 61 8b 3c-9e 1a 54 6f 2b 89 c0 1d\"\n"
        + "uuid.location = \"56 4d 2a 6e 0f 61 8b 3c-9e 1a 54 6f 2b 89 c0 1d\"\n"
        + "scsi0:0.redo = \"\"\n"
        + "pciBridge0.pciSlotNumber = \"17\"\n"
        + "scsi0.pciSlotNumber = \"16\"\n"
        + "ethernet0.pciSlotNumber = \"33\"\n"
        + "ethernet0.generatedAddress = \"00:0c:29:89:c0:1d\"\n"
        + "ethernet0.generatedAddressOffset = \"0\"\n"
        + "vmotion.checkpointFBSize = \"4194304\"\n"
        + "cleanShutdown = \"TRUE\"\n"
        + "softPowerOff = \"TRUE\"\n";
  }

  /**
   * A VirtualBox 7 VM: {@code <vm>.vbox}, {@code <vm>.vbox-prev}, {@code <vm>.nvram} (EFI
   * variables), {@code Logs/VBox.log*} and the disk {@code <vm>.vdi}.
   *
   * @return the disk
   */
  public static Path virtualBox(Path dir, String vm, Path raw) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path disk = dir.resolve(vm + ".vdi");
    QemuImg.convert(raw, disk, "vdi");
    String vbox = "<?xml version=\"1.0\"?>\n<!--\n** DO NOT EDIT THIS FILE.\n"
        + "** If you make changes to this file while any VirtualBox related application\n"
        + "** is running, your changes will be overwritten later, without taking effect.\n"
        + "** Use VBoxManage or the VirtualBox Manager GUI to make changes.\n**\n"
        + "** Written by VirtualBox 7.0.14 (C) 2004-2024 Oracle and/or its affiliates\n-->\n"
        + "<VirtualBox xmlns=\"http://www.virtualbox.org/\" version=\"1.19-linux\">\n"
        + "  <Machine uuid=\"{6f1c0b9e-3d2a-4e55-9a57-2c3b8d0e7f41}\" name=\"" + vm + "\" OSType=\"Ubuntu_64\""
        + " snapshotFolder=\"Snapshots\" lastStateChange=\"2024-05-14T09:00:00Z\">\n"
        + "    <MediaRegistry>\n      <HardDisks>\n"
        + "        <HardDisk uuid=\"{0d2f5b1a-77c4-4a8e-b1f6-5e9c3a2d8b70}\" location=\"" + vm + ".vdi\""
        + " format=\"VDI\" type=\"Normal\"/>\n"
        + "      </HardDisks>\n    </MediaRegistry>\n"
        + "    <Hardware>\n      <CPU count=\"2\"/>\n      <Memory RAMSize=\"2048\"/>\n"
        + "      <Firmware type=\"EFI\"/>\n"
        + "      <Boot>\n        <Order position=\"1\" device=\"HardDisk\"/>\n      </Boot>\n"
        + "      <Network>\n        <Adapter slot=\"0\" enabled=\"true\" MACAddress=\"080027C08E7C\" type=\"82540EM\">\n"
        + "          <NAT localhost-reachable=\"true\"/>\n        </Adapter>\n      </Network>\n"
        + "    </Hardware>\n"
        + "    <StorageControllers>\n"
        + "      <StorageController name=\"SATA\" type=\"AHCI\" PortCount=\"1\" useHostIOCache=\"false\""
        + " Bootable=\"true\" IDE0MasterEmulationPort=\"0\">\n"
        + "        <AttachedDevice type=\"HardDisk\" hotpluggable=\"false\" port=\"0\" device=\"0\">\n"
        + "          <Image uuid=\"{0d2f5b1a-77c4-4a8e-b1f6-5e9c3a2d8b70}\"/>\n"
        + "        </AttachedDevice>\n      </StorageController>\n    </StorageControllers>\n"
        + "  </Machine>\n</VirtualBox>\n";
    Files.writeString(dir.resolve(vm + ".vbox"), vbox);
    Files.writeString(dir.resolve(vm + ".vbox-prev"), vbox);
    Files.write(dir.resolve(vm + ".nvram"), nvram(540672, 2));
    Path logs = Files.createDirectories(dir.resolve("Logs"));
    Files.writeString(logs.resolve("VBox.log"), "00:00:00.000000 VirtualBox VM 7.0.14 r161095 linux.amd64\n");
    Files.writeString(logs.resolve("VBox.log.1"), "00:00:00.000000 VirtualBox VM 7.0.14 r161095 linux.amd64\n");
    return disk;
  }

  /**
   * A virt-manager VM copied off its host: the domain ({@code virsh dumpxml}) as {@code <vm>.xml},
   * its UEFI variables {@code <vm>_VARS.fd} and the disk {@code <vm>.qcow2}.
   *
   * @return the disk
   */
  public static Path virtManager(Path dir, String vm, Path raw) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path disk = dir.resolve(vm + ".qcow2");
    QemuImg.convert(raw, disk, "qcow2");
    Files.writeString(dir.resolve(vm + ".xml"), "<domain type=\"kvm\">\n  <name>" + vm + "</name>\n"
        + "  <uuid>8c1a3f52-5b6e-4d7a-9f20-3e4b5c6d7e8f</uuid>\n"
        + "  <memory unit=\"KiB\">2097152</memory>\n  <vcpu placement=\"static\">2</vcpu>\n"
        + "  <os firmware=\"efi\">\n    <type arch=\"x86_64\" machine=\"pc-q35-7.2\">hvm</type>\n"
        + "    <nvram>/var/lib/libvirt/qemu/nvram/" + vm + "_VARS.fd</nvram>\n  </os>\n"
        + "  <devices>\n    <disk type=\"file\" device=\"disk\">\n"
        + "      <driver name=\"qemu\" type=\"qcow2\" discard=\"unmap\"/>\n"
        + "      <source file=\"/var/lib/libvirt/images/" + vm + ".qcow2\"/>\n"
        + "      <target dev=\"vda\" bus=\"virtio\"/>\n    </disk>\n"
        + "    <interface type=\"network\">\n      <mac address=\"52:54:00:6b:3c:58\"/>\n"
        + "      <source network=\"default\"/>\n      <model type=\"virtio\"/>\n    </interface>\n"
        + "  </devices>\n</domain>\n");
    Files.write(dir.resolve(vm + "_VARS.fd"), nvram(540672, 3));
    return disk;
  }

  /**
   * A vSphere OVF export: {@code <vm>.ovf}, {@code <vm>.mf}, {@code <vm>-file1.nvram} and the disk
   * {@code <vm>-disk1.vmdk} (streamOptimized).
   *
   * @return the disk
   */
  public static Path ovfExport(Path dir, String vm, Path raw) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path disk = dir.resolve(vm + "-disk1.vmdk");
    QemuImg.convert(raw, disk, "vmdk", "-o", "subformat=streamOptimized");
    long capacity = Files.size(raw);
    Files.writeString(dir.resolve(vm + ".ovf"), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<Envelope vmw:buildId=\"build-21495797\" xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\""
        + " xmlns:ovf=\"http://schemas.dmtf.org/ovf/envelope/1\" xmlns:vmw=\"http://www.vmware.com/schema/ovf\">\n"
        + "  <References>\n"
        + "    <File ovf:href=\"" + vm + "-disk1.vmdk\" ovf:id=\"file1\" ovf:size=\"" + Files.size(disk) + "\"/>\n"
        + "    <File ovf:href=\"" + vm + "-file1.nvram\" ovf:id=\"file2\" ovf:size=\"8684\"/>\n"
        + "  </References>\n"
        + "  <DiskSection>\n    <Info>Virtual disk information</Info>\n"
        + "    <Disk ovf:capacity=\"" + capacity + "\" ovf:capacityAllocationUnits=\"byte\" ovf:diskId=\"vmdisk1\""
        + " ovf:fileRef=\"file1\" ovf:format=\"http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized\"/>\n"
        + "  </DiskSection>\n"
        + "  <VirtualSystem ovf:id=\"" + vm + "\">\n    <Info>A virtual machine</Info>\n    <Name>" + vm + "</Name>\n"
        + "  </VirtualSystem>\n</Envelope>\n");
    Files.writeString(dir.resolve(vm + ".mf"), "SHA256(" + vm + "-disk1.vmdk)= 0\nSHA256(" + vm + ".ovf)= 0\n");
    Files.write(dir.resolve(vm + "-file1.nvram"), nvram(8684, 4));
    return disk;
  }

  /** Binary NVRAM of {@code size} bytes: VMware's start with the {@code MRVN} magic. */
  private static byte[] nvram(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    byte[] magic = "MRVN".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(magic, 0, b, 0, magic.length);
    return b;
  }
}
