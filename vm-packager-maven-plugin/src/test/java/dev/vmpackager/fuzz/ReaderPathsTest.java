package dev.vmpackager.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What makes the fuzz tests' "nothing opened outside the folder" check complete: the
 * {@link WatchedFileSystem} sees every file reached from the path a reader is given, and a reader
 * could only get past it with a path made afresh from a string or through {@code java.io.File}. So
 * the readers of untrusted bytes must not make one; the few files that do are named here with why.
 */
class ReaderPathsTest {

  private static final Pattern FRESH_PATH = Pattern.compile(
      "Path\\.of\\(|Paths\\.get\\(|new File\\(|\\.toFile\\(\\)|new FileInputStream|new RandomAccessFile"
          + "|FileSystems\\.getDefault");

  /** Not readers of untrusted bytes, or paths not taken from them. */
  private static final Set<String> ALLOWED = Set.of(
      "disk/convert/QemuImgConversion.java", // finds qemu-img on PATH
      "disk/qcow2/Qcow2Writer.java", // writes the conversion output
      "disk/raw/RawWriter.java", // writes the conversion output
      "disk/DiskOpenOptions.java", // the default scratch folder, java.io.tmpdir
      "chart/ChartValues.java"); // the POM's values file, not a fuzzed input

  @Test
  void readersMakeNoPathsOfTheirOwn() throws IOException {
    Path main = Path.of("src", "main", "java", "dev", "vmpackager");
    List<String> found = new ArrayList<>();
    for (String pkg : List.of("disk", "vm", "chart", "io")) {
      try (Stream<Path> files = Files.walk(main.resolve(pkg))) {
        for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
          String rel = main.relativize(f).toString().replace('\\', '/');
          List<String> lines = Files.readAllLines(f);
          for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (!l.startsWith("*") && !l.startsWith("//") && FRESH_PATH.matcher(l).find() && !ALLOWED.contains(rel)) {
              found.add(rel + ":" + (i + 1) + ": " + l);
            }
          }
        }
      }
    }
    assertEquals(List.of(), found, "a reader making a path of its own escapes the fuzz tests' open check");
  }
}
