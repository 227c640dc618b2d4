package dev.vmpackager.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * A small tmpfs mounted under {@code target/}, to make writers hit a full disk (ENOSPC) for real.
 * The tests run as root (here and in CI); a failed mount fails the test rather than skipping it.
 */
public final class TinyTmpfs implements AutoCloseable {

  private final Path dir;

  private TinyTmpfs(Path dir) {
    this.dir = dir;
  }

  /**
   * @param name a folder name under {@code target/tmpfs/}
   * @param size the tmpfs size option, e.g. {@code 3m}
   * @return the mounted file system; close it to unmount
   */
  public static TinyTmpfs mount(String name, String size) throws IOException, InterruptedException {
    Path dir = Files.createDirectories(Path.of("target", "tmpfs", name).toAbsolutePath());
    run(new ArrayList<>(), "umount", dir.toString()); // a mount left by an earlier, killed run
    List<String> out = new ArrayList<>();
    int rc = run(out, "mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
    if (rc != 0) {
      throw new AssertionError("cannot mount a " + size + " tmpfs on " + dir + " (exit " + rc + ": " + out
          + "); this test needs root and mount(8) to simulate a full disk");
    }
    return new TinyTmpfs(dir);
  }

  /** @return the mount point */
  public Path dir() {
    return dir;
  }

  /** Fills the file system with a file {@code .filler} until ENOSPC, so any further data write fails. */
  public void fill() throws IOException {
    byte[] b = new byte[4096];
    try (OutputStream o = Files.newOutputStream(dir.resolve(".filler"))) {
      while (true) {
        o.write(b);
      }
    } catch (IOException full) {
      if (!String.valueOf(full.getMessage()).contains("No space left on device")) {
        throw full;
      }
    }
  }

  /** @return the names in the mount point, except the {@code .filler} */
  public List<String> names() throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> !p.equals(dir) && !p.getFileName().toString().equals(".filler"))
          .map(p -> dir.relativize(p).toString()).sorted().toList();
    }
  }

  /**
   * @param file a file to create
   * @param size its length, all random (incompressible) bytes
   * @param seed the random seed
   * @return {@code file}
   */
  public static Path randomFile(Path file, long size, long seed) throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] b = new byte[1 << 20];
    try (OutputStream o = Files.newOutputStream(file)) {
      for (long left = size; left > 0; left -= b.length) {
        r.nextBytes(b);
        o.write(b, 0, (int) Math.min(b.length, left));
      }
    }
    return file;
  }

  @Override
  public void close() throws IOException, InterruptedException {
    List<String> out = new ArrayList<>();
    int rc = run(out, "umount", dir.toString());
    if (rc != 0) {
      throw new AssertionError("cannot unmount " + dir + ": " + out);
    }
  }

  private static int run(List<String> out, String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    out.add(new String(p.getInputStream().readAllBytes()).trim());
    return p.waitFor();
  }
}
