package dev.vmpackager.disk.vhdx;

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
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Reads a VHDX: picks the valid header with the highest sequence number, replays a pending log in
 * memory, reads the region table, the metadata items and the BAT, then maps guest blocks to
 * 1 MiB-aligned payload blocks. Everything is read at open; afterwards the reader only does
 * positional reads and is thread-safe.
 */
final class VhdxReader implements DiskImageReader {

  static final long MiB = 1L << 20;
  static final long HEADER_1 = 64 * 1024;
  static final long HEADER_2 = 128 * 1024;
  static final int HEADER_SIZE = 4096;
  static final long REGION_TABLE_1 = 192 * 1024;
  static final long REGION_TABLE_2 = 256 * 1024;
  static final int REGION_TABLE_SIZE = 64 * 1024;
  static final int METADATA_TABLE_SIZE = 64 * 1024;
  static final int MAX_TABLE_ENTRIES = 2047;
  static final long MAX_VIRTUAL_SIZE = 64L << 40;
  /** BAT entries read at most (64 MiB of payload offsets: 64 TiB with 8 MiB blocks, 8 TiB with 1 MiB blocks). */
  static final long MAX_BAT_ENTRIES = 1L << 23;

  static final byte[] BAT_REGION = Guids.bytes("2DC27766-F623-4200-9D64-115E9BFD4A08");
  static final byte[] METADATA_REGION = Guids.bytes("8B7CA206-4790-4B9A-B8FE-575F050F886E");
  static final byte[] FILE_PARAMETERS = Guids.bytes("CAA16737-FA36-4D43-B3B6-33F0AA44E76B");
  static final byte[] VIRTUAL_DISK_SIZE = Guids.bytes("2FA54224-CD1B-4876-B211-5DBED83BF4B8");
  static final byte[] PAGE83 = Guids.bytes("BECA12AB-B2E6-4523-93EF-C309E000C746");
  static final byte[] LOGICAL_SECTOR_SIZE = Guids.bytes("8141BF1D-A96F-4709-BA47-F233A8FAAB5F");
  static final byte[] PHYSICAL_SECTOR_SIZE = Guids.bytes("CDA348C7-445D-4471-9CC9-E9885251C556");
  static final byte[] PARENT_LOCATOR = Guids.bytes("A8D35F2D-B30B-454D-ABF7-D3D84834AB0C");

  // Payload block states.
  static final int NOT_PRESENT = 0;
  static final int UNDEFINED = 1;
  static final int ZERO = 2;
  static final int UNMAPPED = 3;
  static final int UNMAPPED_V095 = 5;
  static final int FULLY_PRESENT = 6;
  static final int PARTIALLY_PRESENT = 7;


  private final FileView file;
  private final long virtualSize;
  private final long blockSize;
  /** File offset of each payload block, -1 when it reads as zeros. */
  private final long[] blocks;

  private VhdxReader(FileView file, long virtualSize, long blockSize, long[] blocks) {
    this.file = file;
    this.virtualSize = virtualSize;
    this.blockSize = blockSize;
    this.blocks = blocks;
  }

