package dev.vmpackager.disk.vpc;

import dev.vmpackager.disk.Zeros;
import dev.vmpackager.disk.CorruptImageException;
import dev.vmpackager.disk.DiskExtent;
import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageReader;
import dev.vmpackager.disk.DiskOpenOptions;
import dev.vmpackager.disk.ImageSource;
import dev.vmpackager.disk.UnsupportedImageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads a fixed or dynamic VHD. A fixed disk is the file's first bytes; a dynamic one has a BAT of
 * sector offsets, each allocated block being a sector bitmap (1 = sector present, most significant
 * bit first) followed by the block's data. Sectors whose bit is clear read as zeros. The BAT is read
 * at open; bitmaps are read with positional reads when needed, so the reader is thread-safe.
 */
final class VpcReader implements DiskImageReader {

  static final int SECTOR = 512;
  static final int UNALLOCATED = 0xFFFFFFFF;
  static final int DYN_HEADER_SIZE = 1024;
  static final long MAX_BLOCK_SIZE = 256L << 20;
  /** BAT entries kept in memory at most (32 MiB; 8 TiB with the usual 2 MiB blocks, beyond the format's 2 TiB). */
  static final long MAX_BAT_ENTRIES = 1L << 22;
  /** How many allocated blocks' bitmaps {@link #extentAt} reads to merge runs. */
  private static final int MERGE_BITMAPS = 64;


  private final ImageSource source;
  private final long virtualSize;
  /** 0 for a fixed disk. */
  private final long blockSize;
  private final int bitmapSize;
  /** Block offsets in bytes (of the bitmap), -1 when unallocated; null for a fixed disk. */
  private final long[] blocks;
  /**
   * Per block, what its sector bitmap was found to say: {@link #UNKNOWN}, {@link #FULL} (every
   * sector of the block present, as qemu and Hyper-V write them) or {@link #PARTIAL}. Filled lazily
   * so each bitmap is read once for the common full case; racing threads store the same value.
   */
  private final byte[] fullness;
  private static final byte UNKNOWN = 0;
  private static final byte FULL = 1;
  private static final byte PARTIAL = 2;

  private VpcReader(ImageSource source, long virtualSize, long blockSize, int bitmapSize, long[] blocks) {
    this.source = source;
    this.virtualSize = virtualSize;
    this.blockSize = blockSize;
    this.bitmapSize = bitmapSize;
    this.blocks = blocks;
    this.fullness = blocks == null ? null : new byte[blocks.length];
  }

