package dev.vmpackager.image;

import dev.vmpackager.event.BuildListener;
import dev.vmpackager.event.ProgressReporter;
import dev.vmpackager.io.Digests;
import dev.vmpackager.io.ParallelZstdOutputStream;
import java.io.FilterOutputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * Writes the containerDisk layer blob into a stream in one pass over the disk: the tar of
 * {@link DiskLayerTar}, deflated on every core by {@link ParallelGzipOutputStream} or compressed on
 * every core by {@link ParallelZstdOutputStream} (digest and diff id computed on the way), or, for
 * {@link LayerCompression#NONE}, the plain tar hashed once (its digest is its diff id).
 */
final class LayerWriter {

  private LayerWriter() {}

  /**
   * @param spec the disk, its name and time, the compression
   * @param threads compressing threads
   * @param out where the blob goes; not closed
   * @param listener progress
   * @return the blob's digests and size
   */
  static LayerInfo write(ContainerDiskSpec spec, int threads, ChannelOutput out, BuildListener listener)
      throws IOException {
    long diskSize = java.nio.file.Files.size(spec.disk());
    LayerCompression compression = spec.compression();
    String task = (compression == LayerCompression.NONE ? "Writing " : "Compressing ") + spec.disk().getFileName()
        + " into the image layer";
    ProgressReporter progress = ProgressReporter.start(listener, task, diskSize);
    long start = System.nanoTime();
    LayerInfo info;
    OutputStream keepOpen = new FilterOutputStream(out) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        out.flush();
      }
    };
    switch (compression) {
      case GZIP -> {
        ParallelGzipOutputStream gz = new ParallelGzipOutputStream(keepOpen, spec.compressionLevel(), threads);
        try (gz) {
          DiskLayerTar.write(spec.disk(), spec.diskFileName(), spec.creationTime(), gz, progress);
        }
        info = new LayerInfo(gz.compressedDigest(), gz.uncompressedDigest(), gz.compressedSize(), compression);
      }
      case ZSTD -> {
        ParallelZstdOutputStream zs = new ParallelZstdOutputStream(keepOpen, spec.compressionLevel(), threads);
        try (zs) {
          DiskLayerTar.write(spec.disk(), spec.diskFileName(), spec.creationTime(), zs, progress);
        }
        info = new LayerInfo(zs.compressedDigest(), zs.uncompressedDigest(), zs.compressedSize(), compression);
      }
      case NONE -> info = writePlain(spec, out, progress);
      default -> throw new IllegalStateException(compression.name());
    }
    progress.finish();
    listener.info(String.format(Locale.ROOT, "Layer %s: %d MiB of disk -> %d MiB in %.1f s (%s)", info.digest(),
        diskSize >> 20, info.size() >> 20, (System.nanoTime() - start) / 1e9,
        compression == LayerCompression.NONE ? "uncompressed tar"
            : compression.name().toLowerCase(Locale.ROOT) + " level " + spec.compressionLevel() + ", " + threads
                + " threads"));
    return info;
  }

  private static final long COPY_CHUNK = 64L << 20;

  /**
   * The uncompressed layer on both cores: this thread has the kernel copy the disk into the output
   * ({@code copy_file_range}/{@code sendfile}, no user-space copy) while another reads the disk
   * (from the page cache, by then) and hashes the tar bytes in order. The hash is the floor: one
   * SHA-256 pass over the layer.
   */
  private static LayerInfo writePlain(ContainerDiskSpec spec, ChannelOutput out, ProgressReporter progress)
      throws IOException {
    try (FileChannel disk = FileChannel.open(spec.disk(), StandardOpenOption.READ)) {
      long size = disk.size();
      byte[] prefix = DiskLayerTar.prefix(spec.diskFileName(), spec.creationTime(), size);
      byte[] suffix = DiskLayerTar.suffix(size);
      ExecutorService hasher = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "vm-packager-layer-hash");
        t.setDaemon(true);
        return t;
      });
      try {
        Future<String> hash = hasher.submit(() -> {
          MessageDigest sha = Digests.sha256();
          sha.update(prefix);
          ByteBuffer buf = ByteBuffer.allocate(4 << 20);
          long read = 0;
          while (read < size) {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), size - read));
            int n = disk.read(buf, read);
            if (n < 0) {
              throw new IOException(spec.disk() + " shrank while it was being read (" + read + " of " + size
                  + " bytes)");
            }
            sha.update(buf.array(), 0, n);
            read += n;
          }
          sha.update(suffix);
          return Digests.ociDigest(sha.digest());
        });
        out.write(prefix);
        for (long done = 0; done < size; ) {
          long n = Math.min(COPY_CHUNK, size - done);
          out.copyFrom(disk, done, n);
          done += n;
          progress.advance(n);
        }
        out.write(suffix);
        String digest = hash.get();
        return new LayerInfo(digest, digest, prefix.length + size + suffix.length, LayerCompression.NONE);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while hashing the layer");
      } catch (ExecutionException e) {
        throw e.getCause() instanceof IOException io ? io : new IOException("hashing the layer failed", e.getCause());
      } finally {
        hasher.shutdownNow();
      }
    }
  }
}
