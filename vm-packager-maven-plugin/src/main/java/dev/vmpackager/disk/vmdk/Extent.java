package dev.vmpackager.disk.vmdk;

import dev.vmpackager.disk.Zeros;
import dev.vmpackager.disk.DiskExtent;
import java.io.IOException;
import java.nio.ByteBuffer;

/** One extent of a VMDK, addressed by byte offsets relative to its own start. Thread-safe. */
interface Extent {

  /** @return the guest bytes this extent covers */
  long length();

  /**
   * @param offset {@code 0 <= offset < length()}
   * @return the run at {@code offset}, relative to this extent, ending at most at {@link #length()}
   */
  DiskExtent extentAt(long offset) throws IOException;

  /** Fills {@code dst} with the extent's bytes from {@code offset} (relative); unallocated grains read as zeros. */
  void read(ByteBuffer dst, long offset) throws IOException;

  /**
   * Whether the byte at {@code offset} is unallocated: no grain and no zeroed-grain mark, so a
   * delta disk reads it from its parent. Flat and ZERO extents are always allocated.
   *
   * @param offset {@code 0 <= offset < length()}
   */
  default boolean unallocated(long offset) {
    return false;
  }

  /**
   * @param offset {@code 0 <= offset < length()}
   * @param limit stop looking here ({@code offset < limit <= length()})
   * @return where the run of bytes from {@code offset} that are all unallocated, or all allocated
   *     (data or explicit zeros), ends, at most {@code limit}
   */
  default long allocationRunEnd(long offset, long limit) {
    return limit;
  }

  /** A ZERO extent, or an extent whose file holds nothing. */
  static Extent zero(long length) {
    return new Extent() {
      @Override
      public long length() {
        return length;
      }

      @Override
      public DiskExtent extentAt(long offset) {
        return new DiskExtent(offset, length - offset, true);
      }

      @Override
      public void read(ByteBuffer dst, long offset) {
        Zeros.fill(dst, dst.remaining());
      }
    };
  }
}
