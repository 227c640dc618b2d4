package dev.vmpackager.disk.convert;

import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageException;
import dev.vmpackager.disk.DiskImages;
import dev.vmpackager.disk.HypervisorFiles;
import dev.vmpackager.disk.vmdk.VmdkDriver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds the default source disk: the one disk image in a project's {@code src/main/vm/}.
 *
 * <p>A regular file directly in the folder is a candidate when its name says it is a disk (an
 * extension of {@link DiskFormat}: {@code .qcow2}, {@code .vmdk}, {@code .img}, ...) or its
 * content is one: a format detected from content, or a raw disk (a whole, non-zero number of
 * 512-byte sectors). Never candidates: dotfiles and backups ({@code ~}), a hypervisor's other files
 * ({@link HypervisorFiles}: {@code .vmx}, {@code .nvram}, {@code .vbox}, libvirt {@code .xml},
 * {@code .ovf}, {@code .mf}, logs, {@code .iso}...), text and metadata that commonly sit beside a
 * disk (cloud-init {@code user-data}/{@code meta-data}/{@code network-config}/{@code vendor-data},
 * {@code *.yaml}, {@code *.txt}, {@code *.md}, {@code *.json}, checksums and signatures,
 * README/LICENSE files), and the extent files a VMDK descriptor in the folder names, which are part
 * of its disk (found by reading the descriptors, whatever the extents are called).
 */
public final class SourceDiscovery {

  private static final List<String> NOT_DISK_SUFFIXES = List.of(".yaml", ".yml", ".txt", ".md", ".json",
      ".sh", ".cfg", ".conf", ".ini", ".properties", ".asc", ".sig", ".gpg", ".sha1", ".sha256", ".sha512", ".md5",
      ".sum", ".pem", ".bak");
  private static final List<String> NOT_DISK_PREFIXES = List.of("user-data", "meta-data", "network-config",
      "vendor-data", "readme", "license", "notice", "sha256sums", "sha512sums", "md5sums");
  /** A raw disk is a whole number of these. */
  private static final int SECTOR = 512;

  /** The folder's files sorted by name: the disk candidates and the files that are not disks. */
  private record Scan(List<Path> candidates, List<Path> notDisks) {}

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
    return scan(folder).candidates();
  }

  private static Scan scan(Path folder) throws IOException {
    if (!Files.isDirectory(folder)) {
      return new Scan(List.of(), List.of());
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(folder)) {
      files = s.filter(Files::isRegularFile).filter(p -> !isHidden(name(p))).sorted().toList();
    }
    List<Path> possible = new ArrayList<>();
    List<Path> notDisks = new ArrayList<>();
    for (Path p : files) {
      (isDiskCandidate(name(p)) ? possible : notDisks).add(p);
    }
    Set<Path> extents = new HashSet<>();
    for (Path p : possible) {
      extents.addAll(extentsNamedBy(folder, p));
    }
    List<Path> candidates = new ArrayList<>();
    for (Path p : possible) {
      if (extents.contains(p.toAbsolutePath().normalize())) {
        continue;
      }
      (isDisk(p) ? candidates : notDisks).add(p);
    }
    notDisks.sort(null);
    return new Scan(candidates, notDisks);
  }

  /**
   * @return the files in {@code folder} a VMDK text descriptor names as its extents (absolute,
   *     normalised); empty when {@code file} is not a descriptor. Only names are resolved here:
   *     whether the reader accepts them is its business when the descriptor is converted.
   */
  private static List<Path> extentsNamedBy(Path folder, Path file) throws IOException {
    List<String> names;
    try {
      names = VmdkDriver.extentFileNames(file);
    } catch (DiskImageException e) {
      // A damaged descriptor is still a candidate; converting it reports what is wrong.
      return List.of();
    }
    Path base = folder.toAbsolutePath().normalize();
    Path self = file.toAbsolutePath().normalize();
    List<Path> out = new ArrayList<>();
    for (String n : names) {
      try {
        Path extent = base.resolve(n.replace('\\', '/')).normalize();
        if (!extent.equals(self)) {
          // A descriptor naming itself stays a candidate: converting it says what is wrong.
          out.add(extent);
        }
      } catch (InvalidPathException e) {
        // Not a name any file here has.
      }
    }
    return out;
  }

  /**
   * @return whether the file's name says it is a disk image, or its content is one: a detected
   *     format, or a raw disk of a whole, non-zero number of sectors
   */
  private static boolean isDisk(Path file) throws IOException {
    String n = name(file).toLowerCase(Locale.ROOT);
    for (DiskFormat f : DiskFormat.values()) {
      if (f.extensions().stream().anyMatch(n::endsWith)) {
        return true;
      }
    }
    DiskFormat detected;
    try {
      detected = DiskImages.detect(file);
    } catch (DiskImageException e) {
      // Looks like a disk format but is damaged: converting it reports what is wrong.
      return true;
    }
    long size = Files.size(file);
    return detected != DiskFormat.RAW || (size > 0 && size % SECTOR == 0);
  }

  /**
   * @param folder the folder to look in
   * @return the one disk file in it
   * @throws Problem when there is none or more than one, with a message listing them
   */
  public static Path single(Path folder) throws Problem, IOException {
    Scan scan = scan(folder);
    List<Path> c = scan.candidates();
    if (c.size() == 1) {
      return c.get(0);
    }
    if (c.isEmpty()) {
      StringBuilder sb = new StringBuilder("No disk image found in " + folder
          + (Files.isDirectory(folder) ? "" : " (no such folder)"));
      if (!scan.notDisks().isEmpty()) {
        sb.append(" (not disk images: ").append(names(scan.notDisks())).append(')');
      }
      throw new Problem(sb.append("; put the VM's disk there or set <source> (vm.source)").toString(), c);
    }
    throw new Problem("Several disk image candidates in " + folder + ": " + names(c)
        + "; set <source> (vm.source) to the one to convert", c);
  }

  /**
   * @param fileName a file's name
   * @return whether a file of that name may be a disk image (it is not hidden, a hypervisor's
   *     other file, text or metadata)
   */
  static boolean isDiskCandidate(String fileName) {
    String n = fileName.toLowerCase(Locale.ROOT);
    if (isHidden(n) || HypervisorFiles.describe(n).isPresent()) {
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

  private static boolean isHidden(String fileName) {
    return fileName.startsWith(".") || fileName.endsWith("~");
  }

  private static String names(List<Path> files) {
    StringBuilder sb = new StringBuilder();
    for (Path p : files) {
      sb.append(sb.length() == 0 ? "" : ", ").append(p.getFileName());
    }
    return sb.toString();
  }

  private static String name(Path p) {
    return p.getFileName().toString();
  }
}
