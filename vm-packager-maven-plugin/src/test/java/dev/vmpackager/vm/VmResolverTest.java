package dev.vmpackager.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.testing.QemuImg;
import dev.vmpackager.vm.PomVm.PomDisk;
import dev.vmpackager.vm.PomVm.PomNic;
import dev.vmpackager.vm.Setting.From;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resolved VM: POM over description over defaults, the description's disks and NICs mapped to
 * KubeVirt devices, names of disks, files and images, and every contradiction an error naming
 * its parameter.
 */
@Timeout(60)
class VmResolverTest {

  @TempDir Path project;

  private VmResolver resolver() {
    return new VmResolver(project, "app", "1.0.0");
  }

  private Path vmFolder() throws IOException {
    return Files.createDirectories(project.resolve("src/main/vm"));
  }

  /** Copies a description fixture into src/main/vm beside empty disk files of the given names. */
  private Path fixture(String resource, String... disks) throws IOException {
    Path file = vmFolder().resolve(Path.of(resource).getFileName().toString());
    try (InputStream in = getClass().getResourceAsStream("/vm/" + resource)) {
      Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    for (String d : disks) {
      Files.write(file.resolveSibling(d), new byte[512]);
    }
    return file;
  }

  private VmDescription libvirtQ35() throws IOException {
    return VmDescriptions.read(fixture("libvirt/virt-manager-q35-uefi.xml", "debian12-app.qcow2",
        "debian12-app-data.qcow2"), Optional.empty());
  }

  private VmDescription esxi() throws IOException {
    return VmDescriptions.read(fixture("vmx/esxi8-pvscsi-vmxnet3.vmx", "web01.vmdk", "web01_1.vmdk"),
        Optional.empty());
  }

  private Path file(String relative) throws IOException {
    Path f = project.resolve(relative);
    Files.createDirectories(f.getParent());
    Files.write(f, new byte[512]);
    return f;
  }

  private Vm resolve(PomVm pom, VmDescription d) throws Exception {
    return resolver().resolve(pom, Optional.ofNullable(d));
  }

  private static PomVm.Builder pom() {
    return PomVm.builder();
  }

  private static VmConfigException refused(Executable e, String parameter, String... parts) {
    VmConfigException x = assertThrows(VmConfigException.class, e);
    assertEquals(parameter, x.parameter(), x.getMessage());
    for (String p : parts) {
      assertTrue(x.getMessage().contains(p), () -> "message lacks \"" + p + "\": " + x.getMessage());
    }
    return x;
  }

  // ---- precedence --------------------------------------------------------------------------------

  @Test
  void withoutDescriptionOrPomTheDefaultsAndTheDiskInSrcMainVm() throws Exception {
    QemuImg.ok("create", "-q", "-f", "qcow2", vmFolder().resolve("app.qcow2"), "1M");
    Vm vm = resolve(pom().build(), null);

    assertEquals(Setting.byDefault("app", "default: the artifactId"), vm.name());
    assertEquals(Setting.byDefault("1Gi", "default"), vm.memory());
    assertEquals(Setting.byDefault(1, "default"), vm.cpuSockets());
    assertEquals(Setting.byDefault(1, "default"), vm.cpuCores());
    assertEquals(Setting.byDefault(1, "default"), vm.cpuThreads());
    assertEquals(Setting.byDefault("bios", "default"), vm.firmware());
    assertEquals(false, vm.secureBoot().value());
    assertEquals(Setting.byDefault("", "KubeVirt's default"), vm.machineType());
    assertEquals(DevicePolicy.COMPATIBLE, vm.devices().value());
    assertEquals("qcow2", vm.format());
    assertEquals(Optional.empty(), vm.descriptionFile());

    VmDisk disk = vm.bootDisk();
    assertEquals(1, vm.disks().size());
    assertEquals("app", disk.name(), "a one-disk VM's disk is named after the VM");
    assertEquals(DiskSource.of(project.resolve("src/main/vm/app.qcow2")), disk.source());
    assertEquals("app.qcow2", disk.fileName());
    assertEquals(project.resolve("target/vm/app.qcow2"), disk.convertedFile(project.resolve("target")));
    assertEquals(Setting.byDefault("virtio", "default"), disk.bus(), "today's bus without a description");
    assertEquals(Setting.byDefault("app-containerdisk:1.0.0", "default"), disk.image());
    assertEquals(1, disk.bootOrder());

    assertEquals(1, vm.nics().size());
    VmNic nic = vm.nics().get(0);
    assertEquals("default", nic.name());
    assertEquals(Setting.byDefault("virtio", "default"), nic.model());
    assertTrue(nic.isPodNetwork());
    assertEquals(Optional.empty(), nic.macAddress());
    assertEquals(List.of(), vm.warnings());
  }

  @Test
  void theDescriptionFillsWhatThePomLeavesUnset() throws Exception {
    Vm vm = resolve(pom().build(), esxi());
    assertEquals(Setting.described("8Gi", "from esxi8-pvscsi-vmxnet3.vmx"), vm.memory());
    assertEquals(Setting.described(2, "from esxi8-pvscsi-vmxnet3.vmx"), vm.cpuSockets());
    assertEquals(Setting.described(2, "from esxi8-pvscsi-vmxnet3.vmx"), vm.cpuCores());
    assertEquals(Setting.described(1, "from esxi8-pvscsi-vmxnet3.vmx"), vm.cpuThreads());
    assertEquals(Setting.described("bios", "from esxi8-pvscsi-vmxnet3.vmx"), vm.firmware());
    assertEquals(Setting.byDefault("app", "default: the artifactId"), vm.name(),
        "the description's name (web01) is not the VM's name: that stays the POM's or the artifactId");
  }

  @Test
  void thePomWinsFieldByField() throws Exception {
    VmDescription d = libvirtQ35(); // 1 socket x 2 cores x 1 thread, 4 GiB, efi, Secure Boot on
    Vm vm = resolve(pom().name("shop").memory(" 2Gi ").cpuCores(4).firmware("EFI").build(), d);
    assertEquals(Setting.pom("shop", "<vm><name>"), vm.name());
    assertEquals(Setting.pom("2Gi", "<vm><memory>"), vm.memory());
    assertEquals(Setting.pom(4, "<vm><cpuCores>"), vm.cpuCores());
    assertEquals(From.DESCRIPTION, vm.cpuSockets().from(), "an unset <cpuSockets> does not hide the description's");
    assertEquals(Setting.pom("efi", "<vm><firmware>"), vm.firmware());
    assertEquals(Setting.described(true, "from virt-manager-q35-uefi.xml"), vm.secureBoot());
    assertTrue(vm.logLines().contains("cpu 1 socket (from virt-manager-q35-uefi.xml) x 4 cores (from <vm><cpuCores>)"
        + " x 1 thread (from virt-manager-q35-uefi.xml)"), vm.logLines().toString());

    Vm off = resolve(pom().secureBoot(false).build(), d);
    assertEquals(Setting.pom(false, "<vm><secureBoot>"), off.secureBoot());
  }

  @Test
  void secureBootIsExplicitWithEfi() throws Exception {
    // VirtualBox keeps Secure Boot in its NVRAM file: the .vbox says efi and nothing else.
    Files.write(vmFolder().resolve("win11-build.vdi"), new byte[512]);
    Files.write(vmFolder().resolve("data.vdi"), new byte[512]);
    VmDescription d = VmDescriptions.read(fixture("vbox/virtualbox7.vbox"), Optional.empty());
    Vm vm = resolve(pom().build(), d);
    assertEquals("efi", vm.firmware().value());
    assertEquals(Setting.byDefault(false, "default with efi, written out because KubeVirt would turn it on"),
        vm.secureBoot());

    Vm efi = resolve(pom().firmware("efi").source(vmFolder().resolve("data.vdi")).build(), null);
    assertEquals(false, efi.secureBoot().value());
    assertEquals(From.DEFAULT, efi.secureBoot().from());
  }

  @Test
  void biosFromThePomDropsTheDescriptionsSecureBoot() throws Exception {
    Vm vm = resolve(pom().firmware("bios").build(), libvirtQ35());
    assertEquals(new Setting<>(false, From.POM, "firmware bios from <vm><firmware>, so no Secure Boot"),
        vm.secureBoot());
  }

  // ---- machine type ------------------------------------------------------------------------------

  @Test
  void aDescribedMachineTypeIsLeftToKubeVirtsQ35() throws Exception {
    Vm i440fx = resolve(pom().build(), VmDescriptions.read(fixture("libvirt/i440fx-bios-ide.xml",
        "win7-legacy.qcow2"), Optional.empty()));
    assertEquals(Setting.described("", "from i440fx-bios-ide.xml: pc-i440fx-6.2 replaced, KubeVirt runs q35 only"),
        i440fx.machineType());
    assertTrue(i440fx.logLines().contains(
        "machine type q35 (from i440fx-bios-ide.xml: pc-i440fx-6.2 replaced, KubeVirt runs q35 only)"));

    Vm q35 = resolve(pom().build(), libvirtQ35());
    assertEquals(Setting.described("", "from virt-manager-q35-uefi.xml: pc-q35-8.2 made the cluster's q35 version"),
        q35.machineType());

    Vm vmx = resolve(pom().build(), esxi());
    assertEquals("from esxi8-pvscsi-vmxnet3.vmx: vmx-20 replaced, KubeVirt runs q35 only", vmx.machineType().origin());
  }

  @Test
  void thePomsMachineTypeIsWrittenAsGiven() throws Exception {
    Vm vm = resolve(pom().machineType("pc-q35-rhel9.6.0").build(), libvirtQ35());
    assertEquals(Setting.pom("pc-q35-rhel9.6.0", "<vm><machineType>"), vm.machineType());
    assertEquals(List.of(), vm.warnings().stream().filter(w -> w.contains("machineType")).toList());

    Vm old = resolve(pom().machineType("pc-i440fx-7.2").build(), libvirtQ35());
    assertEquals("pc-i440fx-7.2", old.machineType().value());
    assertTrue(old.warnings().stream().anyMatch(w -> w.startsWith("<vm><machineType> pc-i440fx-7.2 is not a q35")),
        old.warnings().toString());
  }

  // ---- devices -----------------------------------------------------------------------------------

  @Test
  void compatibleDevicesKeepWhatTheGuestHasDriversFor() throws Exception {
    Vm vm = resolve(pom().build(), esxi()); // two disks on PVSCSI, two VMXNET3 NICs
    assertEquals(List.of("sata", "sata"), vm.disks().stream().map(d -> d.bus().value()).toList());
    assertEquals(Setting.described("sata", "pvscsi in esxi8-pvscsi-vmxnet3.vmx, devices=compatible"),
        vm.bootDisk().bus());
    assertEquals(List.of("e1000e", "e1000e"), vm.nics().stream().map(n -> n.model().value()).toList());
    assertEquals("vmxnet3 in esxi8-pvscsi-vmxnet3.vmx, devices=compatible", vm.nics().get(0).model().origin());
    assertEquals(Optional.of(NicModel.VMXNET3), vm.nics().get(0).sourceModel());

    Vm libvirt = resolve(pom().build(), libvirtQ35()); // vda virtio-blk, sda SATA, virtio NIC
    assertEquals(List.of("virtio", "sata"), libvirt.disks().stream().map(d -> d.bus().value()).toList());
    assertEquals("virtio", libvirt.nics().get(0).model().value());
  }

  @Test
  void virtioDevicesEverywhereUnlessABusOrModelSaysOtherwise() throws Exception {
    Vm vm = resolve(pom().devices("VirtIO").build(), esxi());
    assertEquals(Setting.pom(DevicePolicy.VIRTIO, "<vm><devices>"), vm.devices());
    assertEquals(new Setting<>("virtio", From.POM, "devices=virtio, pvscsi in esxi8-pvscsi-vmxnet3.vmx"),
        vm.bootDisk().bus());
    assertEquals(List.of("virtio", "virtio"), vm.nics().stream().map(n -> n.model().value()).toList());

    Vm mixed = resolve(pom().devices("virtio").addDisk(new PomDisk("web01-1", null, "scsi", null, null))
        .addNic(new PomNic(null, null, null)).addNic(new PomNic("e1000", null, null)).build(), esxi());
    assertEquals(List.of("virtio", "scsi"), mixed.disks().stream().map(d -> d.bus().value()).toList());
    assertEquals(Setting.pom("scsi", "<disks><disk><bus>"), mixed.disks().get(1).bus());
    assertEquals(List.of("virtio", "e1000"), mixed.nics().stream().map(n -> n.model().value()).toList());
    assertEquals(Setting.pom("e1000", "<vm><nics><nic><model>"), mixed.nics().get(1).model());
  }

  @Test
  void diskBusAppliesToEveryDiskUnlessTheDiskSaysOtherwise() throws Exception {
    Vm vm = resolve(pom().diskBus("SCSI").addDisk(new PomDisk("web01", null, "sata", null, null)).build(), esxi());
    assertEquals(Setting.pom("sata", "<disks><disk><bus>"), vm.disks().get(0).bus());
    assertEquals(Setting.pom("scsi", "<vm><diskBus>"), vm.disks().get(1).bus());

    file("src/main/vm/os.qcow2");
    Vm plain = resolve(pom().diskBus("sata").source(project.resolve("src/main/vm/os.qcow2")).build(), null);
    assertEquals(Setting.pom("sata", "<vm><diskBus>"), plain.bootDisk().bus());
  }

  // ---- NICs --------------------------------------------------------------------------------------

  @Test
  void nicsKeepTheSourcesMacAndAttachToMultusNetworks() throws Exception {
    Vm vm = resolve(pom().build(), esxi());
    VmNic first = vm.nics().get(0);
    VmNic second = vm.nics().get(1);
    assertEquals("default", first.name());
    assertTrue(first.isPodNetwork());
    assertEquals(Optional.of(Setting.described("00:50:56:3f:00:20", "from esxi8-pvscsi-vmxnet3.vmx")),
        first.macAddress(), "a static address");
    assertEquals("net1", second.name());
    assertEquals(Optional.of(Setting.described("00:50:56:a1:b2:c3", "from esxi8-pvscsi-vmxnet3.vmx")),
        second.macAddress(), "a generated address VMware stored");
    assertEquals(Optional.of(Setting.described("backend", "from esxi8-pvscsi-vmxnet3.vmx: 'Backend'")),
        second.network());
    assertTrue(vm.logLines().contains("nic 2: e1000e (vmxnet3 in esxi8-pvscsi-vmxnet3.vmx, devices=compatible),"
        + " MAC 00:50:56:a1:b2:c3 (from esxi8-pvscsi-vmxnet3.vmx), network backend (from esxi8-pvscsi-vmxnet3.vmx:"
        + " 'Backend')"), vm.logLines().toString());
  }

  @Test
  void pomNicsOverrideByPositionAndAddAfterTheDescribedOnes() throws Exception {
    Vm vm = resolve(pom()
        .addNic(new PomNic(null, "02-00-00-00-00-0A", null))
        .addNic(new PomNic("virtio", null, "other-ns/storage-net"))
        .addNic(new PomNic(null, null, null))
        .build(), esxi());
    assertEquals(3, vm.nics().size());
    assertEquals(Optional.of(Setting.pom("02:00:00:00:00:0a", "<vm><nics><nic><macAddress>")),
        vm.nics().get(0).macAddress(), "the POM's MAC wins");
    assertEquals("e1000e", vm.nics().get(0).model().value(), "the unset model keeps the description's");
    assertEquals(Optional.of(Setting.pom("other-ns/storage-net", "<vm><nics><nic><network>")),
        vm.nics().get(1).network());
    assertEquals(Optional.of("00:50:56:a1:b2:c3"), vm.nics().get(1).macAddress().map(Setting::value));
    VmNic added = vm.nics().get(2);
    assertEquals("net2", added.name());
    assertEquals(Setting.byDefault("virtio", "default"), added.model());
    assertEquals(Optional.of(Setting.byDefault("net2", "default")), added.network());
    assertEquals(Optional.empty(), added.describedAs());
  }

  @Test
  void badNicsAreRefused() throws Exception {
    VmDescription d = esxi();
    refused(() -> resolve(pom().addNic(new PomNic("vmxnet3", null, null)).build(), d), "<vm><nics><nic>",
        "<vm><nics><nic>[1] <model> 'vmxnet3' must be one of e1000, e1000e");
    refused(() -> resolve(pom().addNic(new PomNic(null, "01:00:5e:00:00:01", null)).build(), d), "<vm><nics><nic>",
        "'01:00:5e:00:00:01' is not a unicast MAC address");
    refused(() -> resolve(pom().addNic(new PomNic(null, null, "lan")).build(), d), "<vm><nics><nic>",
        "<vm><nics><nic>[1] <network> 'lan': the first NIC is on the pod network");
    refused(() -> resolve(pom().addNic(new PomNic(null, null, null)).addNic(new PomNic(null, null, "Bad_Net")).build(),
        d), "<vm><nics><nic>", "<network> 'Bad_Net' must name a NetworkAttachmentDefinition");
    refused(() -> resolve(pom().addNic(new PomNic(null, null, null)).addNic(new PomNic(null, "00:50:56:3f:00:20",
        null)).build(), d), "<vm><nics><nic>", "two NICs have the MAC address 00:50:56:3f:00:20");
  }

  // ---- disks -------------------------------------------------------------------------------------

  @Test
  void describedDisksInBootOrderNamedAfterTheirFiles() throws Exception {
    Vm vm = resolve(pom().image("localhost:5000/shop/app:1.2").build(), libvirtQ35());
    // The data disk comes first in the XML; <boot order> puts the system disk first.
    assertEquals(List.of("debian12-app", "debian12-app-data"), vm.disks().stream().map(VmDisk::name).toList());
    assertEquals(List.of(1, 2), vm.disks().stream().map(VmDisk::bootOrder).toList());
    assertEquals(List.of("app-debian12-app.qcow2", "app-debian12-app-data.qcow2"),
        vm.disks().stream().map(VmDisk::fileName).toList());
    assertEquals(List.of("localhost:5000/shop/app:1.2", "localhost:5000/shop/app-debian12-app-data:1.2"),
        vm.disks().stream().map(d -> d.image().value()).toList());
    assertEquals(Setting.pom("localhost:5000/shop/app:1.2", "<image>"), vm.bootDisk().image());
    assertEquals(new Setting<>("localhost:5000/shop/app-debian12-app-data:1.2", From.POM,
        "<image> and the disk's name"), vm.disks().get(1).image());
    assertEquals(DiskSource.of(project.resolve("src/main/vm/debian12-app.qcow2")), vm.bootDisk().source());
    assertEquals(Optional.of(DiskController.VIRTIO_BLK), vm.bootDisk().controller());
    assertEquals(Optional.of("devices/disk[target@dev='vda']"), vm.bootDisk().describedAs());
  }

  @Test
  void describedNamesAreDnsLabelsUniqueWithinTheVm() {
    List<DescribedDisk> disks = List.of(
        new DescribedDisk("nvme0:0", "Ubuntu 64-bit \u2013 B\u00fcro.vmdk", DiskController.NVME, OptionalLong.empty(), "a"),
        new DescribedDisk("scsi0:0", "UBUNTU_64_BIT-BURO.vmdk", DiskController.NVME, OptionalLong.empty(), "b"),
        new DescribedDisk("scsi0:1", "---.vmdk", DiskController.NVME, OptionalLong.empty(), "c"),
        new DescribedDisk("???", "!!!.img", DiskController.NVME, OptionalLong.empty(), "d"),
        new DescribedDisk("sdz", "cloudinitdisk.qcow2", DiskController.NVME, OptionalLong.empty(), "e"),
        new DescribedDisk("x", "a".repeat(80) + ".vmdk", DiskController.NVME, OptionalLong.empty(), "f"),
        new DescribedDisk("y", "A".repeat(80) + ".vdi", DiskController.NVME, OptionalLong.empty(), "g"));
    assertEquals(List.of("ubuntu-64-bit-buro", "ubuntu-64-bit-buro-2", "scsi0-1", "disk4", "cloudinitdisk-2",
        "a".repeat(63), "a".repeat(61) + "-2"), VmResolver.describedNames(disks));
  }

  @Test
  void aPomDiskOverridesTheDescribedDiskOfItsName() throws Exception {
    Path other = file("src/main/vm/data-v2.qcow2");
    VmDescription d = libvirtQ35();
    Vm vm = resolve(pom()
        .addDisk(new PomDisk("debian12-app-data", Path.of("src/main/vm/data-v2.qcow2"), null, null,
            "registry.example.com/data:7"))
        .build(), d);
    VmDisk data = vm.disks().get(1);
    assertEquals(DiskSource.of(other), data.source());
    assertEquals(Setting.pom("registry.example.com/data:7", "<disks><disk><image>"), data.image());
    assertEquals("sata", data.bus().value(), "the bus still comes from the described controller");
    assertEquals(Optional.of(DiskController.SATA), data.controller());

    // The description's own id (vda) names a disk too; the disk then takes the POM's name.
    Vm byId = resolve(pom().addDisk(new PomDisk("vda", null, "sata", null, null)).build(), d);
    assertEquals(List.of("vda", "debian12-app-data"), byId.disks().stream().map(VmDisk::name).toList());
    assertEquals("sata", byId.bootDisk().bus().value());
  }

  @Test
  void aPomDiskOfNewNameIsAddedAfterTheDescribedOnes() throws Exception {
    Path scratch = file("src/main/vm/scratch.raw");
    Vm vm = resolve(pom().addDisk(new PomDisk("scratch", Path.of("src/main/vm/scratch.raw"), null, null, null)).build(),
        esxi());
    assertEquals(List.of("web01", "web01-1", "scratch"), vm.disks().stream().map(VmDisk::name).toList());
    VmDisk s = vm.disks().get(2);
    assertEquals(DiskSource.of(scratch), s.source());
    assertEquals(3, s.bootOrder());
    assertEquals(Setting.byDefault("virtio", "default"), s.bus(), "no controller to be compatible with");
    assertEquals(Optional.empty(), s.controller());
    assertEquals("app-scratch.qcow2", s.fileName());
  }

  @Test
  void bootTrueMovesTheDiskToTheFront() throws Exception {
    Vm vm = resolve(pom().addDisk(new PomDisk("web01-1", null, null, true, null)).build(), esxi());
    assertEquals(List.of("web01-1", "web01"), vm.disks().stream().map(VmDisk::name).toList());
    assertEquals(List.of(1, 2), vm.disks().stream().map(VmDisk::bootOrder).toList());
    assertEquals("app-containerdisk:1.0.0", vm.bootDisk().image().value());
    assertEquals("app-containerdisk-web01:1.0.0", vm.disks().get(1).image().value());
  }

  @Test
  void withoutDescriptionThePomsDisksTheFirstBootingUnlessOneSays() throws Exception {
    file("src/main/vm/os.vmdk");
    file("src/main/vm/Data Disk.vdi");
    Vm vm = resolve(pom().format("RAW")
        .addDisk(new PomDisk(null, Path.of("src/main/vm/Data Disk.vdi"), null, null, null))
        .addDisk(new PomDisk("os", project.resolve("src/main/vm/os.vmdk"), "virtio", true, null))
        .build(), null);
    assertEquals(List.of("os", "data-disk"), vm.disks().stream().map(VmDisk::name).toList());
    assertEquals(List.of("app-os.raw", "app-data-disk.raw"), vm.disks().stream().map(VmDisk::fileName).toList());
    assertEquals(List.of("app-containerdisk:1.0.0", "app-containerdisk-data-disk:1.0.0"),
        vm.disks().stream().map(d -> d.image().value()).toList());
  }

  @Test
  void sourceIsShortForAOneElementList() throws Exception {
    // <source> has always taken any path (it/deploy-registry uses the demo's disk).
    Path elsewhere = Files.write(project.getParent().resolve(project.getFileName() + "-other.vmdk"), new byte[512]);
    try {
      Vm vm = resolve(pom().source(elsewhere).build(), null);
      assertEquals("app", vm.bootDisk().name());
      assertEquals("app.qcow2", vm.bootDisk().fileName());
      // With a description of one disk, an unnamed disk replaces that disk's file.
      VmDescription one = VmDescriptions.read(fixture("libvirt/i440fx-bios-ide.xml", "win7-legacy.qcow2"),
          Optional.empty());
      Vm over = resolve(pom().source(elsewhere).build(), one);
      assertEquals("win7-legacy", over.bootDisk().name());
      assertEquals(DiskSource.of(elsewhere), over.bootDisk().source());
      assertEquals("sata", over.bootDisk().bus().value(), "IDE in the description");
    } finally {
      Files.delete(elsewhere);
    }
  }

  @Test
  void anOvaDiskIsAnEntryOfTheArchive() throws Exception {
    byte[] disk = Files.readAllBytes(VmFixtures.vmdk(project.resolve("tiny.vmdk")));
    String ovf = VmFixtures.text("ovf/vmware-two-disks-efi.ovf").replace("@SIZE1@", String.valueOf(disk.length))
        .replace("@SIZE2@", String.valueOf(disk.length));
    java.util.Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
    entries.put("appvm.ovf", VmFixtures.utf8(ovf));
    entries.put("appvm-2.vmdk", disk);
    entries.put("appvm-1.vmdk", disk);
    entries.put("appvm-3.nvram", new byte[8684]);
    Path ova = VmFixtures.ova(vmFolder().resolve("appvm.ova"), entries);
    VmDescription d = resolver().findDescription(null, Optional.empty()).orElseThrow();
    assertEquals(ova, d.file());

    Vm vm = resolve(pom().name("appvm").image("registry.example.com/apps/appvm:2.0").build(), d);
    assertEquals(List.of(new DiskSource(ova, Optional.of("appvm-1.vmdk")), new DiskSource(ova,
        Optional.of("appvm-2.vmdk"))), vm.disks().stream().map(VmDisk::source).toList());
    assertEquals(List.of(OptionalLong.of(1L << 20), OptionalLong.of(2L << 20)),
        vm.disks().stream().map(VmDisk::capacityBytes).toList());
    assertEquals(List.of(
        "vm appvm (from <vm><name>)",
        "description appvm.ova (OVF in an OVA, VM 'appvm')",
        "cpu 1 socket x 2 cores x 1 thread (from appvm.ova)",
        "memory 4Gi (from appvm.ova)",
        "firmware efi (from appvm.ova)",
        "secure boot off (from appvm.ova)",
        "machine type q35 (KubeVirt's default)",
        "devices compatible (default)",
        "disk appvm-1: appvm-1.vmdk in appvm.ova, bus sata (lsilogic_sas in appvm.ova, devices=compatible),"
            + " boot order 1, image registry.example.com/apps/appvm:2.0 (from <image>)",
        "disk appvm-2: appvm-2.vmdk in appvm.ova, bus sata (lsilogic_sas in appvm.ova, devices=compatible),"
            + " boot order 2, image registry.example.com/apps/appvm-appvm-2:2.0 (<image> and the disk's name)",
        "nic 1: e1000e (vmxnet3 in appvm.ova, devices=compatible), MAC 00:50:56:8e:2a:41 (from appvm.ova),"
            + " pod network",
        "guest OS debian11_64Guest (from appvm.ova)"), vm.logLines());
    assertEquals(List.of("Not carried over from appvm.ova (KubeVirt cannot be given them, or the plugin does not map"
        + " them): VMware VMCI device 'VMCI device' (vmware.vmci); CD-ROM drive 'CD/DVD drive 1'"
        + " (vmware.cdrom.remotepassthrough) (empty); EFI NVRAM appvm-3.nvram (KubeVirt starts with empty EFI"
        + " variables: the guest must boot from \\EFI\\BOOT\\BOOTX64.EFI)"), vm.warnings());
  }

  @Test
  void eachDescriptionKindResolves() throws Exception {
    Vm vbox;
    Files.write(vmFolder().resolve("win11-build.vdi"), new byte[512]);
    Files.write(vmFolder().resolve("data.vdi"), new byte[512]);
    vbox = resolve(pom().build(), VmDescriptions.read(fixture("vbox/virtualbox7.vbox"), Optional.empty()));
    assertEquals(List.of("win11-build", "data"), vbox.disks().stream().map(VmDisk::name).toList());
    assertEquals(List.of("sata", "sata"), vbox.disks().stream().map(d -> d.bus().value()).toList(), "SATA, NVMe");
    assertEquals(List.of("e1000", "virtio"), vbox.nics().stream().map(n -> n.model().value()).toList());
    assertEquals(Optional.of("build-net"), vbox.nics().get(1).network().map(Setting::value));
    assertEquals("8Gi", vbox.memory().value());
    assertEquals(4, vbox.cpuCores().value());
    assertEquals(Optional.of("Windows11_64"), vbox.guestOs());
    assertEquals(Setting.described("", "from virtualbox7.vbox"), vbox.machineType(), "ICH9 is q35");
    assertTrue(vbox.warnings().get(0).contains("TPM (v2_0)"), vbox.warnings().toString());

    Path ws = vmFolder().resolve("ws");
    Files.createDirectories(ws);
    Path vmx = ws.resolve("workstation17-efi.vmx");
    try (InputStream in = getClass().getResourceAsStream("/vm/vmx/workstation17-efi.vmx")) {
      Files.copy(in, vmx);
    }
    Files.write(ws.resolve("Ubuntu 64-bit.vmdk"), new byte[512]);
    Files.write(ws.resolve("Ubuntu 64-bit-0.vmdk"), new byte[512]);
    Vm workstation = resolve(pom().build(), VmDescriptions.read(vmx, Optional.empty()));
    assertEquals(List.of("ubuntu-64-bit", "ubuntu-64-bit-0"), workstation.disks().stream().map(VmDisk::name).toList());
    assertEquals("sata", workstation.bootDisk().bus().value(), "NVMe");
    assertEquals(Setting.described(false, "from workstation17-efi.vmx"), workstation.secureBoot());
    assertEquals(DiskSource.of(ws.resolve("Ubuntu 64-bit.vmdk")), workstation.bootDisk().source());
    assertTrue(workstation.logLines().contains("cpu 1 socket x 2 cores x 1 thread (from workstation17-efi.vmx)"));
  }

  // ---- errors ------------------------------------------------------------------------------------

  @Test
  void noDiskAtAll() throws Exception {
    refused(() -> resolve(pom().build(), null), "<source> (vm.source)", "src/main/vm");
    Files.writeString(vmFolder().resolve("notes.txt"), "not a disk");
    refused(() -> resolve(pom().build(), null), "<source> (vm.source)", "src/main/vm", "notes.txt");
  }

  @Test
  void aDescriptionWithoutDisksNeedsPomDisks() throws Exception {
    VmDescription none = VmDescription.builder(vmFolder().resolve("empty.vmx"), DescriptionFormat.VMX)
        .notCarriedOver("CD-ROM ide1:0 (x.iso)").build();
    refused(() -> resolve(pom().build(), none), "<disks><disk>", "empty.vmx describes no hard disk (only: CD-ROM",
        "<disks><disk><name>os</name>");
    file("src/main/vm/os.qcow2");
    Vm vm = resolve(pom().addDisk(new PomDisk("os", Path.of("src/main/vm/os.qcow2"), null, null, null)).build(), none);
    assertEquals("os", vm.bootDisk().name());
  }

  @Test
  void twoDisksOfOneName() throws Exception {
    file("src/main/vm/a.qcow2");
    file("src/main/vm/b.qcow2");
    refused(() -> resolve(pom()
        .addDisk(new PomDisk("os", Path.of("src/main/vm/a.qcow2"), null, null, null))
        .addDisk(new PomDisk("os", Path.of("src/main/vm/b.qcow2"), null, null, null)).build(), null),
        "<disks><disk>", "two disks are named os (a.qcow2 and b.qcow2)");
  }

  @Test
  void twoBootDisks() throws Exception {
    refused(() -> resolve(pom().addDisk(new PomDisk("web01", null, null, true, null))
        .addDisk(new PomDisk("web01-1", null, null, true, null)).build(), esxi()), "<disks><disk>",
        "'web01' and 'web01-1' both say <boot>true</boot>");
  }

  @Test
  void diskSourcesOutsideTheProject() throws Exception {
    Path outside = Files.write(project.getParent().resolve(project.getFileName() + "-outside.qcow2"), new byte[512]);
    try {
      refused(() -> resolve(pom().addDisk(new PomDisk("os", outside, null, null, null)).build(), null),
          "<disks><disk>", "is outside the project folder");
      refused(() -> resolve(pom().addDisk(new PomDisk("os", Path.of("../" + outside.getFileName()), null, null,
          null)).build(), null), "<disks><disk>", "is outside the project folder");
      Files.createSymbolicLink(vmFolder().resolve("link.qcow2"), outside);
      refused(() -> resolve(pom().addDisk(new PomDisk("os", Path.of("src/main/vm/link.qcow2"), null, null, null))
          .build(), null), "<disks><disk>", "a symbolic link out counts");
    } finally {
      Files.delete(outside);
    }
    refused(() -> resolve(pom().addDisk(new PomDisk("os", Path.of("src/main/vm/missing.qcow2"), null, null, null))
        .build(), null), "<disks><disk>", "missing.qcow2 is not a file");
  }

  @Test
  void combinationsThatCannotBe() throws Exception {
    VmDescription d = esxi();
    file("src/main/vm/x.qcow2");
    refused(() -> resolve(pom().secureBoot(true).build(), d), "<vm><secureBoot>",
        "needs the efi firmware", "the firmware is bios (from esxi8-pvscsi-vmxnet3.vmx)");
    refused(() -> resolve(pom().secureBoot(true).firmware("bios").build(), libvirtQ35()), "<vm><secureBoot>",
        "bios (from <vm><firmware>)");
    refused(() -> resolve(pom().source(project.resolve("src/main/vm/x.qcow2")).build(), d), "<source> (vm.source)",
        "describes 2 disks (web01, web01-1)", "<name>web01</name>");
    refused(() -> resolve(pom().source(project.resolve("src/main/vm/x.qcow2"))
        .addDisk(new PomDisk("os", null, null, null, null)).build(), d), "<source> (vm.source)",
        "<source> (vm.source) and <disks> both name the VM's disks");
    refused(() -> resolve(pom().addDisk(new PomDisk("fresh", null, null, null, null)).build(), d), "<disks><disk>",
        "'fresh' is none of the disks esxi8-pvscsi-vmxnet3.vmx describes (web01, web01-1)", "needs a <source>");
    refused(() -> resolve(pom().addDisk(new PomDisk(null, Path.of("src/main/vm/x.qcow2"), null, null, null))
        .addDisk(new PomDisk("web01", null, null, null, null)).build(), d), "<disks><disk>", "without a <name>");
    refused(() -> resolve(pom().addDisk(new PomDisk("web01", null, null, null, "other:1")).build(), d),
        "<disks><disk>", "'web01' is the boot disk, whose image is <image>");
    refused(() -> resolve(pom().addDisk(new PomDisk("web01-1", null, null, null, "app-containerdisk:1.0.0")).build(),
        d), "<disks><disk>", "two disks would be pushed as the image app-containerdisk:1.0.0");
    refused(() -> resolve(pom().addDisk(new PomDisk("web01", null, null, null, null))
        .addDisk(new PomDisk("web01", null, null, null, null)).build(), d), "<disks><disk>", "both override");
    refused(() -> resolve(pom().addDisk(new PomDisk("os", null, null, null, null)).build(), null), "<disks><disk>",
        "'os' has no <source>");
  }

  @Test
  void malformedPomValues() throws Exception {
    VmDescription d = esxi();
    refused(() -> resolve(pom().name("My VM").build(), d), "<vm><name>", "'My VM' must be a DNS label");
    refused(() -> new VmResolver(project, "My_App", "1").resolve(pom().build(), Optional.of(d)), "<vm><name>",
        "named after the artifactId by default, and 'My_App'", "set <vm><name>, e.g. my-app");
    refused(() -> resolve(pom().memory("4 GB").build(), d), "<vm><memory>", "'4 GB' is not a Kubernetes memory");
    refused(() -> resolve(pom().cpuCores(0).build(), d), "<vm><cpuCores>", "0 must be between 1 and 1024");
    refused(() -> resolve(pom().cpuCores(600).build(), d), "<vm><cpuCores>",
        "2 (from esxi8-pvscsi-vmxnet3.vmx) x 600 (from <vm><cpuCores>) x 1 (from esxi8-pvscsi-vmxnet3.vmx) = 1200 vCPUs",
        "at most 1024");
  }

  @Test
  void malformedPomValuesRest() throws Exception {
    VmDescription d = esxi();
    refused(() -> resolve(pom().firmware("uefi").build(), d), "<vm><firmware>", "'uefi' must be bios or efi");
    refused(() -> resolve(pom().machineType("pc i440fx").build(), d), "<vm><machineType>", "'pc i440fx'");
    refused(() -> resolve(pom().devices("fast").build(), d), "<vm><devices> (vm.devices)", "'fast' must be compatible");
    refused(() -> resolve(pom().diskBus("ide").build(), d), "<vm><diskBus>", "'ide' must be one of virtio, sata");
    refused(() -> resolve(pom().format("vmdk").build(), d), "<format> (vm.format)", "qcow2 or raw, not 'vmdk'");
    refused(() -> resolve(pom().addDisk(new PomDisk("web01", null, "ide", null, null)).build(), d), "<disks><disk>",
        "<bus> 'ide' must be one of");
    refused(() -> resolve(pom().addDisk(new PomDisk("Web01", null, null, null, null)).build(), d), "<disks><disk>",
        "name 'Web01' must be a DNS label");
    refused(() -> resolve(pom().addDisk(new PomDisk("cloudinitdisk", null, null, null, null)).build(), d),
        "<disks><disk>", "the chart's own cloud-init disk");
    refused(() -> resolve(pom().addDisk(new PomDisk("web01-1", null, null, null, "Bad Image")).build(), d),
        "<disks><disk>", "'web01-1' <image> 'Bad Image'");
  }

  // ---- finding the description -------------------------------------------------------------------

  @Test
  void theOneDescriptionInSrcMainVm() throws Exception {
    assertEquals(Optional.empty(), resolver().findDescription(null, Optional.empty()));
    refused(() -> resolver().findDescription(null, Optional.of("large")), "vm.ovfConfiguration",
        "no VM description");
    fixture("vmx/esxi8-pvscsi-vmxnet3.vmx", "web01.vmdk", "web01_1.vmdk");
    assertEquals(DescriptionFormat.VMX, resolver().findDescription(null, Optional.empty()).orElseThrow().format());
    fixture("libvirt/i440fx-bios-ide.xml", "win7-legacy.qcow2");
    refused(() -> resolver().findDescription(null, Optional.empty()), "<definition> (vm.definition)",
        "several VM descriptions: esxi8-pvscsi-vmxnet3.vmx, i440fx-bios-ide.xml");
    assertEquals(DescriptionFormat.LIBVIRT, resolver().findDescription(Path.of("src/main/vm/i440fx-bios-ide.xml"),
        Optional.empty()).orElseThrow().format(), "a relative <definition> is in the project");
  }
}
