package dev.vmpackager.disk.vmdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.testing.QemuImg;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 1.5 TiB monolithicSparse VMDK as qemu-img creates it (every grain table preallocated: 96 MiB of
 * all-zero tables in a sparse file) with two small writes converts in a JVM whose heap is capped
 * at 64 MiB (it ran out of heap when every table was kept): the reader keeps only tables with
 * entries, so memory follows the data, not the virtual size.
 */
@Timeout(180)
class VmdkLargeSparseTest {

  @TempDir Path dir;

  @Test
  void oneAndAHalfTebibyteSparseDiskConvertsIn64MiBOfHeap() throws Exception {
    Path vmdk = dir.resolve("big.vmdk");
    QemuImg.ok("create", "-q", "-f", "vmdk", vmdk.toString(), "1536G");
    run(List.of("qemu-io", "-f", "vmdk", "-c", "write -P 0x11 512G 64k", "-c", "write -P 0x22 1T 1M", vmdk.toString()));
    Path out = dir.resolve("big.qcow2");
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String log = run(List.of(java, "-Xmx64m", "-cp", cp, "dev.vmpackager.bench.ConvertBenchmark", "convert",
        vmdk.toString(), "qcow2", out.toString()));
    assertTrue(log.contains("big.vmdk -> qcow2"), log);
    QemuImg.assertIdentical(vmdk, "vmdk", out, "qcow2");
    QemuImg.assertCheckClean(out, "qcow2");
  }

  private static String run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(150, TimeUnit.SECONDS), "timed out: " + command);
    assertEquals(0, p.exitValue(), () -> String.join(" ", command.subList(0, Math.min(3, command.size())))
        + " failed:\n" + out);
    return out;
  }
}
