package dev.vmpackager.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Boots a disk under {@code qemu-system-x86_64} (Debian's qemu-system-x86, and ovmf for UEFI;
 * installed by .ci/run) the way KubeVirt runs a VirtualMachine on x86_64: a q35 machine with the
 * VM's CPU topology, memory and firmware, the boot disk on the VM's bus as {@code bootindex=1}, and
 * the disk as the read-only backing file of a throw-away qcow2 overlay (what KubeVirt does with a
 * containerDisk; the disk file itself is never written). TCG, so it runs on any machine; no network
 * and no graphics, the serial console (ttyS0) on standard output.
 *
 * <pre>{@code
 * QemuBoot.Result r = QemuBoot.boot(disk, Machine.of(Firmware.EFI, Bus.VIRTIO).withCpu(1, 2, 1),
 *     workDir, Duration.ofMinutes(3));
 * assertEquals(Outcome.EXITED, r.outcome());
 * }</pre>
 *
 * Never mocked, never skipped: a missing qemu or OVMF file fails the test with the package to install.
 */
public final class QemuBoot {

  /** Where Debian's ovmf package puts the firmware (the 4 MiB builds: the 2 MiB ones are legacy). */
  static final Path OVMF = Path.of("/usr/share/OVMF");
  /** UEFI without Secure Boot. */
  static final String OVMF_CODE = "OVMF_CODE_4M.fd";
  static final String OVMF_VARS = "OVMF_VARS_4M.fd";
  /** UEFI with Secure Boot on and Microsoft's keys enrolled, as KubeVirt's secboot firmware. */
  static final String OVMF_CODE_SECBOOT = "OVMF_CODE_4M.secboot.fd";
  static final String OVMF_VARS_SECBOOT = "OVMF_VARS_4M.ms.fd";

  /**
   * Lines a firmware prints when it found nothing it could boot; after them nothing more happens
   * (SeaBIOS retries after 60 s, OVMF waits for a key or runs its shell), so the boot stops there.
   */
  public static final List<String> FIRMWARE_GAVE_UP = List.of(
      "No bootable device", // SeaBIOS
      "No bootable option or device was found", // OVMF: every boot option failed (e.g. Secure Boot refused them)
      "Shell> "); // OVMF without Secure Boot: its UEFI shell after the boot options failed

  private QemuBoot() {}

  /** {@code domain.firmware.bootloader}: {@code bios} (SeaBIOS) or {@code efi} (OVMF). */
  public enum Firmware { BIOS, EFI }

  /** {@code domain.devices.disks[].disk.bus} values KubeVirt accepts. */
  public enum Bus {
    /** virtio-blk, KubeVirt's default model {@code virtio-non-transitional} (virtio 1.0 only). */
    VIRTIO,
    /** A disk on q35's built-in ICH9 AHCI controller. */
    SATA,
    /** A disk on a virtio-scsi controller (non-transitional, as KubeVirt's default). */
    SCSI;

    /**
     * @param kubevirtName {@code virtio}, {@code sata} or {@code scsi}
     * @return the bus
     * @throws IllegalArgumentException for any other name
     */
    public static Bus of(String kubevirtName) {
      for (Bus b : values()) {
        if (b.kubevirtName().equals(kubevirtName)) {
          return b;
        }
      }
      throw new IllegalArgumentException("disk bus '" + kubevirtName + "' is not one KubeVirt boots from: virtio, sata or scsi");
    }

    /** @return the name KubeVirt's VirtualMachine spec uses */
    public String kubevirtName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * The hardware to boot: what a KubeVirt VirtualMachine's {@code domain} says ({@link RenderedVm}
   * reads it from one).
   *
   * @param sockets {@code cpu.sockets}
   * @param cores {@code cpu.cores} (per socket)
   * @param threads {@code cpu.threads} (per core)
   * @param memoryMiB {@code memory.guest}
   * @param firmware the bootloader
   * @param secureBoot {@code efi.secureBoot} (with SMM on, as KubeVirt requires)
   * @param bus the boot disk's bus
   */
  public record Machine(int sockets, int cores, int threads, long memoryMiB, Firmware firmware, boolean secureBoot,
      Bus bus) {

    /** Checks the values qemu would otherwise reject with a less clear message. */
    public Machine {
      if (sockets < 1 || cores < 1 || threads < 1 || memoryMiB < 64) {
        throw new IllegalArgumentException("need at least 1 socket, core and thread and 64 MiB: " + sockets + "/"
            + cores + "/" + threads + ", " + memoryMiB + " MiB");
      }
      if (secureBoot && firmware != Firmware.EFI) {
        throw new IllegalArgumentException("Secure Boot is a UEFI feature: it needs Firmware.EFI");
      }
    }

    /** @return one CPU, 512 MiB, Secure Boot off */
    public static Machine of(Firmware firmware, Bus bus) {
      return new Machine(1, 1, 1, 512, firmware, false, bus);
    }

    /** @return this machine with that CPU topology */
    public Machine withCpu(int sockets, int cores, int threads) {
      return new Machine(sockets, cores, threads, memoryMiB, firmware, secureBoot, bus);
    }

    /** @return this machine with that much memory */
    public Machine withMemoryMiB(long memoryMiB) {
      return new Machine(sockets, cores, threads, memoryMiB, firmware, secureBoot, bus);
    }

    /** @return this machine with Secure Boot on or off */
    public Machine withSecureBoot(boolean secureBoot) {
      return new Machine(sockets, cores, threads, memoryMiB, firmware, secureBoot, bus);
    }

    /** @return this machine with that firmware (Secure Boot off) */
    public Machine withFirmware(Firmware firmware) {
      return new Machine(sockets, cores, threads, memoryMiB, firmware, false, bus);
    }

    /** @return this machine with the boot disk on that bus */
    public Machine withBus(Bus bus) {
      return new Machine(sockets, cores, threads, memoryMiB, firmware, secureBoot, bus);
    }

    /** @return the number of vCPUs */
    public int cpus() {
      return sockets * cores * threads;
    }
  }

