package dev.vmpackager.disk.ova;

import dev.vmpackager.disk.CorruptImageException;
import dev.vmpackager.disk.ImageSource;
import dev.vmpackager.event.BuildListener;
import dev.vmpackager.event.ProgressReporter;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * A gzip-compressed disk entry ({@code ovf:compression="gzip"}) inflated into a scratch file, since
 * disk formats need random access that a gzip stream cannot give. Streamed in bounded buffers; the
 * output may not grow past a limit derived from the disk's capacity, so a gzip bomb fails instead of
 * filling the file system; on any failure the scratch file is deleted.
 */
final class GunzippedDisk {

  private static final int BUFFER = 1 << 20;

  private GunzippedDisk() {}

  /**
   * @param compressed the gzip bytes (an archive window, possibly chunked)
   * @param directory where the scratch file goes (next to the conversion output, not /tmp, which
   *     may be a small RAM file system)
   * @param limit the most bytes the disk file may inflate to
   * @param listener progress lines (by compressed bytes read) for large entries
   * @return the scratch file holding the inflated disk; the caller deletes it
   */
  static Path inflate(ImageSource compressed, Path directory, long limit, BuildListener listener) throws IOException {
    return inflate(compressed, directory, limit, listener, ProgressReporter.DEFAULT_THRESHOLD);
  }

  /** As above, with progress lines for entries of at least {@code progressThreshold} bytes. */
  static Path inflate(ImageSource compressed, Path directory, long limit, BuildListener listener,
      long progressThreshold) throws IOException {
    Files.createDirectories(directory);
    Path scratch = Files.createTempFile(directory, ".ova-disk-", ".inflated");
    boolean ok = false;
    ProgressReporter progress = ProgressReporter.start(listener, "Inflating " + compressed.name(), compressed.size(),
        progressThreshold);
    try (InputStream in = new GZIPInputStream(new SourceStream(compressed, progress), 64 << 10);
        OutputStream out = Files.newOutputStream(scratch)) {
      byte[] buf = new byte[BUFFER];
      long total = 0;
      for (int n; (n = in.read(buf)) > 0; ) {
        total += n;
        if (total > limit) {
          throw new CorruptImageException(compressed.name() + ": the gzip-compressed disk inflates to more than "
              + limit + " bytes, more than its OVF capacity allows (a corrupt or hostile archive)");
        }
        out.write(buf, 0, n);
      }
      progress.finish();
      ok = true;
      return scratch;
    } catch (ZipException | EOFException e) {
      throw new CorruptImageException(compressed.name() + ": the gzip-compressed disk is corrupt or truncated ("
          + e.getMessage() + ")", e);
    } finally {
      if (!ok) {
        Files.deleteIfExists(scratch);
      }
    }
  }

  /** Sequential bytes of a source. */
  private static final class SourceStream extends InputStream {
    private final ImageSource source;
    private final ProgressReporter progress;
    private long at;

    SourceStream(ImageSource source, ProgressReporter progress) {
      this.source = source;
      this.progress = progress;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      long left = source.size() - at;
      if (left <= 0) {
        return -1;
      }
      int n = (int) Math.min(len, Math.min(left, BUFFER));
      source.readFully(ByteBuffer.wrap(b, off, n), at);
      at += n;
      progress.advance(n);
      return n;
    }
  }
}
