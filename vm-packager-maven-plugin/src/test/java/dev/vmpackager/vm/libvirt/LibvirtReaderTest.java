package dev.vmpackager.vm.libvirt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Domain XML as virt-manager and {@code virsh dumpxml} write it, and hostile variants of it. */
@Timeout(30)
class LibvirtReaderTest {

  @TempDir Path dir;

  @Test
  void virtManagerQ35UefiVm() throws Exception {
    Path xml = fixture("virt-manager-q35-uefi.xml", "debian12-app.qcow2", "debian12-app-data.qcow2");

    VmDescription d = LibvirtReader.read(xml);

    assertEquals(DescriptionFormat.LIBVIRT, d.format());
    assertEquals(xml, d.file());
    assertEquals(Optional.of("debian12-app"), d.name());
    assertEquals(Optional.of("http://debian.org/debian/12"), d.guestOs());
    assertEquals(1, d.cpuSockets().getAsInt());
    assertEquals(2, d.cpuCores().getAsInt());
    assertEquals(1, d.cpuThreads().getAsInt());
    assertEquals(4L << 30, d.memoryBytes().getAsLong());
    assertEquals(Optional.of("efi"), d.firmware());
    assertEquals(Optional.of(true), d.secureBoot());
    assertEquals(Optional.of("pc-q35-8.2"), d.machineType());
    // The data disk comes first in the document; <boot order> puts the system disk first.
    List<DescribedDisk> disks = d.disks();
    assertEquals(2, disks.size());
    assertEquals("vda", disks.get(0).name());
    assertEquals("debian12-app.qcow2", disks.get(0).file());
    assertEquals(DiskController.VIRTIO_BLK, disks.get(0).controller());
    assertEquals("devices/disk[target@dev='vda']", disks.get(0).element());
    assertEquals("sda", disks.get(1).name());
    assertEquals("debian12-app-data.qcow2", disks.get(1).file());
    assertEquals(DiskController.SATA, disks.get(1).controller());
    assertTrue(disks.get(0).capacityBytes().isEmpty());
    assertEquals(List.of(new DescribedNic(NicModel.VIRTIO, Optional.of("52:54:00:6b:3c:58"), Optional.of("default"),
        "devices/interface[1]")), d.nics());
    // The pty serial port and its console are what KubeVirt gives every VM, so they are not listed.
    assertEquals(List.of("CD-ROM sdb (empty)", "sound card (ich9)", "USB redirection (spicevmc) x2"),
        d.notCarriedOver());
  }

  @Test
  void i440fxBiosVmWithIde() throws Exception {
    Path xml = fixture("i440fx-bios-ide.xml", "win7-legacy.qcow2");

    VmDescription d = LibvirtReader.read(xml);

    assertEquals(Optional.of("win7-legacy"), d.name());
    assertEquals(Optional.of("http://microsoft.com/win/7"), d.guestOs());
    assertEquals(1, d.cpuSockets().getAsInt());
    assertEquals(1, d.cpuCores().getAsInt());
    assertEquals(1, d.cpuThreads().getAsInt());
    assertEquals(2L << 30, d.memoryBytes().getAsLong());
    assertEquals(Optional.of("bios"), d.firmware());
    assertEquals(Optional.empty(), d.secureBoot());
    assertEquals(Optional.of("pc-i440fx-6.2"), d.machineType());
    assertEquals(1, d.disks().size());
    assertEquals("hda", d.disks().get(0).name());
    assertEquals("win7-legacy.qcow2", d.disks().get(0).file());
    assertEquals(DiskController.IDE, d.disks().get(0).controller());
    assertEquals(List.of(new DescribedNic(NicModel.E1000, Optional.of("52:54:00:12:ab:cd"), Optional.of("br0"),
        "devices/interface[1]")), d.nics());
    // The EHCI controller and its UHCI companions are USB controller 0, the one every VM has.
    assertEquals(List.of("CD-ROM hdc (/var/lib/libvirt/images/virtio-win.iso)",
        "floppy fda (/var/lib/libvirt/images/drivers.img)", "sound card (ich6)",
        "host usb device passthrough 0x0529:0x0001"), d.notCarriedOver());
  }

