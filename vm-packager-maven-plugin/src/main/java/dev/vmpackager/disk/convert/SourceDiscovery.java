package dev.vmpackager.disk.convert;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the default source disk: the one disk image file in a project's {@code src/main/vm/}.
 *
 * <p>Every regular file directly in the folder is a candidate except dotfiles, text and metadata
 * that commonly sit beside a disk (cloud-init {@code user-data}/{@code meta-data}/
 * {@code network-config}/{@code vendor-data}, {@code *.yaml}, {@code *.yml}, {@code *.txt},
 * {@code *.md}, {@code *.json}, {@code *.xml}, {@code *.ovf}, {@code *.mf}, checksums and
 * signatures, README/LICENSE files) and the extent files of a split VMDK ({@code -flat},
 * {@code -sNNN}, {@code -fNNN}), which belong to their descriptor.
 */
public final class SourceDiscovery {

  private static final List<String> NOT_DISK_SUFFIXES = List.of(".yaml", ".yml", ".txt", ".md", ".json", ".xml",
      ".ovf", ".mf", ".cert", ".sh", ".cfg", ".conf", ".ini", ".properties", ".asc", ".sig", ".gpg", ".sha1",
      ".sha256", ".sha512", ".md5", ".sum", ".log", ".pem");
  private static final List<String> NOT_DISK_PREFIXES = List.of("user-data", "meta-data", "network-config",
      "vendor-data", "readme", "license", "notice", "sha256sums", "sha512sums", "md5sums");
  private static final Pattern VMDK_EXTENT = Pattern.compile(".*-(flat|s\\d{3}|f\\d{3})\\.vmdk");

  /** The folder holds no disk image, or several. */
  public static final class Problem extends Exception {
    private static final long serialVersionUID = 1L;
    private final List<Path> candidates;

    Problem(String message, List<Path> candidates) {
      super(message);
      this.candidates = List.copyOf(candidates);
    }

    /** @return the candidates found (empty when none) */
    public List<Path> candidates() {
      return candidates;
    }
  }

  private SourceDiscovery() {}

  /**
   * @param folder the folder to look in, e.g. {@code src/main/vm}
   * @return the candidate disk files in it, sorted by name
   */
  public static List<Path> candidates(Path folder) throws IOException {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(folder)) {
      files = s.filter(Files::isRegularFile).filter(p -> isDiskCandidate(p.getFileName().toString())).sorted().toList();
    }
    long descriptors = files.stream().filter(p -> lower(p).endsWith(".vmdk") && !VMDK_EXTENT.matcher(lower(p)).matches())
        .count();
    List<Path> out = new ArrayList<>();
    for (Path p : files) {
      if (descriptors > 0 && VMDK_EXTENT.matcher(lower(p)).matches()) {
        continue;
      }
      out.add(p);
    }
    return out;
  }

  /**
   * @param folder the folder to look in
   * @return the one disk file in it
   * @throws Problem when there is none or more than one, with a message listing them
   */
  public static Path single(Path folder) throws Problem, IOException {
    List<Path> c = candidates(folder);
    if (c.size() == 1) {
      return c.get(0);
    }
    if (c.isEmpty()) {
      throw new Problem("No disk image found in " + folder + (Files.isDirectory(folder) ? "" : " (no such folder)")
          + "; put the VM's disk there or set <source> (vm.source)", c);
    }
    StringBuilder sb = new StringBuilder("Several disk image candidates in " + folder + ": ");
    for (int i = 0; i < c.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(c.get(i).getFileName());
    }
    sb.append("; set <source> (vm.source) to the one to convert");
    throw new Problem(sb.toString(), c);
  }

  /**
   * @param fileName a file's name
   * @return whether a file of that name may be a disk image
   */
  static boolean isDiskCandidate(String fileName) {
    String n = fileName.toLowerCase(Locale.ROOT);
    if (n.startsWith(".") || n.endsWith("~")) {
      return false;
    }
    for (String s : NOT_DISK_SUFFIXES) {
      if (n.endsWith(s)) {
        return false;
      }
    }
    for (String p : NOT_DISK_PREFIXES) {
      if (n.startsWith(p)) {
        return false;
      }
    }
    return true;
  }

  private static String lower(Path p) {
    return p.getFileName().toString().toLowerCase(Locale.ROOT);
  }
}