  static VpcReader open(ImageSource source, DiskOpenOptions options) throws IOException {
    String name = source.name();
    long fileSize = source.size();
    if (fileSize < VpcFooter.SIZE) {
      throw new CorruptImageException(name + ": too small for a VHD footer (" + fileSize + " bytes)");
    }
    ByteBuffer footer = footer(source);
    int type = footer.getInt(VpcFooter.DISK_TYPE);
    long sectors = VpcFooter.guestSectors(footer);
    if (sectors > VpcFooter.MAX_SECTORS) {
      throw new UnsupportedImageException(name + ": VHD of " + sectors + " sectors is larger than the format's 2040 GiB");
    }
    long virtualSize = sectors * SECTOR;
    if (type == VpcFooter.FIXED) {
      if (virtualSize > fileSize - VpcFooter.SIZE) {
        throw new CorruptImageException(String.format(
            "%s: truncated: the fixed VHD footer claims %d bytes of disk but the file holds %d before its footer",
            name, virtualSize, fileSize - VpcFooter.SIZE));
      }
      return new VpcReader(source, virtualSize, 0, 0, null);
    }
    if (type != VpcFooter.DYNAMIC && type != VpcFooter.DIFFERENCING) {
      throw new CorruptImageException(name + ": unknown VHD disk type " + type);
    }
    long headerOffset = footer.getLong(VpcFooter.DATA_OFFSET);
    if (headerOffset < VpcFooter.SIZE || headerOffset > fileSize - DYN_HEADER_SIZE) {
      throw new CorruptImageException(String.format(
          "%s: the VHD dynamic header offset %d lies outside the file (%d bytes)", name, headerOffset, fileSize));
    }
    ByteBuffer dh = ByteBuffer.allocate(DYN_HEADER_SIZE);
    source.readFully(dh, headerOffset);
    dh.flip();
    if (!"cxsparse".equals(new String(dh.array(), 0, 8, StandardCharsets.ISO_8859_1))) {
      throw new CorruptImageException(name + ": no VHD dynamic header (cxsparse) at offset " + headerOffset);
    }
    int stored = dh.getInt(36);
    int computed = VpcFooter.checksum(dh, DYN_HEADER_SIZE, 36);
    if (stored != computed) {
      throw new CorruptImageException(String.format(
          "%s: bad VHD dynamic header checksum (stored %08x, computed %08x)", name, stored, computed));
    }
    if (type == VpcFooter.DIFFERENCING) {
      String parent = new String(dh.array(), 64, 512, StandardCharsets.UTF_16BE).replace("\0", "").trim();
      throw new UnsupportedImageException(name + ": is a differencing VHD whose parent is '" + parent
          + "'; differencing VHDs are not read, whatever <allowExternalFiles> says: qemu-img cannot create them and"
          + " reads them as if they had no parent (the parent's data comes out as zeros), so there is no reference to"
          + " check a reader against. Merge it into its parent first (Hyper-V: Merge-VHD, or Edit Disk > Merge;"
          + " Virtual PC: merge the undo/differencing disk) and convert the merged disk");
    }
    long tableOffset = dh.getLong(16);
    long maxEntries = Integer.toUnsignedLong(dh.getInt(28));
    long blockSize = Integer.toUnsignedLong(dh.getInt(32));
    if (blockSize < SECTOR || blockSize > MAX_BLOCK_SIZE || Long.bitCount(blockSize) != 1) {
      throw new CorruptImageException(name + ": bad VHD block size " + blockSize
          + " (must be a power of two from 512 to " + MAX_BLOCK_SIZE + ")");
    }
    long sectorsPerBlock = blockSize / SECTOR;
    int bitmapSize = (int) (((sectorsPerBlock + 7) / 8 + SECTOR - 1) / SECTOR * SECTOR);
    long usedBlocks = (virtualSize + blockSize - 1) / blockSize;
    if (maxEntries < usedBlocks) {
      throw new CorruptImageException(String.format(
          "%s: the VHD BAT has %d entries, too few for %d bytes of disk", name, maxEntries, virtualSize));
    }
    if (tableOffset < 0 || tableOffset > fileSize || usedBlocks * 4 > fileSize - tableOffset) {
      throw new CorruptImageException(String.format(
          "%s: truncated or corrupt: the VHD BAT (%d entries at offset %d) runs past the end of the file (%d bytes)",
          name, usedBlocks, tableOffset, fileSize));
    }
    if (usedBlocks > MAX_BAT_ENTRIES) {
      throw new UnsupportedImageException(name + ": VHD with " + usedBlocks + " blocks is larger than supported");
    }
    int n = (int) usedBlocks;
    ByteBuffer bat = ByteBuffer.allocate(Math.min(n * 4, 1 << 20));
    long[] blocks = new long[n];
    for (int i = 0; i < n; i++) {
      int k = i % (bat.capacity() / 4);
      if (k == 0) {
        bat.clear().limit(Math.min(bat.capacity(), (n - i) * 4));
        source.readFully(bat, tableOffset + i * 4L);
      }
      int e = bat.getInt(k * 4);
      if (e == UNALLOCATED) {
        blocks[i] = -1;
        continue;
      }
      long at = Integer.toUnsignedLong(e) * SECTOR;
      long guestBytes = Math.min(blockSize, virtualSize - i * blockSize);
      if (at + bitmapSize + guestBytes > fileSize) {
        throw new CorruptImageException(String.format(
            "%s: truncated or corrupt: VHD block %d at offset %d runs past the end of the file (%d bytes)",
            name, i, at, fileSize));
      }
      blocks[i] = at;
    }
    return new VpcReader(source, virtualSize, blockSize, bitmapSize, blocks);
  }