  @Test
  void bootDevHdStartsWithTheFirstDiskOfTheFirstBusLibvirtSees() throws Exception {
    // libvirt groups disks by bus in the order buses first appear (the CD-ROM brings in sata
    // first) and sorts each bus by target; <boot dev='hd'/> boots the first hard disk of that list.
    Path xml = write(domain("<os><type arch='x86_64' machine='q35'>hvm</type><boot dev='hd'/></os>",
        "<disk type='file' device='cdrom'><target dev='sda' bus='sata'/><readonly/></disk>"
            + fileDisk("/var/lib/libvirt/images/os.qcow2", "vda", "virtio")
            + fileDisk("/var/lib/libvirt/images/data.qcow2", "sdb", "sata")
            + fileDisk("/var/lib/libvirt/images/more.qcow2", "vdc", "virtio")
            + fileDisk("/var/lib/libvirt/images/scratch.qcow2", "vdb", "virtio")),
        "os.qcow2", "data.qcow2", "more.qcow2", "scratch.qcow2");

    VmDescription d = LibvirtReader.read(xml);

    assertEquals(List.of("sdb", "vda", "vdb", "vdc"), d.disks().stream().map(DescribedDisk::name).toList());
    assertEquals(List.of("data.qcow2", "os.qcow2", "scratch.qcow2", "more.qcow2"),
        d.disks().stream().map(DescribedDisk::file).toList());
  }

  @Test
  void diskIndexIsLibvirtsBase26() {
    assertEquals(0, LibvirtReader.diskIndex("vda"));
    assertEquals(25, LibvirtReader.diskIndex("sdz"));
    assertEquals(26, LibvirtReader.diskIndex("sdaa"));
    assertEquals(1, LibvirtReader.diskIndex("hdb1"));
    assertEquals(-1, LibvirtReader.diskIndex("nvme0n1"));
    assertEquals(-1, LibvirtReader.diskIndex("vd"));
  }

  @Test
  void perDeviceBootOrderBeforeDisksWithout() throws Exception {
    Path xml = write(domain("", fileDisk("/i/a.qcow2", "vda", "virtio")
            + "<disk type='file' device='disk'><source file='/i/b.qcow2'/><target dev='vdb' bus='virtio'/>"
            + "<boot order='3'/></disk>"
            + "<disk type='file' device='cdrom'><target dev='sda' bus='sata'/><boot order='1'/></disk>"),
        "a.qcow2", "b.qcow2");

    assertEquals(List.of("vdb", "vda"), LibvirtReader.read(xml).disks().stream().map(DescribedDisk::name).toList());
  }

  @Test
  void scsiDisksTakeTheModelOfTheirController() throws Exception {
    Path xml = write(domain("", "<controller type='scsi' index='0' model='virtio-scsi'/>"
            + "<controller type='scsi' index='1' model='lsilogic'/>"
            + "<controller type='scsi' index='2' model='vmpvscsi'/>"
            + "<disk type='file' device='disk'><source file='/i/a.qcow2'/><target dev='sda' bus='scsi'/>"
            + "<address type='drive' controller='0' bus='0' target='0' unit='0'/></disk>"
            + "<disk type='file' device='disk'><source file='/i/b.qcow2'/><target dev='sdb' bus='scsi'/>"
            + "<address type='drive' controller='1' bus='0' target='0' unit='0'/></disk>"
            + "<disk type='file' device='disk'><source file='/i/c.qcow2'/><target dev='sdc' bus='scsi'/>"
            + "<address type='drive' controller='2' bus='0' target='0' unit='0'/></disk>"
            + "<disk type='file' device='disk'><source file='/i/d.qcow2'/><target dev='sdd' bus='scsi'/>"
            + "<address type='drive' controller='3' bus='0' target='0' unit='0'/></disk>"
            + fileDisk("/i/e.qcow2", "sde", "usb")),
        "a.qcow2", "b.qcow2", "c.qcow2", "d.qcow2", "e.qcow2");

    assertEquals(List.of(DiskController.VIRTIO_SCSI, DiskController.LSILOGIC, DiskController.PVSCSI,
        DiskController.UNKNOWN, DiskController.USB),
        LibvirtReader.read(xml).disks().stream().map(DescribedDisk::controller).toList());
  }

