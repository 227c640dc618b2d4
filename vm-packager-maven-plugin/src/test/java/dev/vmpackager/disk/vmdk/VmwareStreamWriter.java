package dev.vmpackager.disk.vmdk;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.Deflater;

/**
 * Writes a streamOptimized VMDK the way VMware does (qemu cannot): header with the grain
 * directory "at end", zlib grains behind grain markers, all-zero grains and grain tables omitted,
 * GT and GD metadata markers, then footer marker, footer header and end-of-stream marker.
 * Test code only: it makes the fixture qemu-img and our reader must both read.
 */
public final class VmwareStreamWriter {

  private static final int SECTOR = 512;
  private static final int GRAIN_SECTORS = 128;
  private static final int GTES = 512;
  /** gdOffset in the head header: "the grain directory is at the end, read the footer". */
  private static final long GD_AT_END = -1L;

  private VmwareStreamWriter() {}

  /**
   * @param raw the guest disk, a raw file whose size is a multiple of 512
   * @param out the stream VMDK to write
   * @return {@code out}
   */
  public static Path write(Path raw, Path out) throws IOException {
    return write(raw, out, GRAIN_SECTORS);
  }

  /**
   * @param raw the guest disk, a raw file whose size is a multiple of 512
   * @param out the stream VMDK to write
   * @param grainSectors the grain size in sectors (VMware's default is 128: 64 KiB)
   * @return {@code out}
   */
  public static Path write(Path raw, Path out, int grainSectors) throws IOException {
    int grainBytes = grainSectors * SECTOR;
    long size = Files.size(raw);
    if (size % SECTOR != 0) {
      throw new IllegalArgumentException("raw size must be a multiple of 512");
    }
    long capacity = size / SECTOR;
    int grains = (int) ((capacity + grainSectors - 1) / grainSectors);
    int gdEntries = (grains + GTES - 1) / GTES;
    int[] gtes = new int[grains];
    String descriptor = "# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=ffffffff\n"
        + "createType=\"streamOptimized\"\n\n# Extent description\nRW " + capacity + " SPARSE \""
        + out.getFileName() + "\"\n\n# The Disk Data Base\n#DDB\n\nddb.virtualHWVersion = \"4\"\n"
        + "ddb.adapterType = \"lsilogic\"\nddb.toolsVersion = \"2147483647\"\n";
    byte[] desc = descriptor.getBytes(StandardCharsets.US_ASCII);
    int descSectors = (desc.length + SECTOR - 1) / SECTOR;
    long grainOffset = 1 + descSectors;
    try (FileChannel in = FileChannel.open(raw, StandardOpenOption.READ);
        OutputStream o = Files.newOutputStream(out)) {
      Sink s = new Sink(o);
      s.sector(header(capacity, grainSectors, 1, descSectors, GD_AT_END, grainOffset));
      s.padded(desc);
      Deflater deflater = new Deflater();
      byte[] grain = new byte[grainBytes];
      byte[] compressed = new byte[grainBytes * 2 + 64];
      for (int g = 0; g < grains; g++) {
        long at = (long) g * grainBytes;
        int len = (int) Math.min(grainBytes, size - at);
        ByteBuffer b = ByteBuffer.wrap(grain, 0, len);
        while (b.hasRemaining()) {
          in.read(b, at + b.position());
        }
        if (isZero(grain, len)) {
          continue;
        }
        deflater.reset();
        deflater.setInput(grain, 0, len);
        deflater.finish();
        int clen = deflater.deflate(compressed);
        if (!deflater.finished()) {
          throw new IllegalStateException("grain did not compress into the buffer");
        }
        gtes[g] = (int) s.sectors;
        ByteBuffer m = ByteBuffer.allocate(12 + clen).order(ByteOrder.LITTLE_ENDIAN);
        m.putLong((long) g * grainSectors).putInt(clen).put(compressed, 0, clen);
        s.padded(m.array());
      }
      deflater.end();
      int[] gd = new int[gdEntries];
      for (int t = 0; t < gdEntries; t++) {
        int from = t * GTES;
        int to = Math.min(grains, from + GTES);
        boolean any = false;
        for (int g = from; g < to; g++) {
          any |= gtes[g] != 0;
        }
        if (!any) {
          continue; // VMware omits tables of all-zero ranges
        }
        s.sector(marker(GTES * 4 / SECTOR, 1));
        gd[t] = (int) s.sectors;
        ByteBuffer gt = ByteBuffer.allocate(GTES * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int g = from; g < to; g++) {
          gt.putInt((g - from) * 4, gtes[g]);
        }
        s.padded(gt.array());
      }
      int gdSectors = (gdEntries * 4 + SECTOR - 1) / SECTOR;
      s.sector(marker(gdSectors, 2));
      long gdOffset = s.sectors;
      ByteBuffer gdb = ByteBuffer.allocate(gdEntries * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (int v : gd) {
        gdb.putInt(v);
      }
      s.padded(gdb.array());
      s.sector(marker(1, 3));
      s.sector(header(capacity, grainSectors, 1, descSectors, gdOffset, grainOffset));
      s.sector(new byte[SECTOR]); // end-of-stream marker: all zeros (type 0)
    }
    return out;
  }

  static byte[] header(long capacity, long grainSectors, long descOffset, long descSectors, long gdOffset,
      long grainOffset) {
    ByteBuffer h = ByteBuffer.allocate(SECTOR).order(ByteOrder.LITTLE_ENDIAN);
    h.put(new byte[] {'K', 'D', 'M', 'V'});
    h.putInt(3); // version
    h.putInt(0x30003); // valid newline test, redundant GD flag, compressed, markers (as VMware writes)
    h.putLong(capacity);
    h.putLong(grainSectors);
    h.putLong(descOffset);
    h.putLong(descSectors);
    h.putInt(GTES);
    h.putLong(0); // rgdOffset: none in a stream
    h.putLong(gdOffset);
    h.putLong(grainOffset);
    h.put((byte) 0);
    h.put(new byte[] {'\n', ' ', '\r', '\n'});
    h.putShort((short) 1); // deflate
    return h.array();
  }

  static byte[] marker(long numSectors, int type) {
    ByteBuffer m = ByteBuffer.allocate(SECTOR).order(ByteOrder.LITTLE_ENDIAN);
    m.putLong(numSectors).putInt(0).putInt(type);
    return m.array();
  }

  private static boolean isZero(byte[] b, int len) {
    return Arrays.mismatch(b, 0, len, new byte[len], 0, len) < 0;
  }

  /** Counts sectors as it writes them. */
  private static final class Sink {
    private final OutputStream out;
    long sectors;

    Sink(OutputStream out) {
      this.out = out;
    }

    void sector(byte[] b) throws IOException {
      padded(b);
    }

    void padded(byte[] b) throws IOException {
      out.write(b);
      int pad = (SECTOR - b.length % SECTOR) % SECTOR;
      out.write(new byte[pad]);
      sectors += (b.length + pad) / SECTOR;
    }
  }
}
