package dev.vmpackager.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.Helm;
import dev.vmpackager.chart.ChartGenerator;
import dev.vmpackager.chart.ChartSpec;
import dev.vmpackager.event.BuildListener;
import dev.vmpackager.testing.QemuBoot.Bus;
import dev.vmpackager.testing.QemuBoot.Firmware;
import dev.vmpackager.testing.QemuBoot.Machine;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the boot hardware from VirtualMachine manifests as KubeVirt reads them. */
class RenderedVmTest {

  @TempDir Path tmp;

  private static RenderedVm vm(String domain, String volumes) throws Exception {
    return RenderedVm.fromManifests("""
        apiVersion: v1
        kind: Service
        metadata: {name: other}
        ---
        apiVersion: kubevirt.io/v1
        kind: VirtualMachine
        metadata: {name: app}
        spec:
          dataVolumeTemplates:
            - metadata: {name: app-os}
              spec: {source: {registry: {url: "docker://registry.example/app-os:1"}}}
          template:
            spec:
              domain:
        %s
              volumes:
        %s
        """.formatted(domain.indent(8), volumes.indent(8)));
  }

  private static final String DISKS = """
      devices:
        disks:
          - {name: os, disk: {bus: sata}}
      """;

  @Test
  void unsetFieldsTakeKubeVirtsDefaults() throws Exception {
    RenderedVm vm = vm("""
        memory: {guest: 1Gi}
        devices:
          disks:
            - {name: os, disk: {}}
        """, "- {name: os, containerDisk: {image: registry.example/app:1}}");
    assertEquals(new Machine(1, 1, 1, 1024, Firmware.BIOS, false, Bus.VIRTIO), vm.machine());
    assertEquals("q35", vm.machineType());
    assertEquals("os", vm.bootDisk());
    assertEquals(Optional.of("registry.example/app:1"), vm.bootImage());
  }

  @Test
  void cpuTopologyMemoryAndEfiAreRead() throws Exception {
    RenderedVm vm = vm("""
        cpu: {sockets: 2, cores: 3, threads: 2}
        resources: {requests: {memory: 4096M}}
        firmware: {bootloader: {efi: {secureBoot: false}}}
        machine: {type: pc-q35-rhel9.6.0}
        """ + DISKS, "[]");
    assertEquals(new Machine(2, 3, 2, 3907, Firmware.EFI, false, Bus.SATA), vm.machine(), "4096M = 3906.25 MiB, rounded up");
    assertEquals("pc-q35-rhel9.6.0", vm.machineType());
    assertEquals(Optional.empty(), vm.bootImage());
  }

  @Test
  void efiWithoutSecureBootKeyIsSecureBootAndNeedsSmm() throws Exception {
    String efi = """
        memory: {guest: 1.5Gi}
        firmware: {bootloader: {efi: {}}}
        """;
    assertTrue(vm(efi + "features: {smm: {enabled: true}}\n" + DISKS, "[]").machine().secureBoot());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> vm(efi + DISKS, "[]"));
    assertTrue(e.getMessage().contains("domain.features.smm.enabled"), e.getMessage());
    assertEquals(1536, vm(efi + "features: {smm: {enabled: true}}\n" + DISKS, "[]").machine().memoryMiB());
  }

  @Test
  void bootDiskIsTheLowestBootOrderAndItsImageComesFromItsVolume() throws Exception {
    RenderedVm vm = vm("""
        memory: {guest: 512Mi}
        devices:
          disks:
            - {name: data, bootOrder: 2, disk: {bus: virtio}}
            - {name: cloudinitdisk, disk: {bus: virtio}}
            - {name: os, bootOrder: 1, disk: {bus: scsi}}
        """, """
        - {name: data, containerDisk: {image: registry.example/app-data:1}}
        - {name: os, dataVolume: {name: app-os}}
        """);
    assertEquals("os", vm.bootDisk());
    assertEquals(Bus.SCSI, vm.machine().bus());
    assertEquals(Optional.of("registry.example/app-os:1"), vm.bootImage());
  }

  @Test
  void whatKubeVirtOrQemuCannotRunIsAnErrorNamingTheField() {
    String disks = DISKS;
    assertMessage("instancetype", () -> RenderedVm.fromManifests("""
        kind: VirtualMachine
        metadata: {name: app}
        spec: {instancetype: {name: u1.small}, template: {spec: {domain: {}}}}
        """));
    assertMessage("domain.machine.type 'pc-i440fx-7.2'", () -> vm("memory: {guest: 1Gi}\nmachine: {type: pc-i440fx-7.2}\n" + disks, "[]"));
    assertMessage("domain.memory.guest 'lots'", () -> vm("memory: {guest: lots}\n" + disks, "[]"));
    assertMessage("neither domain.memory.guest", () -> vm(disks, "[]"));
    assertMessage("not a disk (cdrom", () -> vm("memory: {guest: 1Gi}\ndevices: {disks: [{name: iso, cdrom: {bus: sata}}]}", "[]"));
    assertMessage("disk bus 'usb'", () -> vm("memory: {guest: 1Gi}\ndevices: {disks: [{name: os, disk: {bus: usb}}]}", "[]"));
    assertMessage("found 0", () -> RenderedVm.fromManifests("kind: Service\n"));
  }

  @Test
  void readsWhatTheChartRenders() throws Exception {
    Path chart = new ChartGenerator(BuildListener.NONE).generate(ChartSpec.builder()
        .name("boot-test").version("0.1.0").appVersion("0.1.0").image("registry.example/boot-test:0.1.0")
        .vmName("boot-test").build(), tmp.resolve("helm"));
    RenderedVm vm = RenderedVm.fromManifests(new Helm(chart).template().withKubeVersion("1.33.0").withName("boot").call());
    assertEquals("boot-test", vm.name());
    assertEquals(new Machine(1, 1, 1, 1024, Firmware.BIOS, false, Bus.VIRTIO), vm.machine());
    assertEquals("rootdisk", vm.bootDisk());
    assertTrue(vm.bootImage().orElseThrow().startsWith("registry.example/boot-test:0.1.0"), vm.bootImage().toString());
  }

  private static void assertMessage(String part, org.junit.jupiter.api.function.Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().contains(part), e.getMessage());
  }
}