  /** How a boot ended. */
  public enum Outcome {
    /** qemu exited by itself: the guest powered off (or rebooted: qemu runs with {@code -no-reboot}). */
    EXITED,
    /** The firmware found nothing to boot ({@link #FIRMWARE_GAVE_UP}) or a caller's stop line appeared; qemu was stopped. */
    GAVE_UP,
    /** Neither happened before the timeout; qemu was stopped. */
    TIMED_OUT
  }

  /**
   * @param outcome how it ended
   * @param serial everything on the serial console (firmware and guest), carriage returns removed
   * @param elapsed from qemu's start to its end
   * @param command the qemu command line, for messages
   */
  public record Result(Outcome outcome, String serial, Duration elapsed, List<String> command) {

    /** @return whether the serial console showed that text */
    public boolean printed(String text) {
      return serial.contains(text);
    }

    /** @return a description for assertion messages: outcome, time, command and the serial output */
    @Override
    public String toString() {
      return outcome + " after " + elapsed.toMillis() + " ms of " + String.join(" ", command)
          + "\n--- serial console ---\n" + serial + "\n--- end ---";
    }
  }

  /**
   * Boots a disk and returns when qemu exits, the firmware gives up, a stop line appears, or the
   * timeout passes; qemu is never left running.
   *
   * @param disk a raw or qcow2 disk (told apart by the qcow2 magic); only read
   * @param machine the hardware
   * @param workDir a folder for the overlay, the UEFI variable store and the logs
   * @param timeout the longest the boot may take (a TCG boot of Debian's cloud kernel under OVMF
   *     takes 10-40 s on two shared cores)
   * @param stopOn more lines after which nothing else is expected (e.g. a disk's own "not
   *     bootable" message), besides {@link #FIRMWARE_GAVE_UP}
   * @return how it ended and the serial console
   * @throws IOException when qemu, qemu-img or OVMF is missing, or qemu fails by itself
   */
  public static Result boot(Path disk, Machine machine, Path workDir, Duration timeout, String... stopOn)
      throws IOException, InterruptedException {
    Path dir = Files.createDirectories(workDir.toAbsolutePath());
    Path overlay = dir.resolve("overlay.qcow2");
    Files.deleteIfExists(overlay);
    QemuImg.ok("create", "-q", "-f", "qcow2", "-F", format(disk), "-b", disk.toAbsolutePath(), overlay);
    List<String> cmd = command(machine, overlay, dir);
    List<String> stops = new ArrayList<>(FIRMWARE_GAVE_UP);
    stops.addAll(List.of(stopOn));

    Path stderr = dir.resolve("qemu.stderr");
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .redirectError(stderr.toFile()).start();
    } catch (IOException e) {
      throw new IOException("cannot run qemu-system-x86_64: apt-get install qemu-system-x86 ovmf (.ci/run does)", e);
    }
    long start = System.nanoTime();
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    Thread reader = copyInBackground(p.getInputStream(), console, dir.resolve("serial.log"));
    Outcome outcome = null;
    try {
      long deadline = start + timeout.toNanos();
      while (outcome == null) {
        if (p.waitFor(100, TimeUnit.MILLISECONDS)) {
          outcome = Outcome.EXITED;
        } else if (anyPrinted(console, stops)) {
          outcome = Outcome.GAVE_UP;
        } else if (System.nanoTime() > deadline) {
          outcome = Outcome.TIMED_OUT;
        }
      }
    } finally {
      stop(p);
      reader.join(TimeUnit.SECONDS.toMillis(10));
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    String serial = text(console);
    if (outcome == Outcome.EXITED && p.exitValue() != 0) {
      throw new IOException("qemu exited with " + p.exitValue() + ": " + Files.readString(stderr) + "\n"
          + new Result(outcome, serial, elapsed, cmd));
    }
    return new Result(outcome, serial, elapsed, cmd);
  }