  /** The footer: the copy at offset 0 of a dynamic disk, else (or if that copy is damaged) the one at the end. */
  private static ByteBuffer footer(ImageSource source) throws IOException {
    String name = source.name();
    long fileSize = source.size();
    ByteBuffer head = ByteBuffer.allocate(VpcFooter.SIZE);
    source.readFully(head, 0);
    head.flip();
    ByteBuffer tail = ByteBuffer.allocate(VpcFooter.SIZE);
    source.readFully(tail, fileSize - VpcFooter.SIZE);
    tail.flip();
    boolean headCookie = VpcFooter.hasCookie(head, 0);
    boolean tailCookie = VpcFooter.hasCookie(tail, 0);
    if (headCookie && VpcFooter.checksumOk(head) && head.getInt(VpcFooter.DISK_TYPE) != VpcFooter.FIXED) {
      return head;
    }
    if (tailCookie && VpcFooter.checksumOk(tail)) {
      return tail;
    }
    if (!headCookie && !tailCookie) {
      throw new CorruptImageException(name + ": not a VHD image (no 'conectix' footer at the start or the end)");
    }
    ByteBuffer bad = tailCookie ? tail : head;
    throw new CorruptImageException(String.format("%s: bad VHD footer checksum (stored %08x, computed %08x)",
        name, bad.getInt(VpcFooter.CHECKSUM), VpcFooter.checksum(bad, VpcFooter.SIZE, VpcFooter.CHECKSUM)));
  }

  @Override
  public DiskFormat format() {
    return DiskFormat.VPC;
  }

  @Override
  public long virtualSize() {
    return virtualSize;
  }

  @Override
  public DiskExtent extentAt(long offset) throws IOException {
    if (offset < 0 || offset >= virtualSize) {
      throw new IllegalArgumentException("offset " + offset + " outside the disk (" + virtualSize + " bytes)");
    }
    if (blocks == null) {
      return new DiskExtent(offset, virtualSize - offset, false);
    }
    int b = (int) (offset / blockSize);
    boolean data = blocks[b] >= 0 && sectorPresent(b, (offset - b * blockSize) / SECTOR);
    long end = offset;
    int bitmapsRead = 0;
    while (b < blocks.length) {
      long blockStart = b * blockSize;
      long blockEnd = Math.min(virtualSize, blockStart + blockSize);
      long from = Math.max(end, blockStart);
      if (blocks[b] < 0) {
        if (data) {
          break;
        }
        end = blockEnd;
      } else {
        if (bitmapsRead++ == MERGE_BITMAPS) {
          break;
        }
        long runEnd = runEnd(b, from, blockEnd, data);
        end = runEnd;
        if (runEnd < blockEnd) {
          break;
        }
      }
      b++;
    }
    return new DiskExtent(offset, end - offset, !data);
  }

  /** @return whether every guest sector of allocated block b is marked present in its bitmap */
  private boolean full(int b) throws IOException {
    byte f = fullness[b];
    if (f == UNKNOWN) {
      long blockStart = b * blockSize;
      long sectors = (Math.min(virtualSize, blockStart + blockSize) - blockStart + SECTOR - 1) / SECTOR;
      byte[] bitmap = bitmap(b, 0, sectors);
      ByteBuffer longs = ByteBuffer.wrap(bitmap);
      boolean all = true;
      int i = 0;
      for (; i + 8 <= sectors / 8 && all; i += 8) {
        all = longs.getLong(i) == -1L;
      }
      for (; i < sectors / 8 && all; i++) {
        all = bitmap[i] == (byte) 0xFF;
      }
      for (long s = sectors / 8 * 8; s < sectors && all; s++) {
        all = bit(bitmap, s);
      }
      f = all ? FULL : PARTIAL;
      fullness[b] = f;
    }
    return f == FULL;
  }

