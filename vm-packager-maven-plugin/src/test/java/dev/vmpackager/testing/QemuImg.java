package dev.vmpackager.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * qemu-img (Debian's qemu-utils, installed by .ci/run) as the tests' oracle and fixture maker.
 * Never skipped: a missing qemu-img fails the test.
 */
public final class QemuImg {

  private QemuImg() {}

  /** The outcome of one qemu-img run. */
  public record Result(int exitCode, String output) {}

  /**
   * @param args arguments after {@code qemu-img}
   * @return exit code and combined output
   */
  public static Result run(Object... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add("qemu-img");
    for (Object a : args) {
      cmd.add(a.toString());
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IOException("qemu-img timed out: " + cmd);
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  /** Runs qemu-img and fails the test unless it exits 0. */
  public static String ok(Object... args) throws IOException, InterruptedException {
    Result r = run(args);
    assertEquals(0, r.exitCode(), () -> "qemu-img " + List.of(args) + " failed:\n" + r.output());
    return r.output();
  }

  /** Converts a raw file to another format with extra qemu-img convert options. */
  public static void convert(Path raw, Path out, String format, String... options)
      throws IOException, InterruptedException {
    List<Object> args = new ArrayList<>(List.of("convert", "-f", "raw", "-O", format));
    for (String o : options) {
      args.add(o);
    }
    args.add(raw);
    args.add(out);
    ok(args.toArray());
  }

  /**
   * Asserts {@code qemu-img compare} finds the two images' guest contents identical.
   *
   * @param sourceFormat the source's qemu format name (explicit: fixed VHD probes as raw)
   */
  public static void assertIdentical(Path source, String sourceFormat, Path output, String outputFormat)
      throws IOException, InterruptedException {
    Result r = run("compare", "-f", sourceFormat, "-F", outputFormat, source, output);
    assertEquals(0, r.exitCode(), () -> "qemu-img compare " + source + " " + output + ":\n" + r.output());
  }

  /** Asserts {@code qemu-img check} reports no errors and no leaks. */
  public static void assertCheckClean(Path image, String format) throws IOException, InterruptedException {
    Result r = run("check", "-f", format, image);
    assertEquals(0, r.exitCode(), () -> "qemu-img check " + image + ":\n" + r.output());
  }
}
