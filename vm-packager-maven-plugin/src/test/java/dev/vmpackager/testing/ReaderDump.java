package dev.vmpackager.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.disk.DiskExtent;
import dev.vmpackager.disk.DiskImageReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads a whole guest disk through a {@link DiskImageReader} into a sparse raw file, checking the
 * reader's own promises on the way (extents tile the disk, zero extents read as zeros), so a
 * reader can be compared with its source by {@code qemu-img compare} before any converter exists.
 */
public final class ReaderDump {

  private ReaderDump() {}

  /**
   * @param reader the reader under test
   * @param raw the raw file to write
   * @return {@code raw}
   */
  public static Path toRaw(DiskImageReader reader, Path raw) throws IOException {
    long size = reader.virtualSize();
    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    try (FileChannel out = FileChannel.open(raw, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      long offset = 0;
      while (offset < size) {
        DiskExtent e = reader.extentAt(offset);
        assertEquals(offset, e.offset(), "extent must start where asked");
        assertTrue(e.end() <= size, () -> "extent " + e + " runs past the disk size " + size);
        for (long at = e.offset(); at < e.end(); ) {
          int n = (int) Math.min(buf.capacity(), e.end() - at);
          buf.clear().limit(n);
          reader.read(buf, at);
          assertEquals(n, buf.position(), "read must fill the buffer");
          buf.flip();
          if (e.zero()) {
            // One check per buffer: a message built per byte made 64 MiB dumps take seconds.
            int bad = buf.mismatch(ByteBuffer.allocate(buf.remaining()));
            long where = at + bad;
            assertEquals(-1, bad, () -> "a zero extent must read as zeros at " + where);
          } else {
            while (buf.hasRemaining()) {
              out.write(buf, at + buf.position());
            }
          }
          at += n;
        }
        offset = e.end();
      }
      out.truncate(size);
      if (out.size() < size) {
        out.write(ByteBuffer.wrap(new byte[1]), size - 1);
      }
    }
    return raw;
  }
}
