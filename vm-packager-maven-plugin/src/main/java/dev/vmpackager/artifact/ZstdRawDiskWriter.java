package dev.vmpackager.artifact;

import dev.vmpackager.disk.DiskImageWriter;
import dev.vmpackager.disk.raw.RawWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * Writes a disk as KubeVirt's VM artifact carries it: the raw disk, every byte of it, into a
 * compressing stream ({@link DiskImageWriter.Order#STREAM}: the converter calls in guest order, and
 * this writer fills the zeros between writes and up to the disk's end). No raw file is written.
 */
final class ZstdRawDiskWriter implements DiskImageWriter {

  private static final byte[] ZEROS = new byte[1 << 20];

  private final OutputStream out;
  private final long size;
  private final byte[] copy = new byte[1 << 20];
  private long allocated = -1;
  private long written;
  private boolean finished;

  /**
   * @param out the compressing stream, closed by {@link #finish()} (which ends the zstd frame)
   * @param size the disk's virtual size
   */
  ZstdRawDiskWriter(OutputStream out, long size) {
    this.out = out;
    this.size = size;
  }

  /** @return {@link RawWriter#BLOCK_SIZE}: all-zero blocks are not passed, and become zeros written here */
  @Override
  public int blockSize() {
    return RawWriter.BLOCK_SIZE;
  }

  /** @return {@link DiskImageWriter.Order#STREAM} */
  @Override
  public Order order() {
    return Order.STREAM;
  }

  @Override
  public long allocate(long guestOffset) {
    if (guestOffset <= allocated || guestOffset >= size) {
      throw new IllegalStateException("block " + guestOffset + " out of guest order (after " + allocated
          + ", disk size " + size + ")");
    }
    allocated = guestOffset;
    return guestOffset;
  }

  @Override
  public void write(ByteBuffer data, long position) throws IOException {
    if (position < written || position + data.remaining() > size) {
      throw new IllegalStateException("write at " + position + "+" + data.remaining() + " out of guest order (the"
          + " stream is at " + written + ", disk size " + size + ")");
    }
    zeros(position - written);
    written = position + data.remaining();
    if (data.hasArray()) {
      out.write(data.array(), data.arrayOffset() + data.position(), data.remaining());
      data.position(data.limit());
      return;
    }
    while (data.hasRemaining()) {
      int n = Math.min(copy.length, data.remaining());
      data.get(copy, 0, n);
      out.write(copy, 0, n);
    }
  }

  /**
   * Writes the zeros up to the disk's end and closes the stream.
   *
   * @return the disk's size
   */
  @Override
  public long finish() throws IOException {
    zeros(size - written);
    written = size;
    finished = true;
    out.close();
    return size;
  }

  @Override
  public void close() throws IOException {
    if (!finished) {
      out.close();
    }
  }

  private void zeros(long n) throws IOException {
    for (long left = n; left > 0; ) {
      int k = (int) Math.min(left, ZEROS.length);
      out.write(ZEROS, 0, k);
      left -= k;
    }
  }
}