  @ParameterizedTest
  @CsvSource({"'',4096", "b,4", "bytes,4", "KB,4000", "k,4096", "KiB,4096", "MB,4000000", "M,4194304",
      "MiB,4194304", "GB,4000000000", "G,4294967296", "gib,4294967296", "TB,4000000000000", "T,4398046511104",
      "TiB,4398046511104"})
  void memoryUnits(String unit, long bytes) throws Exception {
    Path xml = write("<domain type='kvm'><name>m</name><memory" + (unit.isEmpty() ? "" : " unit='" + unit + "'")
        + ">4</memory></domain>");

    assertEquals(bytes, LibvirtReader.read(xml).memoryBytes().getAsLong());
  }

  @Test
  void currentMemoryWhenMemoryIsAbsent() throws Exception {
    Path xml = write("<domain type='kvm'><currentMemory unit='MiB'>512</currentMemory></domain>");

    assertEquals(512L << 20, LibvirtReader.read(xml).memoryBytes().getAsLong());
  }

  @Test
  void topologyFoldsDiesAndClustersIntoSockets() throws Exception {
    Path xml = write("<domain type='kvm'><vcpu>16</vcpu><cpu><topology sockets='2' dies='2' clusters='1' cores='2'"
        + " threads='2'/></cpu></domain>");

    VmDescription d = LibvirtReader.read(xml);

    assertEquals(4, d.cpuSockets().getAsInt());
    assertEquals(2, d.cpuCores().getAsInt());
    assertEquals(2, d.cpuThreads().getAsInt());
  }

  @Test
  void vcpusWithoutTopologyAreSocketsOfOneCore() throws Exception {
    VmDescription d = LibvirtReader.read(write("<domain type='kvm'><vcpu placement='static'>3</vcpu></domain>"));

    assertEquals(3, d.cpuSockets().getAsInt());
    assertEquals(1, d.cpuCores().getAsInt());
    assertEquals(1, d.cpuThreads().getAsInt());
  }

  @Test
  void firmwareAndSecureBootVariants() throws Exception {
    VmDescription manual = LibvirtReader.read(write(domain("<os><type machine='pc-q35-4.0'>hvm</type>"
        + "<loader readonly='yes' secure='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE.secboot.fd</loader></os>", "")));
    assertEquals(Optional.of("efi"), manual.firmware());
    assertEquals(Optional.of(true), manual.secureBoot());

    VmDescription noKeys = LibvirtReader.read(write(domain("<os firmware='efi'><type>hvm</type><firmware>"
        + "<feature enabled='no' name='enrolled-keys'/><feature enabled='yes' name='secure-boot'/></firmware></os>", "")));
    assertEquals(Optional.of(false), noKeys.secureBoot());

    VmDescription off = LibvirtReader.read(write(domain("<os firmware='efi'><type>hvm</type><firmware>"
        + "<feature enabled='no' name='secure-boot'/></firmware><loader secure='yes'/></os>", "")));
    assertEquals(Optional.of(false), off.secureBoot());

    VmDescription silent = LibvirtReader.read(write(domain("<os firmware='efi'><type>hvm</type></os>", "")));
    assertEquals(Optional.of("efi"), silent.firmware());
    assertEquals(Optional.empty(), silent.secureBoot());

    VmDescription rom = LibvirtReader.read(write(domain("<os><type>hvm</type><loader type='rom'>/bios.bin</loader>"
        + "</os>", "")));
    assertEquals(Optional.of("bios"), rom.firmware());
  }

  @Test
  void volumeDiskIsTheFileNamedLikeTheVolume() throws Exception {
    Path xml = write(domain("", "<disk type='volume' device='disk'><driver name='qemu' type='qcow2'/>"
        + "<source pool='default' volume='app.qcow2'/><target dev='vda' bus='virtio'/></disk>"), "app.qcow2");

    assertEquals("app.qcow2", LibvirtReader.read(xml).disks().get(0).file());
  }

