package dev.vmpackager.bench;

import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.convert.ConversionRequest;
import dev.vmpackager.disk.convert.DiskConverter;
import dev.vmpackager.testing.PatternedDisk;
import dev.vmpackager.testing.QemuImg;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The byte-identity check for changes to the converter (bench/convert-identity.sh), not a test:
 * converts every source format of three fixture disks to qcow2, raw and compressed qcow2 with 1,
 * 2 and 3 workers and prints each output's sha256, one line each, so the lists made before and
 * after a change can be diffed. The fixtures: two odd-sized patterned disks (random data, text,
 * zeros at awkward offsets) and, when a realistic disk is given, a slice of it (system files:
 * compressible, with the zero stretches and short runs real file systems have).
 *
 * <pre>
 *   ConversionDigests &lt;work folder&gt; [realistic raw disk]
 * </pre>
 */
public final class ConversionDigests {

  /** name, qemu-img output format, options. */
  private static final String[][] FORMATS = {
      {"raw", "raw", ""},
      {"qcow2", "qcow2", ""},
      {"c.qcow2", "qcow2", "-c"},
      {"stream.vmdk", "vmdk", "-o subformat=streamOptimized"},
      {"sparse.vmdk", "vmdk", ""},
      {"vhd", "vpc", "-o subformat=dynamic"},
      {"vhdx", "vhdx", ""},
      {"vdi", "vdi", ""},
      {"qed", "qed", ""},
  };

  private ConversionDigests() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Files.createDirectories(dir);
    Path[] disks = {
        disk(dir.resolve("odd1.raw"), (64L << 20) + 3 * 512, 17),
        disk(dir.resolve("odd2.raw"), (40L << 20) + 7 * 4096 + 512, 23),
        args.length > 1 ? slice(Path.of(args[1]), dir.resolve("real.raw"), 96L << 20) : null,
    };
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (Path raw : disks) {
      if (raw == null) {
        continue;
      }
      String base = raw.getFileName().toString().replace(".raw", "");
      for (String[] f : FORMATS) {
        Path src = f[0].equals("raw") ? raw : dir.resolve(base + "." + f[0]);
        if (!Files.exists(src)) {
          String[] opts = f[2].isEmpty() ? new String[0] : f[2].split(" ");
          QemuImg.convert(raw, src, f[1], opts);
        }
        for (String target : new String[] {"qcow2", "raw", "qcow2-c"}) {
          for (int threads = 1; threads <= 3; threads++) {
            Path out = dir.resolve("out");
            Files.deleteIfExists(out);
            new DiskConverter().convert(ConversionRequest.builder().source(src).output(out)
                .outputFormat(DiskFormat.fromId(target.replace("-c", "")).orElseThrow())
                .compress(target.endsWith("-c")).threads(threads).build());
            System.out.println(HexFormat.of().formatHex(digest(sha, out)) + "  " + src.getFileName() + " -> "
                + target + " threads=" + threads);
            Files.deleteIfExists(out);
          }
        }
      }
    }
  }

  private static Path disk(Path file, long size, long seed) throws IOException {
    return Files.exists(file) ? file : PatternedDisk.create(file, size, seed);
  }

  /** The first {@code size} bytes of {@code from}, written sparse (zero 4 KiB blocks as holes). */
  private static Path slice(Path from, Path to, long size) throws IOException {
    if (Files.exists(to)) {
      return to;
    }
    try (FileChannel in = FileChannel.open(from); FileChannel out = FileChannel.open(to, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer b = ByteBuffer.allocate(4096);
      ByteBuffer zero = ByteBuffer.allocate(4096);
      for (long at = 0; at < size; at += 4096) {
        b.clear();
        while (b.hasRemaining() && in.read(b, at + b.position()) > 0) {
          // read the block whole
        }
        b.flip();
        if (!b.equals(zero.clear())) {
          out.write(b, at);
        }
      }
      out.truncate(size);
      if (out.size() < size) {
        out.write(ByteBuffer.wrap(new byte[1]), size - 1);
      }
    }
    return to;
  }

  private static byte[] digest(MessageDigest sha, Path f) throws IOException {
    sha.reset();
    try (InputStream in = Files.newInputStream(f)) {
      byte[] b = new byte[1 << 20];
      for (int n; (n = in.read(b)) > 0; ) {
        sha.update(b, 0, n);
      }
    }
    return sha.digest();
  }
}
