package dev.vmpackager.bench;

import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageException;
import dev.vmpackager.disk.convert.ConversionRequest;
import dev.vmpackager.disk.convert.ConversionResult;
import dev.vmpackager.disk.convert.DiskConverter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The hand-run benchmark's Java side (bench/convert-benchmark.sh), not a test:
 * <pre>
 *   gen &lt;raw file&gt; &lt;size GiB&gt; &lt;data GiB&gt;     a sparse raw disk with random data spread over it
 *   convert &lt;source&gt; &lt;qcow2|raw&gt; &lt;output&gt; [compress]
 * </pre>
 * {@code convert} exits 3 printing "unsupported yet" when this build cannot read the source's format.
 */
public final class ConvertBenchmark {

  private ConvertBenchmark() {}

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "gen" -> gen(Path.of(args[1]), Long.parseLong(args[2]) << 30, Long.parseLong(args[3]) << 30);
      case "convert" -> System.exit(convert(args));
      default -> throw new IllegalArgumentException(args[0]);
    }
  }

  private static void gen(Path file, long size, long data) throws IOException {
    int piece = 1 << 20;
    long pieces = data / piece;
    long stride = size / pieces;
    SplittableRandom random = new SplittableRandom(2026);
    byte[] b = new byte[piece];
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      for (long i = 0; i < pieces; i++) {
        random.nextBytes(b);
        // Not aligned to anything in particular: offsets drift by 4 KiB multiples plus a few bytes.
        long at = i * stride + (i % 7) * 4096 + (i % 3) * 512;
        ch.write(ByteBuffer.wrap(b), Math.min(at, size - piece));
      }
      ch.truncate(size);
      if (ch.size() < size) {
        ch.write(ByteBuffer.wrap(new byte[1]), size - 1);
      }
    }
  }

  private static int convert(String[] args) throws IOException {
    Path source = Path.of(args[1]);
    DiskFormat format = DiskFormat.fromId(args[2]).orElseThrow();
    boolean compress = args.length > 4 && args[4].equals("compress");
    ConversionRequest req = ConversionRequest.builder().source(source).output(Path.of(args[3]))
        .outputFormat(format).compress(compress).threads(Integer.getInteger("bench.threads", 0)).build();
    try {
      // -Dbench.warmup=n converts n times first (JIT warm, as in a long-running Maven).
      for (int i = Integer.getInteger("bench.warmup", 0); i > 0; i--) {
        ConversionResult w = new DiskConverter().convert(req);
        System.out.printf(Locale.ROOT, "warm-up: %.2f s%n", w.elapsed().toNanos() / 1e9);
        java.nio.file.Files.deleteIfExists(req.output());
      }
      ConversionResult r = new DiskConverter().convert(req);
      System.out.printf(Locale.ROOT, "%s -> %s: %.2f s in the converter, %d bytes%n", source.getFileName(),
          format.id(), r.elapsed().toNanos() / 1e9, r.outputSize());
      return 0;
    } catch (DiskImageException e) {
      if (e.getMessage().contains("the name says") || e.getMessage().contains("not supported yet")) {
        System.out.println("unsupported yet: " + e.getMessage());
        return 3;
      }
      throw e;
    }
  }
}
