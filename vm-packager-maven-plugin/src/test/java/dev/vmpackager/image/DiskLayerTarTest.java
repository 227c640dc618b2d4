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

  /**
   * The image tar's layer entry of a blob of 8 GiB or more: the size in the base-256 form, which
   * commons-compress (and Go's archive/tar) read back exactly; below that, ustar octal.
   */
  @Test
  void hugeEntrySizeIsBase256AndReadBack() throws Exception {
    long huge = (9L << 30) + 12345;
    byte[] h = DiskLayerTar.header("blobs/sha256/" + "a".repeat(64), '0', huge, 0644, 0, 1767225600L);
    assertEquals((byte) 0x80, h[124], "base-256 marker");
    TarArchiveEntry e = new TarArchiveEntry(h);
    assertEquals(huge, e.getSize());
    assertEquals("blobs/sha256/" + "a".repeat(64), e.getName());
    assertTrue(e.isCheckSumOK(), "checksum over the binary size field");
    TarArchiveEntry small = new TarArchiveEntry(DiskLayerTar.header("x", '0', 1234, 0644, 0, 0));
    assertEquals(1234, small.getSize());
    assertTrue(small.isCheckSumOK());
  }
}
