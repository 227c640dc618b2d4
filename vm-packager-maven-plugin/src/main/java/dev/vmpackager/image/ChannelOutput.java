package dev.vmpackager.image;

import dev.vmpackager.io.ChunkedWrites;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A buffered stream over a file channel that knows its position and can go back: the tar writer
 * writes a placeholder header, streams the layer blob after it, and then patches the header in
 * place with a positional write, so the blob is written once, straight into its final place.
 * Not thread-safe (one writer at a time; the gzip writer thread hands over through its join).
 */
final class ChannelOutput extends OutputStream {

  private static final int BUFFER = 1 << 20;

  private final FileChannel channel;
  private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
  private long position;

  /** @param channel an empty channel open for writing, at position 0; not closed by {@link #close()} */
  ChannelOutput(FileChannel channel) {
    this.channel = channel;
  }

  /** @return the number of bytes written so far (buffered ones included) */
  long position() {
    return position;
  }

  @Override
  public void write(int b) throws IOException {
    if (!buffer.hasRemaining()) {
      flush();
    }
    buffer.put((byte) b);
    position++;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (len >= BUFFER) {
      flush();
      ChunkedWrites.write(channel, ByteBuffer.wrap(b, off, len));
      position += len;
      return;
    }
    while (len > 0) {
      if (!buffer.hasRemaining()) {
        flush();
      }
      int n = Math.min(len, buffer.remaining());
      buffer.put(b, off, n);
      off += n;
      len -= n;
      position += n;
    }
  }

  @Override
  public void flush() throws IOException {
    buffer.flip();
    ChunkedWrites.write(channel, buffer);
    buffer.clear();
  }

  /**
   * Overwrites bytes already written.
   *
   * @param at where
   * @param bytes what
   */
  void patch(long at, byte[] bytes) throws IOException {
    if (at + bytes.length > position) {
      throw new IllegalArgumentException("patch beyond the written end");
    }
    flush();
    ChunkedWrites.write(channel, ByteBuffer.wrap(bytes), at);
  }

  /**
   * Appends {@code count} bytes of {@code source} from {@code from}: a kernel-side copy (the layer
   * blob of an earlier build), no hashing, no user-space buffers.
   */
  void copyFrom(FileChannel source, long from, long count) throws IOException {
    flush();
    long done = 0;
    while (done < count) {
      long n = source.transferTo(from + done, count - done, channel);
      if (n <= 0) {
        throw new IOException("the layer blob source ended after " + done + " of " + count + " bytes");
      }
      done += n;
    }
    position += count;
  }

  /** Flushes; the channel stays open. */
  @Override
  public void close() throws IOException {
    flush();
  }
}
