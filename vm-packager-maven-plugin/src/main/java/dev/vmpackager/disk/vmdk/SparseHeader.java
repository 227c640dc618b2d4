package dev.vmpackager.disk.vmdk;

import dev.vmpackager.disk.CorruptImageException;
import dev.vmpackager.disk.UnsupportedImageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 512-byte hosted sparse extent header ("VMDK4", magic {@code KDMV}), little-endian, as it
 * stands at the head of the file or, for VMware streams, in the footer.
 */
record SparseHeader(
    int version,
    int flags,
    long capacity,
    long grainSize,
    long descriptorOffset,
    long descriptorSize,
    int numGTEsPerGT,
    long rgdOffset,
    long gdOffset,
    long grainOffset,
    int compressAlgorithm) {

  static final int SECTOR = 512;
  /** gdOffset value meaning "the real header is in the footer at the end of the file". */
  static final long GD_AT_END = 0xFFFFFFFFFFFFFFFFL;
  static final int FLAG_NL_DETECT = 1;
  static final int FLAG_ZERO_GRAIN = 1 << 2;
  static final int FLAG_COMPRESSED = 1 << 16;
  static final int FLAG_MARKERS = 1 << 17;
  /** qemu's limit on the grain size: 0x200000 sectors = 1 GiB. */
  static final long MAX_GRAIN_SECTORS = 0x200000L;
  static final int MAX_GTES_PER_GT = 512;

  /** @return true when the four bytes at the buffer's position are {@code KDMV} */
  static boolean isSparseMagic(ByteBuffer b, int at) {
    return b.limit() - at >= 4 && b.get(at) == 'K' && b.get(at + 1) == 'D' && b.get(at + 2) == 'M' && b.get(at + 3) == 'V';
  }

  /**
   * @param sector the 512 header bytes, from position 0
   * @param name the file name for messages
   */
  static SparseHeader parse(ByteBuffer sector, String name) throws CorruptImageException {
    ByteBuffer b = sector.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (!isSparseMagic(b, 0)) {
      throw new CorruptImageException(name + ": not a VMDK sparse extent header (no KDMV magic)");
    }
    return new SparseHeader(
        b.getInt(4), b.getInt(8), b.getLong(12), b.getLong(20), b.getLong(28), b.getLong(36),
        b.getInt(44), b.getLong(48), b.getLong(56), b.getLong(64), Short.toUnsignedInt(b.getShort(77)));
  }

  /** @return true when the newline-detection bytes at 73..76 are {@code \n \r\n} */
  static boolean newlineBytesIntact(ByteBuffer sector) {
    return sector.get(73) == '\n' && sector.get(74) == ' ' && sector.get(75) == '\r' && sector.get(76) == '\n';
  }

  /** Checks the fields a reader relies on; throws naming the file and the field. */
  void validate(String name) throws CorruptImageException, UnsupportedImageException {
    if (version < 1 || version > 3) {
      throw new UnsupportedImageException(name + ": VMDK sparse version " + Integer.toUnsignedString(version)
          + " is not supported (1, 2 and 3 are)");
    }
    if (grainSize <= 0 || grainSize > MAX_GRAIN_SECTORS) {
      throw new CorruptImageException(name + ": invalid grain size " + grainSize + " sectors (1 to "
          + MAX_GRAIN_SECTORS + ")");
    }
    if (numGTEsPerGT <= 0 || numGTEsPerGT > MAX_GTES_PER_GT) {
      throw new CorruptImageException(name + ": invalid numGTEsPerGT " + Integer.toUnsignedString(numGTEsPerGT)
          + " (1 to " + MAX_GTES_PER_GT + ")");
    }
    if (capacity < 0 || capacity > Long.MAX_VALUE / SECTOR) {
      throw new CorruptImageException(name + ": invalid capacity " + Long.toUnsignedString(capacity) + " sectors");
    }
    if (compressAlgorithm > 1) {
      throw new UnsupportedImageException(name + ": VMDK compression algorithm " + compressAlgorithm
          + " is not supported (only 1, deflate)");
    }
  }

  /** As qemu decides it: grains are zlib-compressed when the algorithm field says deflate. */
  boolean compressed() {
    return compressAlgorithm == 1;
  }

  boolean markers() {
    return (flags & FLAG_MARKERS) != 0;
  }

  boolean zeroedGrains() {
    return (flags & FLAG_ZERO_GRAIN) != 0;
  }
}
