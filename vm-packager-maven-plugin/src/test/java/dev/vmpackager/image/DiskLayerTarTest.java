package dev.vmpackager.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.event.BuildListener;
import dev.vmpackager.event.ProgressReporter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Instant;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskLayerTarTest {

  @TempDir Path dir;

  /** Keeps the first bytes (the headers), then stops the writer: the disk's content is not needed. */
  private static final class HeadersOnly extends OutputStream {
    final ByteArrayOutputStream head = new ByteArrayOutputStream();

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      head.write(b, off, Math.min(len, 8192 - head.size()));
      if (head.size() >= 8192) {
        throw new IOException("enough");
      }
    }
  }

  @Test
  void disksOf8GiBAndMoreGetTheirSizeFromAPaxHeader() throws Exception {
    long size = (8L << 30) + 1; // one byte past ustar's 11 octal digits
    Path disk = dir.resolve("big.raw");
    try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
      f.setLength(size); // sparse
    }
    HeadersOnly out = new HeadersOnly();
    ProgressReporter progress = ProgressReporter.start(BuildListener.NONE, "test", size);
    IOException stopped = assertThrows(IOException.class,
        () -> DiskLayerTar.write(disk, "big.raw", Instant.parse("2026-01-01T00:00:00Z"), out, progress));
    assertEquals("enough", stopped.getMessage());

    try (TarArchiveInputStream tar = new TarArchiveInputStream(new ByteArrayInputStream(out.head.toByteArray()))) {
      TarArchiveEntry d = tar.getNextEntry();
      assertEquals("disk/", d.getName());
      assertTrue(d.isDirectory());
      assertEquals(0555, d.getMode() & 07777);
      TarArchiveEntry f = tar.getNextEntry();
      assertEquals("disk/big.raw", f.getName());
      assertEquals(size, f.getSize());
      assertEquals(0444, f.getMode() & 07777);
      assertEquals(107, f.getLongUserId());
      assertEquals(107, f.getLongGroupId());
      assertEquals(Instant.parse("2026-01-01T00:00:00Z"), f.getModTime().toInstant());
    }
  }
}
