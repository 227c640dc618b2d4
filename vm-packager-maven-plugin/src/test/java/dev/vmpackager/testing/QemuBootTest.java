package dev.vmpackager.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.Helm;
import dev.vmpackager.chart.ChartGenerator;
import dev.vmpackager.chart.ChartSpec;
import dev.vmpackager.event.BuildListener;
import dev.vmpackager.io.Digests;
import dev.vmpackager.testing.EfiBootDisk.Seen;
import dev.vmpackager.testing.QemuBoot.Bus;
import dev.vmpackager.testing.QemuBoot.Firmware;
import dev.vmpackager.testing.QemuBoot.Machine;
import dev.vmpackager.testing.QemuBoot.Outcome;
import dev.vmpackager.testing.QemuBoot.Result;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Boots {@link EfiBootDisk} under qemu as KubeVirt would: with UEFI on each bus the guest finds the
 * hardware it was given; with BIOS, or with Secure Boot (the image is unsigned), it does not boot.
 */
class QemuBootTest {

  /** Generous: a TCG boot takes 10-40 s on two cores that other builds share. */
  private static final Duration TIMEOUT = Duration.ofMinutes(4);

  private static Path disk;

  @TempDir Path tmp;

  @BeforeAll
  static void makeDisk() throws Exception {
    disk = EfiBootDisk.get();
  }

  @Test
  void efiDiskBootsOnVirtioWithTheVmsCpusAndMemoryAndIsNotWritten() throws Exception {
    byte[] before = Digests.sha256().digest(Files.readAllBytes(disk));
    Machine machine = Machine.of(Firmware.EFI, Bus.VIRTIO).withCpu(2, 1, 1).withMemoryMiB(640);

    Result r = QemuBoot.boot(disk, machine, tmp, TIMEOUT);

    assertEquals(Outcome.EXITED, r.outcome(), r::toString);
    Seen seen = EfiBootDisk.seen(r.serial()).orElseThrow(() -> new AssertionError("no marker: " + r));
    assertEquals("efi", seen.firmware(), r::toString);
    assertEquals(List.of(2, 2, 1, 1), List.of(seen.cpus(), seen.sockets(), seen.cores(), seen.threads()), r::toString);
    assertMemory(640, seen, r);
    assertEquals(List.of("vda"), seen.disks(), "virtio-blk is vda: " + r);
    assertArrayEquals(before, Digests.sha256().digest(Files.readAllBytes(disk)), "the booted disk was written");
  }

  @Test
  void efiDiskBootsFromSataWithTheMachineARenderedChartDescribes() throws Exception {
    Path chart = new ChartGenerator(BuildListener.NONE).generate(ChartSpec.builder()
        .name("boot-test").version("0.1.0").appVersion("0.1.0").image("registry.example/boot-test:0.1.0")
        .vmName("boot-test").firmware("efi").secureBoot(false).diskBus("sata").cpuCores(2).memory("768Mi")
        .build(), tmp.resolve("helm"));
    RenderedVm vm = RenderedVm.fromManifests(new Helm(chart).template().withKubeVersion("1.33.0").withName("boot").call());
    assertEquals(new Machine(1, 2, 1, 768, Firmware.EFI, false, Bus.SATA), vm.machine());

    Result r = QemuBoot.boot(disk, vm.machine(), tmp.resolve("boot"), TIMEOUT);

    assertEquals(Outcome.EXITED, r.outcome(), r::toString);
    Seen seen = EfiBootDisk.seen(r.serial()).orElseThrow(() -> new AssertionError("no marker: " + r));
    assertEquals(List.of(2, 1, 2, 1), List.of(seen.cpus(), seen.sockets(), seen.cores(), seen.threads()), r::toString);
    assertMemory(768, seen, r);
    // OVMF read the disk through AHCI (Debian's cloud kernel has no AHCI driver, so the guest lists no disk).
    assertTrue(r.serial().matches("(?s).*BdsDxe: starting Boot[0-9A-F]{4} \"[^\"]*\" from PciRoot\\(0x0\\)/Pci\\(0x1F,0x2\\)/Sata\\(.*"),
        () -> "booted from the SATA disk: " + r);
  }

  @Test
  void efiDiskBootsAsQcow2FromScsiWithThreads() throws Exception {
    Path qcow2 = tmp.resolve("efi-boot.qcow2");
    QemuImg.convert(disk, qcow2, "qcow2");
    Machine machine = Machine.of(Firmware.EFI, Bus.SCSI).withCpu(1, 1, 2);

    Result r = QemuBoot.boot(qcow2, machine, tmp.resolve("boot"), TIMEOUT);

    assertEquals(Outcome.EXITED, r.outcome(), r::toString);
    Seen seen = EfiBootDisk.seen(r.serial()).orElseThrow(() -> new AssertionError("no marker: " + r));
    assertEquals(List.of(2, 1, 1, 2), List.of(seen.cpus(), seen.sockets(), seen.cores(), seen.threads()), r::toString);
    assertEquals(List.of("sda"), seen.disks(), "virtio-scsi disk is sda: " + r);
    assertTrue(r.printed("/Scsi(0x0,0x0)"), () -> "booted from the SCSI disk: " + r);
  }

  @Test
  void biosDoesNotBootTheEfiDisk() throws Exception {
    Result r = QemuBoot.boot(disk, Machine.of(Firmware.BIOS, Bus.VIRTIO), tmp, TIMEOUT, EfiBootDisk.NO_BIOS_MARKER);

    assertEquals(Outcome.GAVE_UP, r.outcome(), r::toString);
    assertTrue(r.printed("SeaBIOS") && r.printed("Booting from Hard Disk"), () -> "SeaBIOS tried the disk: " + r);
    assertTrue(r.printed(EfiBootDisk.NO_BIOS_MARKER), r::toString);
    assertFalse(r.printed(EfiBootDisk.MARKER), r::toString);
  }

  @Test
  void secureBootRefusesTheUnsignedImage() throws Exception {
    Machine machine = Machine.of(Firmware.EFI, Bus.VIRTIO).withSecureBoot(true);

    Result r = QemuBoot.boot(disk, machine, tmp, TIMEOUT);

    assertEquals(Outcome.GAVE_UP, r.outcome(), r::toString);
    assertTrue(r.printed("Access Denied"), () -> "OVMF refused the unsigned image: " + r);
    assertFalse(r.printed(EfiBootDisk.MARKER), r::toString);
  }

  @Test
  void emptyDiskMakesTheFirmwareGiveUp() throws Exception {
    // Without this, a harness that never saw the firmware give up would only time out.
    Path empty = tmp.resolve("empty.raw");
    try (RandomAccessFile f = new RandomAccessFile(empty.toFile(), "rw")) {
      f.setLength(16 << 20);
    }

    Result r = QemuBoot.boot(empty, Machine.of(Firmware.BIOS, Bus.SATA), tmp.resolve("boot"), TIMEOUT);

    assertEquals(Outcome.GAVE_UP, r.outcome(), r::toString);
    assertTrue(r.printed("No bootable device"), r::toString);
  }

  /** The guest's MemTotal is what it was given less what firmware and kernel keep: 85 to 100 %. */
  private static void assertMemory(long mib, Seen seen, Result r) {
    long kib = mib * 1024;
    assertTrue(seen.memTotalKiB() > kib * 85 / 100 && seen.memTotalKiB() <= kib,
        () -> seen.memTotalKiB() + " KiB for " + mib + " MiB: " + r);
  }
}