  @Test
  void interfacesWithoutModelOrMacAndPassthroughInterfaces() throws Exception {
    Path xml = write(domain("", "<interface type='user'/>"
        + "<interface type='hostdev' managed='yes'><source><address type='pci' domain='0x0000' bus='0x3b'"
        + " slot='0x10' function='0x1'/></source></interface>"
        + "<interface type='network'><source network='lan'/><model type='igb'/></interface>"
        + "<interface type='direct'><source dev='eth0' mode='bridge'/><model type='vmxnet3'/></interface>"));

    VmDescription d = LibvirtReader.read(xml);

    assertEquals(List.of(
        new DescribedNic(NicModel.RTL8139, Optional.empty(), Optional.empty(), "devices/interface[1]"),
        new DescribedNic(NicModel.IGB, Optional.empty(), Optional.of("lan"), "devices/interface[3]"),
        new DescribedNic(NicModel.VMXNET3, Optional.empty(), Optional.empty(), "devices/interface[4]")), d.nics());
    assertEquals(List.of("SR-IOV network interface devices/interface[2] (host device passthrough)"),
        d.notCarriedOver());
  }

  @Test
  void otherHardwareIsListed() throws Exception {
    Path xml = write(domain("", "<controller type='usb' index='0' model='qemu-xhci'/>"
        + "<controller type='usb' index='1' model='ich9-ehci1'/>"
        + "<serial type='file'><source path='/var/log/vm.log'/><target port='0'/></serial>"
        + "<console type='pty'><target type='virtio' port='0'/></console>"
        + "<parallel type='pty'/><tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm>"
        + "<smartcard mode='passthrough' type='spicevmc'/>"
        + "<filesystem type='mount' accessmode='passthrough'><driver type='virtiofs'/>"
        + "<source dir='/srv/share'/><target dir='share'/></filesystem>"
        + "<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x01'"
        + " slot='0x00' function='0x0'/></source></hostdev>"));

    assertEquals(List.of("USB controller 1 (ich9-ehci1)", "serial port (file)", "console (virtio)",
        "parallel port (pty)", "TPM (tpm-crb)", "smartcard (passthrough)", "shared folder /srv/share (tag share)",
        "host pci device passthrough 0000:01:00.0"), LibvirtReader.read(xml).notCarriedOver());
  }

  @Test
  void matchesADomainAfterDeclarationAndComments() {
    assertTrue(matches("<?xml version='1.0'?>\n<!-- virsh edit -->\n<domain type='kvm'>"));
    assertTrue(matches("\ufeff<domain>"));
    assertFalse(matches("<?xml version='1.0'?><Envelope xmlns='http://schemas.dmtf.org/ovf/"
        + "envelope/1'>"));
    assertFalse(matches("<VirtualBox xmlns='http://www.virtualbox.org/'>"));
    assertFalse(matches("<domainsnapshot>"));
    assertFalse(matches("displayName = \"x\""));
  }

  // ---- hostile and broken input: always a VmDescriptionException naming file and element ----

  @Test
  void hugeMemory() throws Exception {
    assertFails(write("<domain type='kvm'><memory unit='KiB'>1000000000000000000000000000000</memory></domain>"),
        "memory", "too large");
    assertFails(write("<domain type='kvm'><memory unit='GiB'>100000000000000000</memory></domain>"),
        "memory", "more memory than any VM");
    assertFails(write("<domain type='kvm'><memory unit='TiB'>17</memory></domain>"), "memory", "16 TiB");
    assertFails(write("<domain type='kvm'><memory>0</memory></domain>"), "memory");
    assertFails(write("<domain type='kvm'><memory>-5</memory></domain>"), "memory", "not a whole number");
    assertFails(write("<domain type='kvm'><memory unit='XB'>4</memory></domain>"), "memory@unit", "XB");
  }

  @Test
  void hugeCpuCounts() throws Exception {
    assertFails(write("<domain type='kvm'><vcpu>1099511627776</vcpu></domain>"), "vcpu", "1099511627776");
    assertFails(write("<domain type='kvm'><vcpu>2000</vcpu></domain>"), "vcpu", "1024");
    assertFails(write("<domain type='kvm'><cpu><topology sockets='4294967296' cores='1' threads='1'/></cpu>"
        + "</domain>"), "cpu/topology@sockets");
    assertFails(write("<domain type='kvm'><cpu><topology sockets='1048576' dies='1048576' clusters='1048576'"
        + " cores='1048576' threads='1048576'/></cpu></domain>"), "cpu/topology");
    assertFails(write("<domain type='kvm'><vcpu>4</vcpu><cpu><topology sockets='1' cores='2' threads='1'/></cpu>"
        + "</domain>"), "cpu/topology", "<vcpu> says 4");
    assertFails(write("<domain type='kvm'><cpu><topology sockets='x' cores='2' threads='1'/></cpu></domain>"),
        "cpu/topology@sockets", "not a whole number");
  }

