package dev.vmpackager.disk.vmdk;

import dev.vmpackager.disk.DiskExtent;
import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageReader;
import dev.vmpackager.io.Closeables;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/** The guest disk of a VMDK: its extents laid end to end. Immutable after open, so thread-safe. */
final class VmdkReader implements DiskImageReader {

  private final String name;
  private final String createType;
  private final Extent[] extents;
  private final long[] starts;
  private final long size;
  private final List<Closeable> owned;

  /**
   * @param name the image's name, for messages
   * @param createType the descriptor's createType, or empty
   * @param extents the extents in guest order
   * @param owned files opened for the extents, closed with the reader
   */
  VmdkReader(String name, String createType, List<Extent> extents, List<Closeable> owned) {
    this.name = name;
    this.createType = createType;
    this.extents = extents.toArray(new Extent[0]);
    this.starts = new long[this.extents.length];
    long at = 0;
    for (int i = 0; i < this.extents.length; i++) {
      starts[i] = at;
      at = Math.addExact(at, this.extents[i].length());
    }
    this.size = at;
    this.owned = List.copyOf(owned);
  }

  @Override
  public DiskFormat format() {
    return DiskFormat.VMDK;
  }

  /** @return the descriptor's createType ({@code monolithicSparse}, {@code streamOptimized}...), or empty */
  String createType() {
    return createType;
  }

  @Override
  public long virtualSize() {
    return size;
  }

  private int extentIndex(long offset) {
    int lo = 0;
    int hi = extents.length - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (starts[mid] <= offset) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    // Skip empty extents (0 sectors) that share a start with the next one.
    while (lo < extents.length - 1 && offset >= starts[lo] + extents[lo].length()) {
      lo++;
    }
    return lo;
  }

  @Override
  public DiskExtent extentAt(long offset) throws IOException {
    if (offset < 0 || offset >= size) {
      throw new IllegalArgumentException(name + ": offset " + offset + " is outside the disk (" + size + " bytes)");
    }
    int i = extentIndex(offset);
    DiskExtent e = extents[i].extentAt(offset - starts[i]);
    long start = offset;
    long end = starts[i] + e.end();
    boolean zero = e.zero();
    // Merge with following extents of the same kind (e.g. ZERO extents, or sparse extents' holes).
    while (end < size && i + 1 < extents.length && end == starts[i + 1] + 0) {
      i++;
      if (extents[i].length() == 0) {
        continue;
      }
      DiskExtent n = extents[i].extentAt(0);
      if (n.zero() != zero) {
        break;
      }
      end = starts[i] + n.end();
      if (n.end() < extents[i].length()) {
        break;
      }
    }
    return new DiskExtent(start, end - start, zero);
  }

  @Override
  public void read(ByteBuffer dst, long offset) throws IOException {
    if (offset < 0 || offset > size - dst.remaining()) {
      throw new IllegalArgumentException(name + ": read of " + dst.remaining() + " bytes at " + offset
          + " is outside the disk (" + size + " bytes)");
    }
    long pos = offset;
    while (dst.hasRemaining()) {
      int i = extentIndex(pos);
      long rel = pos - starts[i];
      int n = (int) Math.min(dst.remaining(), extents[i].length() - rel);
      ByteBuffer part = dst.slice().limit(n);
      extents[i].read(part, rel);
      dst.position(dst.position() + n);
      pos += n;
    }
  }

  @Override
  public void close() throws IOException {
    Closeables.closeAll(owned);
  }


  @Override
  public String toString() {
    return "VMDK " + name + (createType.isEmpty() ? "" : " (" + createType + ")");
  }
}
