package dev.vmpackager.disk;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.IntToLongFunction;

/**
 * A guest disk as a format driver exposes it: "read these bytes" and "is this range allocated or
 * zero", after qemu's block drivers. Implementations open their tables once and are then safe to
 * use from several threads at once (positional reads only, no shared buffers), so the converter
 * can decompress clusters in parallel.
 */
public interface DiskImageReader extends Closeable {

  /** @return the format of the image this reads */
  DiskFormat format();

  /** @return the guest disk size in bytes */
  long virtualSize();

  /**
   * Describes the run of bytes starting at {@code offset}: either known zeros or data to read.
   * Drivers return the longest run their map tells them cheaply (one cluster is fine; merging
   * neighbours is better).
   *
   * @param offset a guest offset, {@code 0 <= offset < virtualSize()}
   * @return the run starting exactly at {@code offset}, ending at most at {@code virtualSize()}
   * @throws IOException when the map cannot be read or is corrupt
   */
  DiskExtent extentAt(long offset) throws IOException;

  /**
   * Reads guest bytes into {@code dst} from its position to its limit; unallocated ranges read
   * as zeros.
   *
   * @param dst where the bytes go; filled completely
   * @param offset the guest offset of the first byte, {@code offset + dst.remaining() <= virtualSize()}
   * @throws IOException when the image is corrupt or truncated (as {@link DiskImageException})
   */
  void read(ByteBuffer dst, long offset) throws IOException;

  /**
   * Where guest bytes starting at {@code offset} are kept verbatim and contiguously in the image's
   * own bytes (the {@link ImageSource} the reader was opened on), so that a caller holding that file
   * may map them instead of {@link #read reading} them through a copy. Optional: the default answers
   * "not stored so", and callers then read.
   *
   * @param offset a guest offset, {@code 0 <= offset < virtualSize()}
   * @param maxLength at most this many bytes are asked about, at least 1
   * @return the run from {@code offset} (1 to {@code maxLength} bytes), or null when the byte at
   *     {@code offset} is not stored verbatim in the image's bytes (zeros, compressed, another file)
   * @throws IOException when the map cannot be read
   */
  default Stored stored(long offset, long maxLength) throws IOException {
    return null;
  }

  /**
   * A run of guest bytes kept verbatim in the image's bytes.
   *
   * @param sourceOffset where the run starts in the image's bytes
   * @param length its length in bytes
   */
  record Stored(long sourceOffset, long length) {

    /**
     * The stored run from {@code offset} in an image of fixed-size blocks (VDI, VHDX): the block's
     * bytes, extended over following blocks that lie one after the other in the file as in the guest.
     *
     * @param offset a guest offset
     * @param end the guest offset the run must not pass
     * @param blockSize the block size in bytes
     * @param hostOfBlock where block {@code i} starts in the image's bytes, or a negative number when
     *     it is not stored there
     * @param sourceSize the size of the image's bytes
     * @return the run, or null when the block at {@code offset} is not stored or the run would pass
     *     the end of the image's bytes
     */
    public static Stored ofBlocks(long offset, long end, long blockSize, IntToLongFunction hostOfBlock,
        long sourceSize) {
      int b = (int) (offset / blockSize);
      long first = hostOfBlock.applyAsLong(b);
      if (first < 0) {
        return null;
      }
      long host = first + (offset - b * blockSize);
      long len = Math.min(end, (b + 1L) * blockSize) - offset;
      while (offset + len < end) {
        int b2 = (int) ((offset + len) / blockSize);
        if (hostOfBlock.applyAsLong(b2) != host + len) {
          break;
        }
        len = Math.min(end, (b2 + 1L) * blockSize) - offset;
      }
      return host + len <= sourceSize ? new Stored(host, len) : null;
    }
  }
}
