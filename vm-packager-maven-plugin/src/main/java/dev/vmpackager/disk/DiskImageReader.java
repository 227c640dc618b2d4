package dev.vmpackager.disk;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

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
}
