package dev.vmpackager.disk.vdi;

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
import java.nio.ByteOrder;
import java.util.BitSet;

/**
 * Reads a VDI image: a flat map of block indices (not offsets) into the data area, which starts at
 * {@code offset_data}; each stored block is {@code block_extra} bytes of VirtualBox bookkeeping
 * followed by {@code block_size} bytes of guest data. The whole map is read at open, so the reader
 * is immutable and thread-safe afterwards.
 */
final class VdiReader implements DiskImageReader {

  /** Never allocated: reads as zeros. */
  static final int UNALLOCATED = 0xFFFFFFFF;
  /** Discarded (VirtualBox "zero block"): reads as zeros. */
  static final int DISCARDED = 0xFFFFFFFE;

  /** Map entries kept in memory at most (64 MiB of map, 16 TiB of disk with 1 MiB blocks). */
  static final long MAX_BLOCKS = 1L << 24;
  static final int HEADER_BYTES = 0x200;
  static final int SECTOR = 512;
  static final long MAX_BLOCK_SIZE = 64L << 20;


  private final ImageSource source;
  private final long virtualSize;
  private final long blockSize;
  private final long dataStart;
  private final long stride;
  private final int[] map;

  private VdiReader(ImageSource source, long virtualSize, long blockSize, long dataStart, long stride, int[] map) {
    this.source = source;
    this.virtualSize = virtualSize;
    this.blockSize = blockSize;
    this.dataStart = dataStart;
    this.stride = stride;
    this.map = map;
  }

  static VdiReader open(ImageSource source, DiskOpenOptions options) throws IOException {
    String name = source.name();
    long fileSize = source.size();
    if (fileSize < HEADER_BYTES) {
      throw new CorruptImageException(name + ": too small for a VDI header (" + fileSize + " bytes)");
    }
    ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    source.readFully(h, 0);
    if (h.getInt(VdiDriver.SIGNATURE_OFFSET) != VdiDriver.SIGNATURE) {
      throw new CorruptImageException(name + ": not a VDI image (no signature 0xBEDA107F at offset 0x40)");
    }
    int version = h.getInt(0x44);
    if (version != 0x00010001) {
      throw new UnsupportedImageException(String.format(
          "%s: VDI version %d.%d is not supported (only 1.1)", name, version >>> 16, version & 0xFFFF));
    }
    int imageType = h.getInt(0x4C);
    long offsetBmap = Integer.toUnsignedLong(h.getInt(0x154));
    long offsetData = Integer.toUnsignedLong(h.getInt(0x158));
    int sectorSize = h.getInt(0x168);
    long diskSize = h.getLong(0x170);
    long blockSize = Integer.toUnsignedLong(h.getInt(0x178));
    long blockExtra = Integer.toUnsignedLong(h.getInt(0x17C));
    long blocksInImage = Integer.toUnsignedLong(h.getInt(0x180));
    boolean hasLink = !isNull(h, 0x1A8);
    boolean hasParent = !isNull(h, 0x1B8);

    if (imageType == 4 || hasParent || hasLink) {
      throw new UnsupportedImageException(name + ": is a differencing VDI (a VirtualBox snapshot whose unwritten"
          + " blocks live in a parent image); differencing VDIs are not read, whatever <allowExternalFiles> says:"
          + " qemu-img refuses them too (\"unsupported VDI image (non-NULL parent UUID)\"), so there is no reference"
          + " to check a reader against. Merge it first: delete the snapshot in VirtualBox, or write the merged"
          + " disk with VBoxManage clonemedium disk " + name + " merged.vdi, and convert that");
    }
    if (imageType == 3) {
      throw new UnsupportedImageException(name + ": VDI 'undo' images are not supported");
    }
    if (imageType != 1 && imageType != 2) {
      throw new CorruptImageException(name + ": unknown VDI image type " + imageType);
    }
    if (sectorSize != SECTOR) {
      throw new UnsupportedImageException(name + ": VDI sector size " + sectorSize + " is not supported (only 512)");
    }
    if (blockSize < SECTOR || blockSize > MAX_BLOCK_SIZE || blockSize % SECTOR != 0) {
      throw new CorruptImageException(name + ": bad VDI block size " + blockSize
          + " (must be a multiple of 512 up to " + MAX_BLOCK_SIZE + ")");
    }
    if (blockExtra > MAX_BLOCK_SIZE) {
      throw new CorruptImageException(name + ": bad VDI block_extra " + blockExtra);
    }
    if (diskSize < 0 || diskSize > blocksInImage * blockSize) {
      throw new CorruptImageException(String.format(
          "%s: VDI disk size %d does not fit its %d blocks of %d bytes", name, diskSize, blocksInImage, blockSize));
    }
    if (offsetBmap < 0x180 || offsetBmap % SECTOR != 0) {
      throw new CorruptImageException(name + ": bad VDI block map offset " + offsetBmap);
    }
    if (offsetData % SECTOR != 0 || offsetData > fileSize) {
      throw new CorruptImageException(name + ": bad VDI data offset " + offsetData + " (file has " + fileSize + " bytes)");
    }
    if (offsetBmap + blocksInImage * 4 > fileSize) {
      throw new CorruptImageException(String.format(
          "%s: truncated or corrupt: the VDI block map (%d entries at offset %d) runs past the end of the file (%d bytes)",
          name, blocksInImage, offsetBmap, fileSize));
    }
    if (blocksInImage > MAX_BLOCKS) {
      throw new UnsupportedImageException(name + ": VDI with " + blocksInImage + " blocks is larger than supported ("
          + MAX_BLOCKS + " blocks)");
    }
    // VBoxManage convertfromraw can write an odd disk size; qemu rounds it up to whole sectors.
    long virtualSize = (diskSize + SECTOR - 1) / SECTOR * SECTOR;
    int usedBlocks = (int) ((virtualSize + blockSize - 1) / blockSize);
    int[] map = new int[usedBlocks];
    // Read in chunks so the map is held once, not twice.
    ByteBuffer mb = ByteBuffer.allocate((int) Math.min(usedBlocks * 4L, 1 << 20)).order(ByteOrder.LITTLE_ENDIAN);
    for (int done = 0; done < usedBlocks; ) {
      int n = Math.min(usedBlocks - done, mb.capacity() / 4);
      mb.clear().limit(n * 4);
      source.readFully(mb, offsetBmap + done * 4L);
      mb.flip();
      mb.asIntBuffer().get(map, done, n);
      done += n;
    }

    long stride = blockSize + blockExtra;
    BitSet seen = new BitSet();
    for (int b = 0; b < usedBlocks; b++) {
      int e = map[b];
      if (!allocated(e)) {
        continue;
      }
      long idx = Integer.toUnsignedLong(e);
      long guestBytes = Math.min(blockSize, virtualSize - b * blockSize);
      if (idx >= blocksInImage || offsetData + idx * stride + blockExtra + guestBytes > fileSize) {
        throw new CorruptImageException(String.format(
            "%s: truncated or corrupt: VDI block %d points at data block %d, past the end of the file (%d bytes)",
            name, b, idx, fileSize));
      }
      if (seen.get((int) idx)) {
        throw new CorruptImageException(String.format(
            "%s: corrupt VDI block map: data block %d is used twice (again by block %d)", name, idx, b));
      }
      seen.set((int) idx);
    }
    return new VdiReader(source, virtualSize, blockSize, offsetData + blockExtra, stride, map);
  }

