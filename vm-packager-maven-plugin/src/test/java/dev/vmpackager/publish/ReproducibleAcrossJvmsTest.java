package dev.vmpackager.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vmpackager.io.Digests;
import dev.vmpackager.io.FileTrees;
import dev.vmpackager.testing.PatternedDisk;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same input gives byte-identical outputs in every JVM (DESIGN.md: "a fresh JVM each time").
 * {@code Map.of}/{@code Set.of} iterate in an order salted from the clock when the JVM starts,
 * so two builds in one JVM cannot show it: this test runs {@link ReproducibleBuildMain} in four
 * fresh JVMs, in the same project folder (absolute paths are the same), each with another locale,
 * time zone, default charset, identity hash algorithm and thread count, and compares the SHA-256
 * of every file each one wrote.
 */
class ReproducibleAcrossJvmsTest {

  /**
   * JVM options of each run: what differs between two machines, besides the salt of every JVM.
   * Locales with other digits than ASCII (ar, fa, th-TH-u-nu-thai...) are left out: Jib's
   * {@code DescriptorDigest} and {@code ImageReference} build their regular expressions with a
   * locale-dependent {@code String.format("%d")} and fail to load there (GoogleContainerTools/jib#3939).
   */
  private static final List<List<String>> RUNS = List.of(
      List.of("-Dthreads=1"),
      List.of("-Dthreads=4", "-Duser.language=tr", "-Duser.country=TR", "-Duser.timezone=Pacific/Kiritimati",
          "-XX:+UnlockExperimentalVMOptions", "-XX:hashCode=2"),
      List.of("-Dthreads=3", "-Duser.language=de", "-Duser.country=DE", "-Duser.timezone=America/St_Johns",
          "-Dfile.encoding=ISO-8859-1", "-Xshare:off"),
      List.of("-Dthreads=2", "-Duser.language=hi", "-Duser.country=IN", "-Duser.timezone=Asia/Kathmandu",
          "-XX:+UnlockExperimentalVMOptions", "-XX:hashCode=3"));

  /**
   * Lines of the state files that hold what is not an output of the build's inputs: the times and
   * inodes of the converted disk and the layer blob, kept to notice a changed file.
   */
  private static final List<String> VOLATILE = List.of("output.mtime=", "fileFingerprint=", "diskFingerprint=", "key=");

  @TempDir Path tmp;

  @Test
  void everyOutputIsTheSameInEveryJvm() throws Exception {
    Path source = PatternedDisk.create(tmp.resolve("source.raw"), 8L << 20, 11);
    Path project = tmp.resolve("project");
    List<SortedMap<String, String>> digests = new ArrayList<>();
    List<SortedMap<String, byte[]>> contents = new ArrayList<>();
    for (List<String> options : RUNS) {
      FileTrees.deleteRecursively(project);
      run(options, project, source);
      SortedMap<String, byte[]> files = files(project.resolve("target"));
      contents.add(files);
      SortedMap<String, String> d = new TreeMap<>();
      files.forEach((k, v) -> d.put(k, Digests.sha256(v)));
      digests.add(d);
    }
    SortedMap<String, String> first = digests.get(0);
    for (String expected : List.of("myvm-1.0.0.tgz", "helm/myvm/values.schema.json", "helm/myvm/values.yaml",
        "helm/myvm/Chart.yaml", "helm/myvm/templates/virtualmachine.yaml", "helm/myvm/templates/configmap.yaml",
        "helm/myvm/kubevirt-usb.yaml", "push/config.json", "push/manifest.json", "myvm-containerdisk.tar",
        "myvm-containerdisk-docker.tar", "myvm-containerdisk-zstd.tar", "myvm-oci/index.json", "vm/myvm.qcow2", "vm/.myvm.qcow2.state",
        "vm/containerdisk.properties", "vm/containerdisk.digest", "vm/containerdisk/layer.properties")) {
      assertTrue(first.containsKey(expected), () -> expected + " was not written: " + first.keySet());
    }
    StringBuilder differences = new StringBuilder();
    for (int run = 1; run < RUNS.size(); run++) {
      SortedMap<String, String> other = digests.get(run);
      if (!other.keySet().equals(first.keySet())) {
        differences.append("run ").append(run + 1).append(" ").append(RUNS.get(run)).append(" wrote other files: ")
            .append(other.keySet()).append(" instead of ").append(first.keySet()).append('\n');
        continue;
      }
      for (Map.Entry<String, String> e : first.entrySet()) {
        if (!e.getValue().equals(other.get(e.getKey()))) {
          differences.append("run ").append(run + 1).append(" ").append(RUNS.get(run)).append(": ").append(e.getKey())
              .append(" differs").append(firstDifferentLine(contents.get(0).get(e.getKey()),
                  contents.get(run).get(e.getKey()))).append('\n');
        }
      }
    }
    if (differences.length() > 0) {
      fail("The outputs differ between JVMs:\n" + differences);
    }
  }

  private static void run(List<String> options, Path project, Path source) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.addAll(options);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ReproducibleBuildMain.class.getName());
    cmd.add(project.toString());
    cmd.add(source.toString());
    Path log = project.resolveSibling("child.log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      fail("the build in a child JVM " + options + " did not finish in 5 minutes");
    }
    assertEquals(0, p.exitValue(), () -> "the build in a child JVM " + options + " failed:\n" + read(log));
  }

  private static String read(Path log) {
    try {
      return Files.readString(log, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** @return every file under {@code root} by '/'-separated relative path, volatile lines removed */
  private static SortedMap<String, byte[]> files(Path root) throws IOException {
    SortedMap<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path f : s.filter(Files::isRegularFile).toList()) {
        String rel = root.relativize(f).toString().replace('\\', '/');
        byte[] bytes = Files.readAllBytes(f);
        if (rel.endsWith(".state") || rel.endsWith("layer.properties")) {
          bytes = new String(bytes, StandardCharsets.ISO_8859_1).lines()
              .filter(l -> VOLATILE.stream().noneMatch(l::startsWith))
              .collect(Collectors.joining("\n")).getBytes(StandardCharsets.ISO_8859_1);
        }
        out.put(rel, bytes);
      }
    }
    return out;
  }

  /** @return where two files first differ, as text lines when they are text */
  private static String firstDifferentLine(byte[] a, byte[] b) {
    String x = new String(a, StandardCharsets.UTF_8);
    String y = new String(b, StandardCharsets.UTF_8);
    if (x.indexOf('\0') >= 0 || y.indexOf('\0') >= 0) {
      return " (binary, " + a.length + " and " + b.length + " bytes)";
    }
    String[] xl = x.split("\n", -1);
    String[] yl = y.split("\n", -1);
    for (int i = 0; i < Math.min(xl.length, yl.length); i++) {
      if (!xl[i].equals(yl[i])) {
        return " at line " + (i + 1) + ":\n    first run: " + xl[i].strip() + "\n    this run:  " + yl[i].strip();
      }
    }
    return " in length (" + xl.length + " and " + yl.length + " lines)";
  }
}
