package dev.vmpackager.disk.convert;

import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageException;
import java.io.File;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The {@code vm.engine=qemu-img} path: {@code qemu-img convert} from the PATH. */
final class QemuImgConversion {

  private QemuImgConversion() {}

  /** @return the qemu-img executable on the PATH */
  static Path find() throws IOException {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        if (dir.isEmpty()) {
          continue;
        }
        Path p = Path.of(dir, "qemu-img");
        if (Files.isRegularFile(p) && Files.isExecutable(p)) {
          return p;
        }
      }
    }
    throw new IOException("engine qemu-img was chosen (vm.engine) but no qemu-img is on the PATH;"
        + " install qemu-utils or use the default java engine");
  }

  /**
   * @throws DiskImageException when qemu-img cannot read this format (OVA archives)
   */
  static void checkReadable(Path source, DiskFormat sourceFormat) throws DiskImageException {
    if (sourceFormat == DiskFormat.OVA) {
      throw new DiskImageException(source.getFileName() + ": qemu-img cannot read OVA archives; use the java engine");
    }
  }

  /**
   * Runs {@code qemu-img convert -f <source format> -O <format> [-c] source out}.
   *
   * @param sourceFormat the format our own detection found (qemu-img is never left to probe)
   */
  static void run(Path source, DiskFormat sourceFormat, Path out, DiskFormat outputFormat, boolean compress)
      throws IOException {
    checkReadable(source, sourceFormat);
    List<String> cmd = new ArrayList<>(List.of(find().toString(), "convert", "-f", sourceFormat.id(),
        "-O", outputFormat.id()));
    if (compress) {
      cmd.add("-c");
    }
    cmd.add(source.toString());
    cmd.add(out.toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    try {
      int rc = p.waitFor();
      if (rc != 0) {
        throw new IOException("qemu-img convert of " + source.getFileName() + " failed (exit " + rc + "): " + output);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted waiting for qemu-img");
    }
  }
}