  @Test
  void diskListedTwice() throws Exception {
    Path xml = write(domain("", fileDisk("/var/lib/libvirt/images/a.qcow2", "vda", "virtio")
        + fileDisk("/other/place/a.qcow2", "vdb", "virtio")), "a.qcow2");
    assertFails(xml, "devices/disk[target@dev='vdb']", "a.qcow2", "also attached");

    Path sameTarget = write(domain("", fileDisk("/i/a.qcow2", "vda", "virtio") + fileDisk("/i/b.qcow2", "vda",
        "virtio")), "a.qcow2", "b.qcow2");
    assertFails(sameTarget, "devices/disk[target@dev='vda']", "also used by");
  }

  @Test
  void missingDiskFile() throws Exception {
    assertFails(write(domain("", fileDisk("/var/lib/libvirt/images/gone.qcow2", "vda", "virtio"))),
        "devices/disk[target@dev='vda']", "gone.qcow2", "not there");
    assertFails(write(domain("", "<disk type='file' device='disk'><target dev='vda' bus='virtio'/></disk>")),
        "devices/disk[target@dev='vda']", "no source file");
  }

  @Test
  void pathsAreLookedUpByNameInTheFolderOnly() throws Exception {
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.writeString(outside.resolve("secret.qcow2"), "x");
    Path vmDir = Files.createDirectories(dir.resolve("vm"));

    Path dotdot = vmDir.resolve("dotdot.xml");
    Files.writeString(dotdot, domain("", fileDisk("../outside/secret.qcow2", "vda", "virtio")));
    assertFails(dotdot, "devices/disk[target@dev='vda']", "secret.qcow2", "not there");

    Path parent = vmDir.resolve("parent.xml");
    Files.writeString(parent, domain("", fileDisk("/var/lib/libvirt/images/..", "vda", "virtio")));
    assertFails(parent, "devices/disk[target@dev='vda']", "names no file");

    Files.createSymbolicLink(vmDir.resolve("secret.qcow2"), outside.resolve("secret.qcow2"));
    Path link = vmDir.resolve("link.xml");
    Files.writeString(link, domain("", fileDisk("/var/lib/libvirt/images/secret.qcow2", "vda", "virtio")));
    assertFails(link, "devices/disk[target@dev='vda']", "link out of the folder");
  }

  @Test
  void disksWhoseDataIsNotInAFile() throws Exception {
    assertFails(write(domain("", "<disk type='block' device='disk'><source dev='/dev/sdb'/>"
        + "<target dev='vdb' bus='virtio'/></disk>")), "devices/disk[target@dev='vdb']", "block disk",
        "/dev/sdb", "qemu-img convert");
    assertFails(write(domain("", "<disk type='network' device='disk'><source protocol='rbd' name='pool/img'/>"
        + "<target dev='vdb' bus='virtio'/></disk>")), "devices/disk[target@dev='vdb']", "network disk",
        "rbd pool/img");
    assertFails(write(domain("", "<disk type='block' device='lun'><source dev='/dev/sdc'/>"
        + "<target dev='sda' bus='scsi'/></disk>")), "devices/disk[target@dev='sda']", "lun");
    assertFails(write(domain("", "<disk type='volume' device='disk'><source pool='default' volume='v.qcow2'/>"
        + "<target dev='vda' bus='virtio'/></disk>")), "devices/disk[target@dev='vda']", "v.qcow2", "not there");
  }

  @Test
  void dtdsAndEntitiesAreRefused() throws Exception {
    Path secret = dir.resolve("secret.txt");
    Files.writeString(secret, "top secret");
    String laughs = "<?xml version='1.0'?><!DOCTYPE domain [<!ENTITY a 'aaaaaaaaaa'>"
        + "<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'><!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'>"
        + "<!ENTITY d '&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;'><!ENTITY e '&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;'>]>"
        + "<domain type='kvm'><name>&e;</name></domain>";
    assertFails(write(laughs), "line 1", "DOCTYPE");
    String external = "<?xml version='1.0'?><!DOCTYPE domain [<!ENTITY x SYSTEM '" + secret.toUri() + "'>]>"
        + "<domain type='kvm'><name>&x;</name></domain>";
    VmDescriptionException e = assertFails(write(external), "DOCTYPE");
    assertFalse(e.getMessage().contains("top secret"));
  }