  static VhdxReader open(ImageSource source, DiskOpenOptions options) throws IOException {
    String name = source.name();
    long fileSize = source.size();
    if (fileSize < REGION_TABLE_2 + REGION_TABLE_SIZE) {
      throw new CorruptImageException(name + ": truncated: too small for the VHDX header section (" + fileSize + " bytes)");
    }
    byte[] id = new byte[8];
    source.readFully(ByteBuffer.wrap(id), 0);
    if (!Arrays.equals(id, VhdxDriver.FILE_ID)) {
      throw new CorruptImageException(name + ": not a VHDX image (no 'vhdxfile' identifier at offset 0)");
    }
    ByteBuffer header = currentHeader(source);
    byte[] logGuid = new byte[16];
    header.get(48, logGuid);
    FileView file;
    if (Guids.isNull(logGuid)) {
      file = FileView.of(source);
    } else {
      int logVersion = header.getShort(64) & 0xFFFF;
      if (logVersion != 0) {
        throw new UnsupportedImageException(name + ": VHDX log version " + logVersion + " is not supported");
      }
      long logLength = Integer.toUnsignedLong(header.getInt(68));
      long logOffset = header.getLong(72);
      file = VhdxLog.replay(source, logOffset, logLength, logGuid);
    }

    ByteBuffer regions = regionTable(file);
    long batOffset = -1;
    long batLength = 0;
    long metaOffset = -1;
    long metaLength = 0;
    int count = regions.getInt(8);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < count; i++) {
      int at = 16 + i * 32;
      byte[] guid = new byte[16];
      regions.get(at, guid);
      long offset = regions.getLong(at + 16);
      long length = Integer.toUnsignedLong(regions.getInt(at + 24));
      boolean required = (regions.getInt(at + 28) & 1) != 0;
      String g = Guids.string(guid);
      if (!seen.add(g)) {
        throw new CorruptImageException(name + ": corrupt VHDX region table: region " + g + " appears twice");
      }
      boolean bat = Arrays.equals(guid, BAT_REGION);
      boolean meta = Arrays.equals(guid, METADATA_REGION);
      if (!bat && !meta) {
        if (required) {
          throw new UnsupportedImageException(name + ": VHDX has an unknown required region " + g);
        }
        continue;
      }
      if (offset < MiB || offset % MiB != 0 || length == 0 || length % MiB != 0 || offset > file.size()
          || length > file.size() - offset) {
        throw new CorruptImageException(String.format(
            "%s: truncated or corrupt: the VHDX %s region (%d bytes at offset %d) lies outside the file (%d bytes)",
            name, bat ? "BAT" : "metadata", length, offset, file.size()));
      }
      if (bat) {
        batOffset = offset;
        batLength = length;
      } else {
        metaOffset = offset;
        metaLength = length;
      }
    }
    if (batOffset < 0 || metaOffset < 0) {
      throw new CorruptImageException(name + ": corrupt VHDX: the region table has no "
          + (batOffset < 0 ? "BAT" : "metadata") + " region");
    }

