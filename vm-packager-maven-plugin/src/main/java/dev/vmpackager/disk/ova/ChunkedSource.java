package dev.vmpackager.disk.ova;

import dev.vmpackager.disk.ImageSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A file stored in an OVA as consecutive chunk entries ({@code ovf:chunkSize}), read in place as
 * one source: a read that spans chunks is split between their windows.
 */
final class ChunkedSource implements ImageSource {

  private final List<ImageSource> parts;
  /** starts[i] = offset of parts[i] in the joined file; starts[parts.size()] = its size. */
  private final long[] starts;
  private final String name;
  private final long base;
  private final long size;

  private ChunkedSource(List<ImageSource> parts, long[] starts, String name, long base, long size) {
    this.parts = parts;
    this.starts = starts;
    this.name = name;
    this.base = base;
    this.size = size;
  }

  /**
   * @param parts the chunk windows in order
   * @param name what to call the joined file in messages
   */
  static ChunkedSource of(List<ImageSource> parts, String name) {
    long[] starts = new long[parts.size() + 1];
    for (int i = 0; i < parts.size(); i++) {
      starts[i + 1] = starts[i] + parts.get(i).size();
    }
    return new ChunkedSource(List.copyOf(parts), starts, name, 0, starts[parts.size()]);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public Path directory() {
    return parts.get(0).directory();
  }

  @Override
  public void readFully(ByteBuffer dst, long position) throws IOException {
    int want = dst.remaining();
    ImageSource.checkRead(name, size, position, want);
    long at = base + position;
    int limit = dst.limit();
    try {
      while (dst.hasRemaining()) {
        int i = Arrays.binarySearch(starts, at);
        i = i >= 0 ? i : -i - 2;
        long inPart = at - starts[i];
        int n = (int) Math.min(dst.remaining(), starts[i + 1] - at);
        dst.limit(dst.position() + n);
        parts.get(i).readFully(dst, inPart);
        dst.limit(limit);
        at += n;
      }
    } finally {
      dst.limit(limit);
    }
  }

  @Override
  public ImageSource slice(long offset, long length) throws IOException {
    ImageSource.checkWindow(name, size, offset, length);
    return new ChunkedSource(parts, starts, name, base + offset, length);
  }

  /** The chunks are windows of the archive, which its owner closes. */
  @Override
  public void close() {}
}
