package dev.vmpackager.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Writes large runs into a file in pieces of at most {@link #PIECE} bytes, one system call each.
 *
 * <p>Why pieces: Linux (6.16 and later on ext4; XFS earlier) gives a buffered write page-cache
 * folios as large as the write and its offset's alignment allow, so a 1 MiB write at a 1 MiB
 * boundary fills one new 1 MiB folio. Large free blocks are the memory a virtual machine's
 * balloon hands back to its host (free page reporting works on blocks of 2 MiB and more), and the
 * first write into them faults on the host: on the benchmark machine (a 2-core virtual machine,
 * kernel 6.18) a streamOptimized VMDK converted to raw, whose data sits at aligned guest offsets,
 * spent 2.1 s in 2,077 one-MiB {@code pwrite}s (1 ms each, {@code copy_folio_from_iter_atomic}
 * 24 % of all samples) where the same bytes written as qcow2 (offsets only 64 KiB aligned) took
 * 0.2 s; system CPU 2.8 s against 0.9 s. Pieces of 256 KiB took 0.9-1.0 s of system CPU every
 * time (512 KiB: 1.6-1.9 s; 64 KiB no better than 256). On a machine without the effect the extra
 * system calls (four per MiB) cost nothing measurable.
 */
public final class ChunkedWrites {

  /** The largest piece one system call writes. */
  public static final int PIECE = 256 << 10;

  private ChunkedWrites() {}

  /**
   * Writes {@code data} from its position to its limit at file offset {@code at}, all of it, in
   * pieces that end at multiples of {@link #PIECE} (the first may be shorter): a qcow2 output's
   * clusters start at 64 KiB boundaries, and pieces cut from there gave 64 KiB folios and 1.5-3.2 s
   * for 2 GiB of data where aligned pieces took 0.8-1.8 s (VDI -> qcow2, 3 runs each).
   *
   * @param channel the file
   * @param data the bytes; its position ends at its limit
   * @param at the file offset of the first byte
   * @throws IOException when the file cannot be written
   */
  public static void write(FileChannel channel, ByteBuffer data, long at) throws IOException {
    int limit = data.limit();
    long pos = at;
    try {
      while (data.hasRemaining()) {
        int piece = (int) (PIECE - (pos & (PIECE - 1)));
        data.limit((int) Math.min(limit, (long) data.position() + piece));
        while (data.hasRemaining()) {
          pos += channel.write(data, pos);
        }
        data.limit(limit);
      }
    } finally {
      data.limit(limit);
    }
  }

  /**
   * Writes {@code data} from its position to its limit at the channel's position, all of it, as
   * {@link #write(FileChannel, ByteBuffer, long)} does there, and moves the channel's position past it.
   *
   * @param channel the file
   * @param data the bytes; its position ends at its limit
   * @throws IOException when the file cannot be written
   */
  public static void write(FileChannel channel, ByteBuffer data) throws IOException {
    long at = channel.position();
    int n = data.remaining();
    write(channel, data, at);
    channel.position(at + n);
  }
}
