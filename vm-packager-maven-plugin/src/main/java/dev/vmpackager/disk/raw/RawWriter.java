package dev.vmpackager.disk.raw;

import dev.vmpackager.disk.DiskImageWriter;
import dev.vmpackager.io.ChunkedWrites;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Writes a sparse raw disk: only data is written, at its guest offset; zero ranges are never
 * written and stay holes once {@link #finish()} sets the length. Thread-safe: writes are positional
 * ({@link DiskImageWriter.Order#ANY}).
 */
public final class RawWriter implements DiskImageWriter {

  /** The block size: all-zero runs of this size become holes (the file systems' block). */
  public static final int BLOCK_SIZE = 4096;

  private final RandomAccessFile file;
  private final FileChannel channel;
  private final long size;

  /**
   * @param path a new (empty) file to write
   * @param size the guest disk size
   */
  public RawWriter(Path path, long size) throws IOException {
    this.file = new RandomAccessFile(path.toFile(), "rw");
    // Truncating an empty file is not a no-op on ext4: it marks the file for a forced flush of
    // all its delayed allocations on close (auto_da_alloc), which costs as much as the copy.
    if (file.length() != 0) {
      file.setLength(0);
    }
    this.channel = file.getChannel();
    this.size = size;
  }

  /** @return {@link #BLOCK_SIZE} */
  @Override
  public int blockSize() {
    return BLOCK_SIZE;
  }

  /** @return {@link DiskImageWriter.Order#ANY} */
  @Override
  public Order order() {
    return Order.ANY;
  }

  /**
   * @param guestOffset the block's guest offset
   * @return the same offset: a raw disk keeps every byte at its guest offset
   */
  @Override
  public long allocate(long guestOffset) {
    if (guestOffset < 0 || guestOffset >= size) {
      throw new IllegalArgumentException("block past the disk end: " + guestOffset);
    }
    return guestOffset;
  }

  /**
   * @param data the bytes from position to limit
   * @param guestOffset where they go
   * @throws IOException when the file cannot be written
   */
  @Override
  public void write(ByteBuffer data, long guestOffset) throws IOException {
    if (guestOffset < 0 || guestOffset + data.remaining() > size) {
      throw new IllegalArgumentException("write past the disk end: " + guestOffset + "+" + data.remaining());
    }
    ChunkedWrites.write(channel, data, guestOffset);
  }

  /**
   * Sets the file's length to the disk size (extending with a hole, not with written zeros).
   *
   * @return the disk size
   * @throws IOException when the file cannot be written
   */
  @Override
  public long finish() throws IOException {
    file.setLength(size);
    return size;
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
