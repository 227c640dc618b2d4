package dev.vmpackager.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dispatcher hands each kind of description to its reader and finds descriptions in a folder. */
class VmDescriptionsTest {

  @TempDir Path dir;

  private Path fixture(String resource, String... disks) throws IOException {
    Path file = dir.resolve(Path.of(resource).getFileName().toString());
    try (InputStream in = getClass().getResourceAsStream("/vm/" + resource)) {
      Files.copy(in, file);
    }
    for (String d : disks) {
      Files.write(dir.resolve(d), new byte[512]);
    }
    return file;
  }

  @Test
  void eachKindGoesToItsReader() throws IOException {
    Path xml = fixture("libvirt/virt-manager-q35-uefi.xml", "debian12-app.qcow2", "debian12-app-data.qcow2");
    Path vbox = fixture("vbox/virtualbox7.vbox", "win11-build.vdi", "data.vdi");
    Path vmx = fixture("vmx/workstation17-efi.vmx", "Ubuntu 64-bit.vmdk", "Ubuntu 64-bit-0.vmdk");
    Path ovf = fixture("ovf/vmware-two-disks-efi.ovf", "appvm-1.vmdk", "appvm-2.vmdk", "appvm-3.nvram");
    assertEquals(DescriptionFormat.LIBVIRT, VmDescriptions.read(xml, Optional.empty()).format());
    assertEquals(DescriptionFormat.VBOX, VmDescriptions.read(vbox, Optional.empty()).format());
    assertEquals(DescriptionFormat.VMX, VmDescriptions.read(vmx, Optional.empty()).format());
    VmDescription d = VmDescriptions.read(ovf, Optional.empty());
    assertEquals(DescriptionFormat.OVF, d.format());
    assertEquals("efi", d.firmware().orElseThrow());
    assertEquals(List.of(ovf, vbox, vmx, xml).stream().sorted().toList(), VmDescriptions.candidates(dir));
  }

  @Test
  void xmlThatIsNoDomainIsNoDescription() throws IOException {
    Path other = dir.resolve("pom-like.xml");
    Files.writeString(other, "<?xml version=\"1.0\"?>\n<project><name>x</name></project>\n");
    assertTrue(VmDescriptions.kindOf(other).isEmpty());
    assertTrue(VmDescriptions.candidates(dir).isEmpty());
    VmDescriptionException e = assertThrows(VmDescriptionException.class,
        () -> VmDescriptions.read(other, Optional.empty()));
    assertTrue(e.getMessage().contains("pom-like.xml") && e.getMessage().contains("not a VM description"),
        e.getMessage());
  }

  @Test
  void ovfConfigurationOnlyForOvf() throws IOException {
    Path xml = fixture("libvirt/virt-manager-q35-uefi.xml", "debian12-app.qcow2", "debian12-app-data.qcow2");
    VmDescriptionException e = assertThrows(VmDescriptionException.class,
        () -> VmDescriptions.read(xml, Optional.of("large")));
    assertTrue(e.getMessage().contains("vm.ovfConfiguration"), e.getMessage());
  }
}
