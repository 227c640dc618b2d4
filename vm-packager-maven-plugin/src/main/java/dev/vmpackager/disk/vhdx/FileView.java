package dev.vmpackager.disk.vhdx;

import dev.vmpackager.disk.CorruptImageException;
import dev.vmpackager.disk.ImageSource;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The VHDX file as the reader sees it: the source itself, or the source with a replayed log laid
 * over it (and possibly grown by it). Positional reads only.
 */
final class FileView {

  private final ImageSource source;
  private final LogOverlay overlay;
  private final long size;

  FileView(ImageSource source, LogOverlay overlay, long size) {
    this.source = source;
    this.overlay = overlay;
    this.size = size;
  }

  static FileView of(ImageSource source) {
    return new FileView(source, null, source.size());
  }

  long size() {
    return size;
  }

  String name() {
    return source.name();
  }

  /** Reads exactly {@code dst.remaining()} bytes at {@code pos}, or fails as a truncated image. */
  void readFully(ByteBuffer dst, long pos) throws IOException {
    int want = dst.remaining();
    if (pos < 0 || pos > size - want) {
      throw new CorruptImageException(String.format(
          "%s: truncated: needs %d bytes at offset %d but the file has %d", source.name(), want, pos, size));
    }
    if (overlay == null) {
      source.readFully(dst, pos);
      return;
    }
    int start = dst.position();
    long inSource = Math.max(0, Math.min(want, source.size() - pos));
    if (inSource > 0) {
      ByteBuffer part = dst.slice(start, (int) inSource);
      source.readFully(part, pos);
    }
    for (int i = (int) inSource; i < want; i++) {
      dst.put(start + i, (byte) 0);
    }
    overlay.apply(dst, start, want, pos);
    dst.position(start + want);
  }
}
