package dev.vmpackager.disk;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A disk image being written, the converter's output as {@link DiskImageReader} is its input: the
 * converter finds the guest blocks that hold data, the writer says where their bytes go
 * ({@link #allocate}) and puts them there ({@link #write}). Guest bytes that are never written read
 * as zeros, so zero blocks and the source's zero extents are not passed at all.
 *
 * <p>{@link #order()} says which calls must come in ascending guest order, one at a time: a file
 * laid out in the order its blocks are allocated (qcow2) needs that for its allocations, so the
 * same input always gives the same file; a stream (a raw disk compressed as one zstd stream, as
 * KubeVirt's VM artifact carries it) needs it for its writes too; a file written at guest offsets
 * (raw) needs it for nothing, and the converter then writes from several threads at once.
 */
public interface DiskImageWriter extends Closeable {

  /** Which of a writer's calls must come in ascending guest order, one call at a time. */
  enum Order {
    /**
     * None: {@link #allocate} and {@link #write} from any thread, in any order (a file written at
     * guest offsets).
     */
    ANY,
    /**
     * {@link #allocate} and {@link #allocateCompressed}, which lay the file out; {@link #write} from
     * any thread, in any order.
     */
    ALLOCATION,
    /**
     * Every call: allocations, and writes too, each starting at or past the end of the previous
     * one, so the output can be written as a stream. The bytes between two writes, and after the
     * last one up to the disk's end, are zeros the writer must produce itself.
     */
    STREAM
  }

  /**
   * @return the guest block size in bytes: blocks are allocated whole, at multiples of it, and a
   *     block whose bytes are all zeros is not passed
   */
  int blockSize();

  /** @return which calls must come in ascending guest order */
  Order order();

  /**
   * Reserves room for a guest block stored as it is. Its bytes are then {@link #write written} at
   * the position returned (and the following ones), up to {@link #blockSize()} bytes, fewer for the
   * disk's last block, whose bytes stop at the disk's end.
   *
   * @param guestOffset the block's guest offset, a multiple of {@link #blockSize()}, below the
   *     disk's size
   * @return where to write the block's bytes: a position in the output
   * @throws IOException when the output cannot be written (a writer may write metadata here)
   */
  long allocate(long guestOffset) throws IOException;

  /**
   * Reserves room for a guest block stored compressed, as the output format defines compressed
   * blocks (qcow2: raw deflate). Optional: the default refuses, for formats without compressed
   * blocks.
   *
   * @param guestOffset the block's guest offset, a multiple of {@link #blockSize()}, below the
   *     disk's size
   * @param length the compressed length in bytes, less than {@link #blockSize()}
   * @return where to write the compressed bytes
   * @throws IOException when the output cannot be written
   * @throws UnsupportedOperationException when the format has no compressed blocks
   */
  default long allocateCompressed(long guestOffset, int length) throws IOException {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " stores no compressed blocks");
  }

  /**
   * Writes bytes at a position an allocation returned.
   *
   * @param data the bytes from its position to its limit
   * @param position where the first goes
   * @throws IOException when the output cannot be written
   */
  void write(ByteBuffer data, long position) throws IOException;

  /**
   * Writes what the output still lacks (metadata, the disk's end), after every block is written.
   * Call once, from one thread.
   *
   * @return the output's length in bytes
   * @throws IOException when the output cannot be written
   */
  long finish() throws IOException;
}