  /** @return the qemu command line for that machine booting the overlay */
  static List<String> command(Machine m, Path overlay, Path dir) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("qemu-system-x86_64", "-nodefaults", "-nographic",
        "-serial", "stdio", "-no-reboot", "-accel", "tcg",
        // KubeVirt's default CPU is host-model, which TCG cannot give; qemu64 is, but with AMD's
        // vendor id Linux would read threads from CPUID leaves qemu64 lacks (topoext) and count
        // them as cores: with Intel's it reads leaf 0xB, so the guest sees the VM's topology.
        "-cpu", "qemu64,vendor=GenuineIntel",
        "-smp", m.cpus() + ",sockets=" + m.sockets() + ",cores=" + m.cores() + ",threads=" + m.threads(),
        "-m", Long.toString(m.memoryMiB())));
    if (m.firmware() == Firmware.EFI) {
      Path code = ovmf(m.secureBoot() ? OVMF_CODE_SECBOOT : OVMF_CODE);
      Path vars = dir.resolve("OVMF_VARS.fd");
      // A fresh copy each boot: KubeVirt's EFI variables do not persist either (efi.persistent false).
      Files.copy(ovmf(m.secureBoot() ? OVMF_VARS_SECBOOT : OVMF_VARS), vars, StandardCopyOption.REPLACE_EXISTING);
      if (m.secureBoot()) {
        // What libvirt gives a Secure Boot guest: SMM, the flash writable only from SMM, S3 off.
        cmd.addAll(List.of("-machine", "q35,smm=on", "-global", "driver=cfi.pflash01,property=secure,value=on",
            "-global", "ICH9-LPC.disable_s3=1"));
      } else {
        cmd.addAll(List.of("-machine", "q35"));
      }
      cmd.addAll(List.of("-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + code,
          "-drive", "if=pflash,format=raw,unit=1,file=" + vars));
    } else {
      cmd.addAll(List.of("-machine", "q35"));
    }
    cmd.addAll(List.of("-drive", "if=none,id=bootdisk,format=qcow2,file=" + overlay));
    // As KubeVirt on q35: PCI devices on their own PCIe root port; SATA on the chipset's AHCI.
    switch (m.bus()) {
      case VIRTIO -> cmd.addAll(List.of("-device", "pcie-root-port,id=port1,chassis=1",
          "-device", "virtio-blk-pci-non-transitional,bus=port1,drive=bootdisk,bootindex=1"));
      case SATA -> cmd.addAll(List.of("-device", "ide-hd,bus=ide.0,drive=bootdisk,bootindex=1"));
      case SCSI -> cmd.addAll(List.of("-device", "pcie-root-port,id=port1,chassis=1",
          "-device", "virtio-scsi-pci-non-transitional,bus=port1,id=scsi0",
          "-device", "scsi-hd,bus=scsi0.0,drive=bootdisk,bootindex=1"));
    }
    return cmd;
  }

  private static Path ovmf(String name) throws IOException {
    Path f = OVMF.resolve(name);
    if (!Files.isRegularFile(f)) {
      throw new IOException(f + " is missing: apt-get install ovmf (.ci/run does)");
    }
    return f;
  }

  /** @return qemu's name for the disk's format: qcow2 when it starts with qcow2's magic, raw otherwise */
  static String format(Path disk) throws IOException {
    byte[] magic = new byte[4];
    try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.READ)) {
      ch.read(java.nio.ByteBuffer.wrap(magic), 0);
    }
    return magic[0] == 'Q' && magic[1] == 'F' && magic[2] == 'I' && (magic[3] & 0xff) == 0xfb ? "qcow2" : "raw";
  }

  private static Thread copyInBackground(InputStream in, ByteArrayOutputStream console, Path log) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[8192];
      try (in; OutputStream file = Files.newOutputStream(log)) {
        for (int n; (n = in.read(buf)) > 0; ) {
          synchronized (console) {
            console.write(buf, 0, n);
          }
          file.write(buf, 0, n);
          file.flush();
        }
      } catch (IOException ignored) {
        // qemu was stopped: its output ends here, and what came before is kept.
      }
    }, "qemu-serial");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static boolean anyPrinted(ByteArrayOutputStream console, List<String> lines) {
    String s = text(console);
    return lines.stream().anyMatch(s::contains);
  }

  /** The console as text: byte for byte (firmware draws with escape sequences), without carriage returns. */
  private static String text(ByteArrayOutputStream console) {
    synchronized (console) {
      return console.toString(StandardCharsets.ISO_8859_1).replace("\r", "");
    }
  }

  private static void stop(Process p) throws InterruptedException {
    if (p.isAlive()) {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
      }
    }
  }
}
