package dev.vmpackager.testing;

import dev.vmpackager.io.Digests;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A 64 MiB raw disk that boots only with UEFI and prints one line on the serial console saying
 * what hardware its guest found, made from Debian packages by {@code src/test/scripts/make-efi-boot-disk.sh}
 * (which says how). Made once into {@code target/efi-boot-disk/<script hash>/} and reused while the
 * script is unchanged. Never skipped: a missing tool or package fails the test with the script's
 * message.
 */
public final class EfiBootDisk {

  /** The start of the line the guest prints when it booted. */
  public static final String MARKER = "VMPACKAGER-BOOT-OK";
  /** What the disk's protective MBR prints when a BIOS tries to boot it. */
  public static final String NO_BIOS_MARKER = "VMPACKAGER-NO-BIOS-BOOT";

  private static final Pattern LINE = Pattern.compile(MARKER + " firmware=(\\S+) cpus=(\\d+) sockets=(\\d+) "
      + "cores=(\\d+) threads=(\\d+) memtotal-kib=(\\d+) disks=(\\S+)");

  private EfiBootDisk() {}

  /** What the booted guest saw, as its marker line says. */
  public record Seen(String firmware, int cpus, int sockets, int cores, int threads, long memTotalKiB,
      List<String> disks) {}

  /**
   * @return the disk, made first if needed (about 20 s and a 28 MB download from Debian's mirror)
   */
  public static synchronized Path get() throws IOException, InterruptedException {
    Path script = moduleDir().resolve("src/test/scripts/make-efi-boot-disk.sh");
    String hash = HexFormat.of().formatHex(Digests.sha256().digest(Files.readAllBytes(script))).substring(0, 16);
    Path out = moduleDir().resolve("target/efi-boot-disk").resolve(hash);
    Path disk = out.resolve("efi-boot.raw");
    if (Files.exists(disk)) {
      // The script renames the finished disk into place: a disk that exists is complete.
      return disk;
    }
    Files.createDirectories(out);
    Path log = out.resolve("make.log");
    Process p = new ProcessBuilder("bash", script.toString(), out.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly().waitFor();
      throw new IOException(script + " did not finish in 10 minutes; its log: " + log);
    }
    if (p.exitValue() != 0 || !Files.exists(disk)) {
      throw new IOException(script + " failed (exit " + p.exitValue() + "):\n" + Files.readString(log));
    }
    return disk;
  }

  /**
   * @param serial a boot's serial console output
   * @return what the guest saw, or empty when the marker line is not there
   */
  public static Optional<Seen> seen(String serial) {
    Matcher m = LINE.matcher(serial);
    if (!m.find()) {
      return Optional.empty();
    }
    List<String> disks = m.group(7).equals("none") ? List.of() : List.of(m.group(7).split(","));
    return Optional.of(new Seen(m.group(1), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
        Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)), Long.parseLong(m.group(6)), disks));
  }

  /** The plugin module's folder, found from the test classes (target/test-classes), whatever the working directory. */
  static Path moduleDir() {
    try {
      Path classes = Path.of(EfiBootDisk.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return classes.getParent().getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
