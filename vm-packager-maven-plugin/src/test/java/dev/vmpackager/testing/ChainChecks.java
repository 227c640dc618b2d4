package dev.vmpackager.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageException;
import dev.vmpackager.disk.DiskImages;
import dev.vmpackager.disk.DiskOpenOptions;
import dev.vmpackager.disk.OpenedDisk;
import dev.vmpackager.disk.convert.ConversionRequest;
import dev.vmpackager.disk.convert.DiskConverter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Checks for differencing images (backing files, delta disks): write into them with qemu-io,
 * convert them with our converter and judge the result with qemu-img, or expect a refusal that
 * names the file and leaves nothing behind.
 */
public final class ChainChecks {

  private ChainChecks() {}

  /** Runs {@code qemu-io -f format -c cmd...} on an image and fails the test unless it succeeds. */
  public static void qemuIo(Path image, String format, String... commands) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("qemu-io", "-f", format));
    for (String c : commands) {
      cmd.add("-c");
      cmd.add(c);
    }
    cmd.add(image.toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), () -> "qemu-io " + cmd + ": " + out);
    assertTrue(!out.contains("failed") && !out.contains("error"), () -> "qemu-io " + cmd + ": " + out);
  }

  /**
   * Reads the chain through our reader (with external files allowed) into a raw file, from
   * several threads too, and converts it with the java engine to qcow2 and to raw: all three must
   * be identical to the child as qemu-img reads it, and the qcow2 must check clean.
   *
   * @param child the top of the chain
   * @param format its qemu format name
   * @param work a folder for the outputs (not the chain's folder)
   */
  public static void assertConvertsLikeQemu(Path child, String format, Path work) throws Exception {
    Files.createDirectories(work);
    String base = child.getFileName().toString();
    Path dump = work.resolve(base + ".dump.raw");
    try (OpenedDisk d = DiskImages.open(child, null, new DiskOpenOptions(true))) {
      assertEquals(DiskFormat.fromId(format).orElseThrow(), d.format());
      ReaderDump.toRaw(d.reader(), dump);
      DriverChecks.assertConcurrentReadsAgree(d.reader(), dump);
    }
    QemuImg.assertIdentical(child, format, dump, "raw");
    for (DiskFormat out : List.of(DiskFormat.QCOW2, DiskFormat.RAW)) {
      Path target = work.resolve(base + ".out." + out.id());
      new DiskConverter().convert(ConversionRequest.builder().source(child).output(target).outputFormat(out)
          .allowExternalReferences(true).build());
      QemuImg.assertIdentical(child, format, target, out.id());
      if (out == DiskFormat.QCOW2) {
        QemuImg.assertCheckClean(target, "qcow2");
        String info = QemuImg.ok("info", "-f", "qcow2", target);
        assertTrue(!info.contains("backing file"), () -> "the output must stand alone: " + info);
      }
    }
  }

  /**
   * Converts {@code child} (to qcow2, java engine) and expects a refusal of type {@code type} that
   * names the child and every word; the output folder must stay empty.
   *
   * @return the exception
   */
  public static <T extends DiskImageException> T assertConversionRefused(Path child, boolean allowExternal,
      Class<T> type, Path work, String... words) throws IOException {
    Path out = Files.createDirectories(work).resolve("out.qcow2");
    T e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(type, () -> new DiskConverter().convert(
        ConversionRequest.builder().source(child).output(out).allowExternalReferences(allowExternal).build())));
    String msg = e.getMessage();
    assertTrue(msg.contains(child.getFileName().toString()), () -> "message does not name the file: " + msg);
    for (String w : words) {
      assertTrue(msg.contains(w), () -> "'" + w + "' missing from: " + msg);
    }
    try (Stream<Path> left = Files.list(work)) {
      List<Path> files = left.toList();
      assertTrue(files.isEmpty(), () -> "left behind: " + files);
    }
    return e;
  }
}