    Metadata md = metadata(file, metaOffset, metaLength, options);
    long chunkRatio = (1L << 23) * md.logicalSectorSize / md.blockSize;
    long payloadBlocks = (md.virtualSize + md.blockSize - 1) / md.blockSize;
    long batEntries = payloadBlocks == 0 ? 0 : payloadBlocks + (payloadBlocks - 1) / chunkRatio;
    if (batEntries * 8 > batLength) {
      throw new CorruptImageException(String.format(
          "%s: corrupt VHDX: the BAT region (%d bytes) is too small for %d entries", name, batLength, batEntries));
    }
    if (batEntries > MAX_BAT_ENTRIES) {
      throw new UnsupportedImageException(name + ": VHDX with " + batEntries + " BAT entries is larger than supported");
    }
    // Read in chunks so the table is held once; every (chunkRatio+1)-th entry is a sector bitmap entry.
    ByteBuffer bat = ByteBuffer.allocate((int) Math.min(batEntries * 8, 1 << 20)).order(ByteOrder.LITTLE_ENDIAN);
    int perChunk = bat.capacity() / 8;
    long[] blocks = new long[(int) payloadBlocks];
    for (long j = 0; j < batEntries; j++) {
      int k = (int) (j % perChunk);
      if (k == 0) {
        bat.clear().limit((int) Math.min(bat.capacity(), (batEntries - j) * 8));
        file.readFully(bat, batOffset + j * 8);
      }
      if ((j + 1) % (chunkRatio + 1) == 0) {
        continue;
      }
      int i = (int) (j - j / (chunkRatio + 1));
      if (i >= payloadBlocks) {
        break;
      }
      long e = bat.getLong(k * 8);
      int state = (int) (e & 7);
      long offset = (e >>> 20) * MiB;
      switch (state) {
        case NOT_PRESENT, UNDEFINED, ZERO, UNMAPPED, UNMAPPED_V095 -> blocks[i] = -1;
        case FULLY_PRESENT -> {
          long guestBytes = Math.min(md.blockSize, md.virtualSize - i * md.blockSize);
          if (offset < MiB || offset > file.size() - guestBytes) {
            throw new CorruptImageException(String.format(
                "%s: truncated or corrupt: VHDX payload block %d at offset %d lies outside the file (%d bytes)",
                name, i, offset, file.size()));
          }
          blocks[i] = offset;
        }
        case PARTIALLY_PRESENT -> throw new UnsupportedImageException(
            name + ": VHDX payload block " + i + " is partially present (differencing disks are not supported)");
        default -> throw new CorruptImageException(
            name + ": corrupt VHDX BAT: payload block " + i + " has unknown state " + state);
      }
    }
    return new VhdxReader(file, md.virtualSize, md.blockSize, blocks);
  }

  /** @return the valid header with the highest sequence number, little-endian */
  private static ByteBuffer currentHeader(ImageSource source) throws IOException {
    ByteBuffer h1 = validHeader(source, HEADER_1);
    ByteBuffer h2 = validHeader(source, HEADER_2);
    if (h1 == null && h2 == null) {
      throw new CorruptImageException(source.name() + ": corrupt VHDX: neither header is valid (signature, CRC-32C, version)");
    }
    if (h1 == null) {
      return h2;
    }
    if (h2 == null) {
      return h1;
    }
    return Long.compareUnsigned(h2.getLong(8), h1.getLong(8)) > 0 ? h2 : h1;
  }

  private static ByteBuffer validHeader(ImageSource source, long at) throws IOException {
    ByteBuffer h = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    source.readFully(h, at);
    byte[] b = h.array();
    if (!VhdxLog.ascii(b, 0, "head") || !crcOk(b, HEADER_SIZE) || (h.getShort(66) & 0xFFFF) != 1) {
      return null;
    }
    return h;
  }

  /** CRC-32C over {@code length} bytes with the checksum field (offset 4) taken as zero. */
  static boolean crcOk(byte[] b, int length) {
    CRC32C crc = new CRC32C();
    crc.update(b, 0, 4);
    crc.update(new byte[4]);
    crc.update(b, 8, length - 8);
    int stored = ByteBuffer.wrap(b, 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    return (int) crc.getValue() == stored;
  }

  private static ByteBuffer regionTable(FileView file) throws IOException {
    for (long at : new long[] {REGION_TABLE_1, REGION_TABLE_2}) {
      ByteBuffer t = ByteBuffer.allocate(REGION_TABLE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
      file.readFully(t, at);
      byte[] b = t.array();
      int count = t.getInt(8);
      if (VhdxLog.ascii(b, 0, "regi") && crcOk(b, REGION_TABLE_SIZE) && count >= 0 && count <= MAX_TABLE_ENTRIES) {
        return t;
      }
    }
    throw new CorruptImageException(file.name() + ": corrupt VHDX: neither region table is valid (signature, CRC-32C, entry count)");
  }

  private record Metadata(long blockSize, long logicalSectorSize, long virtualSize) {}

  private static Metadata metadata(FileView file, long regionOffset, long regionLength, DiskOpenOptions options)
      throws IOException {
    String name = file.name();
    ByteBuffer t = ByteBuffer.allocate(METADATA_TABLE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    file.readFully(t, regionOffset);
    byte[] b = t.array();
    int count = t.getShort(10) & 0xFFFF;
    if (!VhdxLog.ascii(b, 0, "metadata") || count > MAX_TABLE_ENTRIES) {
      throw new CorruptImageException(name + ": corrupt VHDX metadata table (signature or entry count)");
    }
    Long blockSize = null;
    Long flags = null;
    Long virtualSize = null;
    Long logicalSector = null;
    boolean parentLocator = false;
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < count; i++) {
      int at = 32 + i * 32;
      byte[] guid = new byte[16];
      t.get(at, guid);
      long offset = Integer.toUnsignedLong(t.getInt(at + 16));
      long length = Integer.toUnsignedLong(t.getInt(at + 20));
      int itemFlags = t.getInt(at + 24);
      boolean user = (itemFlags & 1) != 0;
      boolean required = (itemFlags & 4) != 0;
      String g = Guids.string(guid);
      if (!seen.add(g + user)) {
        throw new CorruptImageException(name + ": corrupt VHDX metadata: item " + g + " appears twice");
      }
      if (length > 0 && (offset < METADATA_TABLE_SIZE || length > MiB || offset + length > regionLength)) {
        throw new CorruptImageException(String.format(
            "%s: corrupt VHDX metadata: item %s (%d bytes at %d) lies outside the metadata region", name, g, length, offset));
      }
      if (user) {
        continue;
      }
      if (Arrays.equals(guid, FILE_PARAMETERS)) {
        ByteBuffer v = item(file, regionOffset, offset, length, 8, g);
        blockSize = Integer.toUnsignedLong(v.getInt(0));
        flags = Integer.toUnsignedLong(v.getInt(4));
      } else if (Arrays.equals(guid, VIRTUAL_DISK_SIZE)) {
        virtualSize = item(file, regionOffset, offset, length, 8, g).getLong(0);
      } else if (Arrays.equals(guid, LOGICAL_SECTOR_SIZE)) {
        logicalSector = Integer.toUnsignedLong(item(file, regionOffset, offset, length, 4, g).getInt(0));
      } else if (Arrays.equals(guid, PARENT_LOCATOR)) {
        parentLocator = true;
      } else if (!Arrays.equals(guid, PAGE83) && !Arrays.equals(guid, PHYSICAL_SECTOR_SIZE) && required) {
        throw new UnsupportedImageException(name + ": VHDX has an unknown required metadata item " + g);
      }
    }
    if (blockSize == null || virtualSize == null || logicalSector == null) {
      throw new CorruptImageException(name + ": corrupt VHDX metadata: "
          + (blockSize == null ? "file parameters" : virtualSize == null ? "virtual disk size" : "logical sector size")
          + " missing");
    }
    if ((flags & 2) != 0 || parentLocator) {
      throw new UnsupportedImageException(name + ": is a differencing VHDX (a Hyper-V checkpoint/.avhdx whose"
          + " unwritten blocks live in a parent disk); differencing VHDXs are not read, whatever <allowExternalFiles>"
          + " says: qemu-img does not support them either, so there is no reference to check a reader against."
          + " Merge it first (Hyper-V: delete the checkpoint, or Merge-VHD -Path " + name
          + " -DestinationPath merged.vhdx) and convert the merged disk");
    }
    if (blockSize < MiB || blockSize > 256 * MiB || Long.bitCount(blockSize) != 1) {
      throw new CorruptImageException(name + ": bad VHDX block size " + blockSize
          + " (must be a power of two from 1 MiB to 256 MiB)");
    }
    if (logicalSector != 512 && logicalSector != 4096) {
      throw new CorruptImageException(name + ": bad VHDX logical sector size " + logicalSector + " (512 or 4096)");
    }
    if (virtualSize < 0 || virtualSize > MAX_VIRTUAL_SIZE) {
      throw new CorruptImageException(name + ": bad VHDX virtual disk size " + virtualSize + " (at most 64 TiB)");
    }
    return new Metadata(blockSize, logicalSector, virtualSize);
  }

  private static ByteBuffer item(FileView file, long regionOffset, long offset, long length, int need, String guid)
      throws IOException {
    if (length < need) {
      throw new CorruptImageException(file.name() + ": corrupt VHDX metadata: item " + guid + " is only " + length + " bytes");
    }
    ByteBuffer v = ByteBuffer.allocate(need).order(ByteOrder.LITTLE_ENDIAN);
    file.readFully(v, regionOffset + offset);
    return v;
  }

  @Override
  public DiskFormat format() {
    return DiskFormat.VHDX;
  }

  @Override
  public long virtualSize() {
    return virtualSize;
  }

  @Override
  public DiskExtent extentAt(long offset) {
    return DiskExtent.ofBlocks(offset, blockSize, blocks.length, virtualSize, i -> blocks[i] >= 0);
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
      if (blocks[b] >= 0) {
        ByteBuffer part = dst.slice(dst.position(), n);
        file.readFully(part, blocks[b] + in);
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
