package dev.vmpackager.disk.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.disk.DiskImageReader;
import dev.vmpackager.disk.DiskImageWriter;
import dev.vmpackager.disk.DiskImages;
import dev.vmpackager.disk.DiskOpenOptions;
import dev.vmpackager.disk.OpenedDisk;
import dev.vmpackager.disk.raw.RawWriter;
import dev.vmpackager.event.BuildListener;
import dev.vmpackager.event.ProgressReporter;
import dev.vmpackager.testing.PatternedDisk;
import dev.vmpackager.testing.QemuImg;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A writer that needs every call in guest order ({@link DiskImageWriter.Order#STREAM}, as the raw
 * disk compressed as one zstd stream of KubeVirt's VM artifact will) gets them so, one at a time,
 * from any number of workers, with zero extents and zero blocks in between: the
 * stream it writes, its zeros filled in, is the raw disk byte for byte.
 */
class StreamOrderTest {

  /** 40 MiB + 3.5 KiB: ten windows and a partial one; a partial last block. */
  static final long SIZE = (40L << 20) + 3584;

  @TempDir
  static Path dir;

  static Path raw;

  @BeforeAll
  static void fixtures() throws Exception {
    raw = PatternedDisk.create(dir.resolve("src.raw"), SIZE, 5);
    QemuImg.convert(raw, dir.resolve("src.vmdk"), "vmdk", "-o", "subformat=streamOptimized");
  }

  @ParameterizedTest(name = "{0}, {1} threads")
  @CsvSource({"src.raw, 1", "src.raw, 3", "src.vmdk, 1", "src.vmdk, 3"})
  void everyCallInGuestOrder(String source, int threads) throws Exception {
    Path src = dir.resolve(source);
    Path out = dir.resolve("stream-" + source + "-" + threads + ".raw");
    try (OpenedDisk disk = DiskImages.open(src, null, new DiskOpenOptions(false));
        StreamWriter writer = new StreamWriter(out, SIZE)) {
      DiskImageReader reader = disk.reader();
      int window = JavaConversion.WINDOW;
      ProgressReporter progress = ProgressReporter.start(BuildListener.NONE, "t", SIZE);
      ConversionPipeline pipeline = new ConversionPipeline(reader, writer, window, false, threads,
          () -> new SourceWindow(reader, window, writer.blockSize()), progress);
      pipeline.run();
      assertEquals(SIZE, writer.finish());
    }
    assertEquals(-1, Files.mismatch(raw, out), "the stream must be the raw disk");
  }

  /**
   * Writes a raw disk as a stream, zeros included, and fails on a call out of guest order or made
   * while another is running. Its first write is slow, so a worker not kept to its turn would call
   * in the meantime.
   */
  static final class StreamWriter implements DiskImageWriter {

    private final OutputStream out;
    private final long size;
    private final AtomicBoolean busy = new AtomicBoolean();
    private long allocated = -1;
    private long written;
    private boolean slowed;

    StreamWriter(Path file, long size) throws IOException {
      this.out = new BufferedOutputStream(Files.newOutputStream(file));
      this.size = size;
    }

    @Override
    public int blockSize() {
      return RawWriter.BLOCK_SIZE;
    }

    @Override
    public Order order() {
      return Order.STREAM;
    }

    @Override
    public long allocate(long guestOffset) {
      enter();
      try {
        if (guestOffset <= allocated) {
          throw new IllegalStateException("block " + guestOffset + " allocated after block " + allocated);
        }
        allocated = guestOffset;
        return guestOffset;
      } finally {
        busy.set(false);
      }
    }

    @Override
    public void write(ByteBuffer data, long position) throws IOException {
      enter();
      try {
        if (position < written) {
          throw new IllegalStateException("write at " + position + " after the stream reached " + written);
        }
        if (!slowed) {
          slowed = true;
          Thread.sleep(300);
        }
        zeros(position - written);
        written = position + data.remaining();
        byte[] b = new byte[data.remaining()];
        data.get(b);
        out.write(b);
      } catch (InterruptedException e) {
        throw new InterruptedIOException();
      } finally {
        busy.set(false);
      }
    }

    @Override
    public long finish() throws IOException {
      zeros(size - written);
      written = size;
      out.flush();
      return size;
    }

    @Override
    public void close() throws IOException {
      out.close();
    }

    private void enter() {
      if (!busy.compareAndSet(false, true)) {
        throw new IllegalStateException("two calls at once");
      }
    }

    private void zeros(long n) throws IOException {
      byte[] z = new byte[65536];
      for (long left = n; left > 0; left -= z.length) {
        out.write(z, 0, (int) Math.min(left, z.length));
      }
    }
  }
}