  @Test
  void hugeFileIsRefused() throws Exception {
    Path xml = dir.resolve("huge.xml");
    try (RandomAccessFile f = new RandomAccessFile(xml.toFile(), "rw")) {
      f.setLength(LibvirtReader.MAX_SIZE + 1);
    }
    assertFails(xml, "size", "more than");
  }

  @Test
  void notXmlOrNotADomain() throws Exception {
    assertFails(write("hello, I am not XML"), "not well-formed");
    assertFails(write(""), "not well-formed");
    byte[] garbage = new byte[4096];
    new Random(13).nextBytes(garbage);
    Path bin = dir.resolve("garbage.xml");
    Files.write(bin, garbage);
    assertFails(bin, "not well-formed");
    assertFails(write("<domain type='kvm'><name>a</name>"), "not well-formed");
    assertFails(write("<domain type='kvm'/><domain type='kvm'/>"), "not well-formed");
    assertFails(write("<Envelope xmlns='http://schemas.dmtf.org/ovf/envelope/1'/>"), "Envelope",
        "not a libvirt domain");
    assertFails(dir.resolve("absent.xml"), "does not exist");
    assertFails(dir, "not a regular file");
  }

  @Test
  void inconsistentValues() throws Exception {
    assertFails(write(domain("", fileDisk("/i/a.qcow2", "vda", "virtio").replace("</disk>",
        "<boot order='1'/></disk>") + "<interface type='network'><source network='default'/><boot order='1'/>"
        + "</interface>"), "a.qcow2"), "devices/interface[1]/boot@order", "also given to");
    assertFails(write(domain("", "<interface type='network'><mac address='52:54:00:zz:00:01'/></interface>")),
        "devices/interface[1]/mac@address", "52:54:00:zz:00:01");
    assertFails(write(domain("<os firmware='coreboot'><type>hvm</type></os>", "")), "os@firmware", "coreboot");
    assertFails(write(domain("<os firmware='efi'><type>hvm</type><firmware><feature enabled='maybe'"
        + " name='secure-boot'/></firmware></os>", "")), "secure-boot", "maybe");
    assertFails(write(domain("<os><type>exe</type></os>", "")), "os/type", "container");
    assertFails(write(domain("", fileDisk("/i/a.qcow2", "vda", "virtio").replace("</disk>",
        "<boot order='0'/></disk>")), "a.qcow2"), "boot@order");
  }

  private VmDescriptionException assertFails(Path file, String... fragments) {
    VmDescriptionException e = assertThrows(VmDescriptionException.class, () -> LibvirtReader.read(file));
    String message = e.getMessage();
    assertTrue(message.contains(file.toString()), message);
    for (String f : fragments) {
      assertTrue(message.contains(f), "'" + f + "' not in: " + message);
    }
    return e;
  }

  private Path fixture(String name, String... disks) throws IOException {
    Path xml = dir.resolve(name);
    try (InputStream in = getClass().getResourceAsStream("/vm/libvirt/" + name)) {
      Files.copy(in, xml);
    }
    createDisks(disks);
    return xml;
  }

  private int written;

  private Path write(String xml, String... disks) throws IOException {
    Path file = dir.resolve("domain" + (++written) + ".xml");
    Files.writeString(file, xml);
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

  private static String domain(String os, String devices) {
    return "<domain type='kvm'><name>t</name><memory unit='MiB'>512</memory><vcpu>1</vcpu>" + os + "<devices>"
        + devices + "</devices></domain>";
  }

  private static String fileDisk(String source, String dev, String bus) {
    return "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='" + source + "'/>"
        + "<target dev='" + dev + "' bus='" + bus + "'/></disk>";
  }

  private static boolean matches(String head) {
    byte[] b = head.getBytes(StandardCharsets.UTF_8);
    return LibvirtReader.matches(b, b.length);
  }
}
