package dev.vmpackager.fuzz;

import dev.vmpackager.chart.ChartConfigException;
import dev.vmpackager.disk.DiskImageException;
import dev.vmpackager.vm.VmDescriptionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One fuzz input as a file: written into a fresh case folder of a per-JVM root, opened through a
 * {@link WatchedFileSystem} path, and checked against the properties every fuzz target asserts.
 *
 * <p>Layout of the root ({@code target/fuzz-tmp/<pid>/}):
 * <pre>
 *   outside-*           sentinels: valid small disks (and a description) just outside the case folder;
 *                       seeds reference them as ../outside-..., so a reader that followed such a
 *                       reference would open a real file, and the open is caught here
 *   sibling/outside-*   the same, in a sibling folder (../sibling/...)
 *   case/               the fuzzed file, plus companion files the descriptions and VMDK descriptors
 *                       name (a flat extent, a sparse extent, disks by the fixtures' names)
 *   scratch/            DiskOpenOptions.scratchDirectory (a gzip OVA entry is inflated there)
 * </pre>
 * Allowed opens: files in {@code case/} and {@code scratch/}. Anything else opened is a finding.
 */
final class FuzzCase {

  /** Companions in case/ and sentinels outside it, from src/test/resources/dev/vmpackager/fuzz/companions. */
  private static final List<String> COMPANIONS = List.of("flat.vmdk", "sparse.vmdk", "stream.vmdk", "tiny.qcow2",
      "tiny.vdi", "tiny.raw");

  /** Names the description fixtures give their disks, each made from a companion of its kind. */
  private static final List<String> DESCRIBED_DISKS = List.of("appliance-logs.vmdk", "appliance-system.vmdk",
      "appvm-1.vmdk", "appvm-2.vmdk", "appvm-3.nvram", "debian12-disk001.vmdk", "debian12-disk002.vmdk",
      "ubuntu24-disk001.vmdk", "web01.vmdk", "web01_1.vmdk", "Ubuntu 64-bit.vmdk", "Ubuntu 64-bit-0.vmdk", "fedora40.vdi", "data.vdi",
      "win11-build.vdi", "debian12-app-data.qcow2", "debian12-app.qcow2", "drivers.img", "win7-legacy.qcow2");

  /** -Dfuzz.debug=true prints how each input ended (to see how deep the seeds get). */
  private static final boolean DEBUG = Boolean.getBoolean("fuzz.debug");

  private static FuzzCase instance;

  final WatchedFileSystem fs = new WatchedFileSystem();
  final Path root;
  final Path caseDir;
  final Path scratch;
  private final Set<Path> keep = new HashSet<>();

  private FuzzCase() throws IOException {
    root = Files.createDirectories(Path.of("target", "fuzz-tmp", Long.toString(ProcessHandle.current().pid()))
        .toAbsolutePath().normalize());
    caseDir = Files.createDirectories(root.resolve("case"));
    scratch = Files.createDirectories(root.resolve("scratch"));
    Path sibling = Files.createDirectories(root.resolve("sibling"));
    for (String c : COMPANIONS) {
      byte[] bytes = companion(c);
      Files.write(caseDir.resolve(c), bytes);
      Files.write(root.resolve("outside-" + c), bytes);
      Files.write(sibling.resolve("outside-" + c), bytes);
      keep.add(caseDir.resolve(c));
    }
    for (String d : DESCRIBED_DISKS) {
      String ext = d.substring(d.lastIndexOf('.') + 1);
      String from = switch (ext) {
        case "vmdk" -> "stream.vmdk";
        case "qcow2" -> "tiny.qcow2";
        case "vdi" -> "tiny.vdi";
        default -> "tiny.raw";
      };
      Files.copy(caseDir.resolve(from), caseDir.resolve(d));
      keep.add(caseDir.resolve(d));
    }
    Files.writeString(root.resolve("outside.ovf"), "<Envelope/>");
  }

  /** @return the per-JVM case, made on first use */
  static synchronized FuzzCase get() {
    if (instance == null) {
      try {
        instance = new FuzzCase();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return instance;
  }

  private static byte[] companion(String name) throws IOException {
    try (InputStream in = FuzzCase.class.getResourceAsStream("companions/" + name)) {
      if (in == null) {
        throw new IOException("missing fuzz companion " + name + " (src/test/fuzz/make-seeds.sh makes it)");
      }
      return in.readAllBytes();
    }
  }

  /**
   * Writes {@code bytes} as {@code case/name} after removing what the previous input left.
   *
   * @return the file, as a watched path
   */
  Path write(String name, byte[] bytes) throws IOException {
    clean();
    Path f = caseDir.resolve(name);
    Files.write(f, bytes);
    return fs.path(f);
  }

  /**
   * Writes a sparse file: {@code segments} at their offsets, the rest holes, {@code size} bytes long.
   *
   * @return the file, as a watched path
   */
  Path writeSparse(String name, SparseInput.Layout layout) throws IOException {
    clean();
    Path f = caseDir.resolve(name);
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (SparseInput.Segment s : layout.segments()) {
        ByteBuffer b = ByteBuffer.wrap(s.bytes());
        long at = s.offset();
        while (b.hasRemaining()) {
          at += ch.write(b, at);
        }
      }
      if (ch.size() < layout.size()) {
        ch.write(ByteBuffer.allocate(1), layout.size() - 1);
      }
      ch.truncate(layout.size());
    }
    return fs.path(f);
  }

  /** @return the scratch folder, as a watched path */
  Path scratch() {
    return fs.path(scratch);
  }

  private void clean() throws IOException {
    fs.drainOpened();
    for (Path dir : List.of(caseDir, scratch)) {
      try (Stream<Path> s = Files.list(dir)) {
        for (Path p : (Iterable<Path>) s::iterator) {
          if (!keep.contains(p)) {
            Files.delete(p);
          }
        }
      }
    }
  }

  /** What a target does with its file; may throw the project's own exceptions. */
  interface Body {
    void run() throws Exception;
  }

  /**
   * Runs {@code body} and checks the properties: it ends normally or with one of {@code ours}
   * (anything else escaping, RuntimeException and Error included, is a finding: it is rethrown, or
   * wrapped in an AssertionError when it is a checked exception), and it opened no file outside the
   * case and scratch folders.
   */
  @SafeVarargs
  final void check(Body body, Class<? extends Exception>... ours) {
    Throwable escaped = null;
    try {
      body.run();
      if (DEBUG) {
        System.out.println("fuzz case: ok");
      }
    } catch (Exception e) {
      if (DEBUG) {
        System.out.println("fuzz case: " + e);
      }
      boolean own = false;
      for (Class<? extends Exception> c : ours) {
        own |= c.isInstance(e);
      }
      if (!own) {
        escaped = e;
      } else if (e.getMessage() == null || e.getMessage().isBlank()) {
        escaped = new AssertionError("the project's exception carries no message", e);
      }
    }
    List<Path> outside = new ArrayList<>();
    for (Path p : fs.drainOpened()) {
      if (!inside(p, caseDir) && !inside(p, scratch)) {
        outside.add(p);
      }
    }
    if (!outside.isEmpty()) {
      AssertionError a = new AssertionError("opened outside the case folder: " + outside);
      if (escaped != null) {
        a.addSuppressed(escaped);
      }
      throw a;
    }
    if (escaped instanceof RuntimeException re) {
      throw re;
    }
    if (escaped instanceof Error er) {
      throw er;
    }
    if (escaped != null) {
      throw new AssertionError("an exception that is not the project's own escaped: " + escaped, escaped);
    }
  }

  /** Inside {@code dir}, lexically and (when it exists) after resolving links. */
  private static boolean inside(Path p, Path dir) {
    if (!p.startsWith(dir)) {
      return false;
    }
    try {
      return !Files.exists(p) || p.toRealPath().startsWith(dir.toRealPath());
    } catch (IOException e) {
      return false;
    }
  }

  /** The project's exceptions a disk reader may end with. */
  static final Class<DiskImageException> DISK = DiskImageException.class;
  /** The project's exceptions a VM description reader may end with. */
  static final Class<VmDescriptionException> VM = VmDescriptionException.class;
  /** The chart's configuration error. */
  static final Class<ChartConfigException> CHART = ChartConfigException.class;
}