  /** @return where the run of sectors of kind {@code data} starting at guest offset {@code from} ends within block b */
  private long runEnd(int b, long from, long blockEnd, boolean data) throws IOException {
    if (full(b)) {
      return data ? blockEnd : from;
    }
    long blockStart = b * blockSize;
    long firstSector = (from - blockStart) / SECTOR;
    long lastSector = (blockEnd - blockStart + SECTOR - 1) / SECTOR;
    byte[] bitmap = bitmap(b, firstSector, lastSector);
    long base = firstSector / 8 * 8;
    byte same = data ? (byte) 0xFF : 0;
    for (long s = firstSector; s < lastSector; s++) {
      if ((s & 7) == 0 && s + 8 <= lastSector && bitmap[(int) ((s - base) >>> 3)] == same) {
        s += 7;
        continue;
      }
      if (bit(bitmap, s - base) != data) {
        return Math.max(from, blockStart + s * SECTOR);
      }
    }
    return blockEnd;
  }

  private boolean sectorPresent(int b, long sector) throws IOException {
    if (full(b)) {
      return true;
    }
    byte[] bitmap = bitmap(b, sector, sector + 1);
    return bit(bitmap, sector % 8);
  }

  /** Reads the bitmap bytes covering sectors [first, last) of block b; bit 0 of the result is sector first/8*8. */
  private byte[] bitmap(int b, long first, long last) throws IOException {
    int from = (int) (first / 8);
    int to = (int) ((last + 7) / 8);
    ByteBuffer buf = ByteBuffer.allocate(to - from);
    source.readFully(buf, blocks[b] + from);
    return buf.array();
  }

  private static boolean bit(byte[] bitmap, long i) {
    return (bitmap[(int) (i >>> 3)] & (0x80 >>> (i & 7))) != 0;
  }

  @Override
  public void read(ByteBuffer dst, long offset) throws IOException {
    if (offset < 0 || offset > virtualSize - dst.remaining()) {
      throw new IllegalArgumentException("read of " + dst.remaining() + " bytes at " + offset
          + " outside the disk (" + virtualSize + " bytes)");
    }
    if (blocks == null) {
      source.readFully(dst, offset);
      return;
    }
    while (dst.hasRemaining()) {
      int b = (int) (offset / blockSize);
      long blockStart = b * blockSize;
      long in = offset - blockStart;
      int n = (int) Math.min(dst.remaining(), blockSize - in);
      if (blocks[b] < 0) {
        Zeros.fill(dst, n);
      } else if (full(b)) {
        ByteBuffer part = dst.slice(dst.position(), n);
        source.readFully(part, blocks[b] + bitmapSize + in);
        dst.position(dst.position() + n);
      } else {
        long firstSector = in / SECTOR;
        long lastSector = (in + n + SECTOR - 1) / SECTOR;
        byte[] bitmap = bitmap(b, firstSector, lastSector);
        long base = firstSector / 8 * 8;
        long pos = offset;
        long end = offset + n;
        while (pos < end) {
          long s = (pos - blockStart) / SECTOR;
          boolean present = bit(bitmap, s - base);
          long runEnd = pos;
          while (runEnd < end && bit(bitmap, (runEnd - blockStart) / SECTOR - base) == present) {
            runEnd = Math.min(end, blockStart + ((runEnd - blockStart) / SECTOR + 1) * SECTOR);
          }
          int k = (int) (runEnd - pos);
          if (present) {
            ByteBuffer part = dst.slice(dst.position(), k);
            source.readFully(part, blocks[b] + bitmapSize + (pos - blockStart));
            dst.position(dst.position() + k);
          } else {
            Zeros.fill(dst, k);
          }
          pos = runEnd;
        }
      }
      offset += n;
    }
  }

  @Override
  public void close() {
    // The source belongs to the caller.
  }
}