  private static boolean isNull(ByteBuffer h, int at) {
    for (int i = 0; i < 16; i++) {
      if (h.get(at + i) != 0) {
        return false;
      }
    }
    return true;
  }

  static boolean allocated(int entry) {
    return Integer.compareUnsigned(entry, DISCARDED) < 0;
  }

  @Override
  public DiskFormat format() {
    return DiskFormat.VDI;
  }

  @Override
  public long virtualSize() {
    return virtualSize;
  }

  @Override
  public DiskExtent extentAt(long offset) {
    return DiskExtent.ofBlocks(offset, blockSize, map.length, virtualSize, i -> allocated(map[i]));
  }

  @Override
  public void read(ByteBuffer dst, long offset) throws IOException {
    if (offset < 0 || offset > virtualSize - dst.remaining()) {
      throw new IllegalArgumentException("read of " + dst.remaining() + " bytes at " + offset
          + " outside the disk (" + virtualSize + " bytes)");
    }
    while (dst.hasRemaining()) {
      int b = (int) (offset / blockSize);
      long in = offset - b * blockSize;
      int n = (int) Math.min(dst.remaining(), blockSize - in);
      int e = map[b];
      if (allocated(e)) {
        ByteBuffer part = dst.slice(dst.position(), n);
        source.readFully(part, dataStart + Integer.toUnsignedLong(e) * stride + in);
        dst.position(dst.position() + n);
      } else {
        Zeros.fill(dst, n);
      }
      offset += n;
    }
  }

  @Override
  public void close() {
    // The source belongs to the caller.
  }
}
