package dev.vmpackager.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkedWritesTest {

  @TempDir
  Path dir;

  private static byte[] data(int n) {
    byte[] b = new byte[n];
    new Random(7).nextBytes(b);
    return b;
  }

  @Test
  void positionalWriteLandsWholeAtItsOffset() throws IOException {
    byte[] bytes = data(3 * ChunkedWrites.PIECE + 1234);
    Path f = dir.resolve("f");
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocateDirect(bytes.length + 100);
      b.position(100).mark();
      b.put(bytes).reset();
      ChunkedWrites.write(ch, b, 4096);
      assertEquals(b.limit(), b.position(), "the buffer is consumed");
      assertEquals(bytes.length + 100, b.limit(), "the limit is restored");
    }
    byte[] file = Files.readAllBytes(f);
    assertEquals(4096 + bytes.length, file.length);
    assertArrayEquals(new byte[4096], Arrays.copyOf(file, 4096));
    assertArrayEquals(bytes, Arrays.copyOfRange(file, 4096, file.length));
  }

  @Test
  void sequentialWriteAppendsWhole() throws IOException {
    byte[] bytes = data(2 * ChunkedWrites.PIECE + 7);
    Path f = dir.resolve("f");
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ChunkedWrites.write(ch, ByteBuffer.wrap(new byte[] {1, 2, 3}));
      ChunkedWrites.write(ch, ByteBuffer.wrap(bytes));
      assertEquals(3 + bytes.length, ch.position());
    }
    byte[] file = Files.readAllBytes(f);
    assertArrayEquals(new byte[] {1, 2, 3}, Arrays.copyOf(file, 3));
    assertArrayEquals(bytes, Arrays.copyOfRange(file, 3, file.length));
  }

  @Test
  void noSystemCallWritesMoreThanAPieceAndShortWritesAreResumed() throws IOException {
    byte[] bytes = data(5 * ChunkedWrites.PIECE / 2);
    Recording ch = new Recording();
    ChunkedWrites.write(ch, ByteBuffer.wrap(bytes), 10);
    int positional = ch.sizes.size();
    ChunkedWrites.write(ch, ByteBuffer.wrap(bytes));
    assertTrue(ch.sizes.stream().allMatch(s -> s <= ChunkedWrites.PIECE), ch.sizes.toString());
    assertEquals(2L * bytes.length, ch.taken);
    // Positional pieces never cross a PIECE boundary; each resumes where the short write stopped.
    long expected = 10;
    for (int i = 0; i < positional; i++) {
      long at = ch.offsets.get(i);
      assertEquals(expected, at, "write " + i);
      assertEquals(at / ChunkedWrites.PIECE, (at + ch.sizes.get(i) - 1) / ChunkedWrites.PIECE,
          "write " + i + " at " + at + " of " + ch.sizes.get(i) + " crosses a piece boundary");
      expected = at + ch.took.get(i);
    }
    assertEquals(10L + bytes.length, expected);
    assertEquals(ChunkedWrites.PIECE - 10, ch.sizes.get(0), "the first piece ends at the first boundary");
  }

  /** Records each write's offered size and offset; takes at most half of what it is offered (short writes). */
  private static final class Recording extends FileChannel {
    final List<Integer> sizes = new ArrayList<>();
    final List<Long> offsets = new ArrayList<>();
    final List<Integer> took = new ArrayList<>();
    long taken;
    long position;

    private int take(ByteBuffer src, long at) {
      int n = Math.max(1, src.remaining() / 2);
      sizes.add(src.remaining());
      offsets.add(at);
      src.position(src.position() + n);
      taken += n;
      took.add(n);
      return n;
    }

    @Override
    public int write(ByteBuffer src, long position) {
      return take(src, position);
    }

    @Override
    public int write(ByteBuffer src) {
      throw new UnsupportedOperationException();
    }

    @Override
    public int read(ByteBuffer dst) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long position() {
      return position;
    }

    @Override
    public FileChannel position(long newPosition) {
      position = newPosition;
      return this;
    }

    @Override
    public long size() {
      throw new UnsupportedOperationException();
    }

    @Override
    public FileChannel truncate(long size) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void force(boolean metaData) {}

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) {
      throw new UnsupportedOperationException();
    }

    @Override
    public int read(ByteBuffer dst, long position) {
      throw new UnsupportedOperationException();
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) {
      throw new UnsupportedOperationException();
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) {
      throw new UnsupportedOperationException();
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) {
      throw new UnsupportedOperationException();
    }

    @Override
    protected void implCloseChannel() {}
  }
}
