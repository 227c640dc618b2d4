package dev.vmpackager.image;

import dev.vmpackager.event.BuildListener;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Entry point of {@code bench/image-benchmark.sh} (run by hand, not by CI): builds the
 * containerDisk image tar of one disk and prints the wall time in seconds.
 *
 * <p>Arguments: {@code <disk> <output.tar> <cacheDir> <gzip|zstd|none> [level]}.
 */
public final class ImageBenchmarkMain {

  private ImageBenchmarkMain() {}

  /** @param args disk, output tar, cache folder, compression, optional level (default the compression's) */
  public static void main(String[] args) throws Exception {
    Path disk = Path.of(args[0]);
    ContainerDiskSpec spec = ContainerDiskSpec.builder()
        .disk(disk)
        .diskFileName("bench.qcow2")
        .compression(LayerCompression.parse(args[3]))
        .compressionLevel(args.length > 4 ? Integer.parseInt(args[4]) : 0)
        .creationTime(Instant.EPOCH)
        .cacheDirectory(Path.of(args[2]))
        .build();
    BuildListener quiet = new BuildListener() {
      @Override public void info(String m) { System.err.println("[info] " + m); }
      @Override public void warn(String m) { System.err.println("[warn] " + m); }
      @Override public void debug(String m) { }
    };
    long t = System.nanoTime();
    BuildResult r = ContainerDiskBuilder.build(BuildRequest.builder().spec(spec).target(ImageTarget.TAR)
        .reference(ImageFixtures.ref("bench/containerdisk:1")).output(Path.of(args[1])).listener(quiet).build());
    double s = (System.nanoTime() - t) / 1e9;
    System.err.println("[info] digest " + r.digest() + ", layer " + (r.layerSize() >> 20) + " MiB");
    System.out.printf(java.util.Locale.ROOT, "%.2f%n", s);
  }
}
