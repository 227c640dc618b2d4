package dev.vmpackager.image;

import dev.vmpackager.event.BuildListener;
import dev.vmpackager.event.ProgressReporter;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Writes the containerDisk layer blob into a stream in one pass over the disk: the tar of
 * {@link DiskLayerTar}, deflated on every core by {@link ParallelGzipOutputStream} (digest and diff
 * id computed on the way), or, for {@link LayerCompression#NONE}, the plain tar hashed once (its
 * digest is its diff id).
 */
final class LayerWriter {

  private LayerWriter() {}

  /**
   * @param spec the disk, its name and time, the compression
   * @param threads deflating threads
   * @param out where the blob goes; not closed
   * @param listener progress
   * @return the blob's digests and size
   */
  static LayerInfo write(ContainerDiskSpec spec, int threads, OutputStream out, BuildListener listener)
      throws IOException {
    long diskSize = java.nio.file.Files.size(spec.disk());
    boolean gzip = spec.compression() == LayerCompression.GZIP;
    String task = (gzip ? "Compressing " : "Writing ") + spec.disk().getFileName() + " into the image layer";
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
    if (gzip) {
      ParallelGzipOutputStream gz = new ParallelGzipOutputStream(keepOpen, spec.compressionLevel(), threads);
      try (gz) {
        DiskLayerTar.write(spec.disk(), spec.diskFileName(), spec.creationTime(), gz, progress);
      }
      info = new LayerInfo(gz.compressedDigest(), gz.uncompressedDigest(), gz.compressedSize(), LayerCompression.GZIP);
    } else {
      HashingOutputStream plain = new HashingOutputStream(keepOpen);
      try (plain) {
        DiskLayerTar.write(spec.disk(), spec.diskFileName(), spec.creationTime(), plain, progress);
      }
      String digest = plain.digest();
      info = new LayerInfo(digest, digest, plain.size(), LayerCompression.NONE);
    }
    progress.finish();
    listener.info(String.format(Locale.ROOT, "Layer %s: %d MiB of disk -> %d MiB in %.1f s (%s)", info.digest(),
        diskSize >> 20, info.size() >> 20, (System.nanoTime() - start) / 1e9,
        gzip ? "gzip level " + spec.compressionLevel() + ", " + threads + " threads" : "uncompressed tar"));
    return info;
  }

  /** Passes bytes through and hashes them (SHA-256): the uncompressed layer is hashed once. */
  static final class HashingOutputStream extends FilterOutputStream {
    private final MessageDigest sha = sha256();
    private long size;
    private String digest;

    HashingOutputStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      sha.update(b, off, len);
      size += len;
    }

    /** @return {@code sha256:<hex>} of everything written; ends the hash */
    String digest() {
      if (digest == null) {
        digest = "sha256:" + HexFormat.of().formatHex(sha.digest());
      }
      return digest;
    }

    long size() {
      return size;
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JDK", e);
    }
  }
}
