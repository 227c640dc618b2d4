package dev.vmpackager.artifact;

import dev.vmpackager.disk.DiskOpenOptions;
import dev.vmpackager.disk.convert.DiskConverter;
import dev.vmpackager.event.BuildListener;
import dev.vmpackager.io.Digests;
import dev.vmpackager.io.TempPaths;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.concurrent.Callable;

/**
 * Makes one disk's layer blob: the disk read with the plugin's own readers (any format; the
 * converted qcow2 or raw disk), its guest bytes streamed in order through {@link ZstdRawDiskWriter}
 * into zstd, digested and counted on the way to {@code <blobs>/<hex>}. No raw file is written.
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
      MessageDigest sha = Digests.sha256();
      long[] count = new long[1];
      long virtualSize;
      try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
        OutputStream digesting = new FilterOutputStream(file) {
          @Override
          public void write(int b) throws IOException {
            sha.update((byte) b);
            count[0]++;
            out.write(b);
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            sha.update(b, off, len);
            count[0] += len;
            out.write(b, off, len);
          }

          @Override
          public void close() throws IOException {
            // The compressor closes this at the frame's end; the file is closed by the try.
            flush();
          }
        };
        virtualSize = new DiskConverter().convert(disk.file(), new DiskOpenOptions(false, blobs, listener),
            threads, "Compressing " + disk.file().getFileName() + " for the VM artifact",
            size -> new ZstdRawDiskWriter(ZstdStreams.compress(digesting, threads), size));
      }
      String digest = Digests.ociDigest(sha.digest());
      Path blob = blobs.resolve(digest.substring("sha256:".length()));
      Files.move(tmp, blob, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      listener.info("VM artifact disk " + disk.name() + ": " + disk.file().getFileName() + ", " + virtualSize
          + " bytes raw, " + count[0] + " bytes compressed (" + digest + ")");
      return new Layer(disk.name(), blob, digest, count[0], virtualSize);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
