package dev.vmpackager.disk.vmdk;

import dev.vmpackager.disk.BackingFile;
import dev.vmpackager.disk.DiskExtent;
import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageReader;
import dev.vmpackager.io.Closeables;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The guest disk of a VMDK: its extents laid end to end, and for a delta disk its parent, which
 * unallocated grains read from (zeroed grains do not). Immutable after open, so thread-safe.
 */
final class VmdkReader implements DiskImageReader {

  private final String name;
  private final String createType;
  private final Extent[] extents;
  private final long[] starts;
  private final long size;
  private final List<Closeable> owned;
  private final String cid;
  private final BackingFile parent;

  /**
   * @param name the image's name, for messages
   * @param createType the descriptor's createType, or empty
   * @param cid the descriptor's CID as written, or null when it has none
   * @param extents the extents in guest order
   * @param owned files opened for the extents, closed with the reader
   * @param parent a delta disk's parent, or null; closed with the reader
   */
  VmdkReader(String name, String createType, String cid, List<Extent> extents, List<Closeable> owned,
      BackingFile parent) {
    this.name = name;
    this.createType = createType;
    this.cid = cid;
    this.parent = parent;
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

  /** @return the descriptor's content ID as written, or null when there is none */
  String cid() {
    return cid;
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
    if (parent != null) {
      return parentAwareExtentAt(i, offset);
    }
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

  /**
   * A delta disk's run: unallocated grains are the parent's (data, or zeros where the parent has
   * none or is shorter); allocated ones are this disk's data or explicit zeros. Runs stop at
   * extent ends.
   */
  private DiskExtent parentAwareExtentAt(int i, long offset) throws IOException {
    Extent x = extents[i];
    long rel = offset - starts[i];
    long runEnd = starts[i] + x.allocationRunEnd(rel, x.length());
    if (x.unallocated(rel)) {
      return parent.extentAt(offset, runEnd);
    }
    DiskExtent e = x.extentAt(rel);
    return new DiskExtent(offset, Math.min(runEnd, starts[i] + e.end()) - offset, e.zero());
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
      boolean fromParent = false;
      if (parent != null) {
        // Only as far as the grains keep their kind: unallocated ones come from the parent.
        n = (int) (extents[i].allocationRunEnd(rel, rel + n) - rel);
        fromParent = extents[i].unallocated(rel);
      }
      ByteBuffer part = dst.slice().limit(n);
      if (fromParent) {
        parent.read(part, pos);
      } else {
        extents[i].read(part, rel);
      }
      dst.position(dst.position() + n);
      pos += n;
    }
  }

  @Override
  public void close() throws IOException {
    List<Closeable> all = new ArrayList<>(owned);
    if (parent != null) {
      all.add(parent);
    }
    Closeables.closeAll(all);
  }


  @Override
  public String toString() {
    return "VMDK " + name + (createType.isEmpty() ? "" : " (" + createType + ")")
        + (parent == null ? "" : " over " + parent.reference());
  }
}
