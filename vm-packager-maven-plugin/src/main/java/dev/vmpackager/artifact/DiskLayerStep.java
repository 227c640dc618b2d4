package dev.vmpackager.artifact;

import dev.vmpackager.disk.DiskOpenOptions;
import dev.vmpackager.disk.convert.DiskConverter;
import dev.vmpackager.event.BuildListener;
import dev.vmpackager.io.ParallelZstdOutputStream;
import dev.vmpackager.io.TempPaths;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;

/**
 * Makes one disk's layer blob: the disk read with the plugin's own readers (any format; the
 * converted qcow2 or raw disk), its guest bytes streamed in order through {@link ZstdRawDiskWriter}
 * into a {@link ParallelZstdOutputStream} (the same bytes for any worker count), digested on the
 * way to {@code <blobs>/<hex>}. No raw file is written.
 */
final class DiskLayerStep implements Callable<DiskLayerStep.Layer> {

  /**
   * A written layer blob.
   *
   * @param name the disk's name
   * @param file the blob
   * @param digest its {@code sha256:} digest
   * @param size its size (compressed)
   * @param virtualSize the disk's virtual size (uncompressed)
   */
  record Layer(String name, Path file, String digest, long size, long virtualSize) {}

  private final ArtifactDisk disk;
  private final Path blobs;
  private final int threads;
  private final BuildListener listener;

  DiskLayerStep(ArtifactDisk disk, Path blobs, int threads, BuildListener listener) {
    this.disk = disk;
    this.blobs = blobs;
    this.threads = threads;
    this.listener = listener;
  }

  @Override
  public Layer call() throws IOException {
    Path tmp = TempPaths.createFile(blobs.resolve(disk.name()));
    try {
      int workers = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
      ParallelZstdOutputStream[] zstd = new ParallelZstdOutputStream[1];
      long virtualSize = new DiskConverter().convert(disk.file(), new DiskOpenOptions(false, blobs, listener),
          threads, "Compressing " + disk.file().getFileName() + " for the VM artifact", size -> {
            // The stream closes the file when the writer finishes (the zstd stream's end).
            zstd[0] = new ParallelZstdOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20),
                workers);
            return new ZstdRawDiskWriter(zstd[0], size);
          });
      long compressed = zstd[0].compressedSize();
      String digest = zstd[0].compressedDigest();
      Path blob = blobs.resolve(digest.substring("sha256:".length()));
      Files.move(tmp, blob, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      listener.info("VM artifact disk " + disk.name() + ": " + disk.file().getFileName() + ", " + virtualSize
          + " bytes raw, " + compressed + " bytes compressed (" + digest + ")");
      return new Layer(disk.name(), blob, digest, compressed, virtualSize);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
