package dev.vmpackager.disk.qcow2;

import dev.vmpackager.disk.CorruptImageException;
import dev.vmpackager.disk.ImageSource;
import dev.vmpackager.disk.UnsupportedImageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** A parsed and checked qcow2 header (big-endian), with the header extensions the reader needs. */
final class Qcow2Header {

  static final long INCOMPAT_DIRTY = 1;
  static final long INCOMPAT_CORRUPT = 2;
  static final long INCOMPAT_DATA_FILE = 4;
  static final long INCOMPAT_COMPRESSION = 8;
  static final long INCOMPAT_EXTENDED_L2 = 16;
  static final long INCOMPAT_KNOWN = 31;

  /** qemu's QCOW_MAX_L1_SIZE: 32 MiB of L1 entries. */
  static final long MAX_L1_BYTES = 32L << 20;

  static final int EXT_BACKING_FORMAT = 0xE2792ACA;

  final int version;
  final int clusterBits;
  final long clusterSize;
  final long size;
  final long l1Size;
  final long l1Offset;
  final long refcountTableOffset;
  final long refcountTableClusters;
  final int nbSnapshots;
  final long incompatible;
  final int refcountOrder;
  final int headerLength;
  final int compressionType;
  final boolean extendedL2;
  final String backingFile;
  final String backingFormat;

  private Qcow2Header(ByteBuffer b, ImageSource src) throws IOException {
    String name = src.name();
    long fileSize = src.size();
    version = b.getInt(4);
    if (version != 2 && version != 3) {
      throw new UnsupportedImageException(name + ": qcow2 version " + version + " is not supported (only 2 and 3)");
    }
    long backingOffset = b.getLong(8);
    int backingSize = b.getInt(16);
    clusterBits = b.getInt(20);
    if (clusterBits < 9 || clusterBits > 21) {
      throw new CorruptImageException(name + ": qcow2 header field cluster_bits is " + Integer.toUnsignedString(clusterBits)
          + ", outside 9..21 (512 B..2 MiB clusters)");
    }
    clusterSize = 1L << clusterBits;
    size = b.getLong(24);
    if (size < 0) {
      throw new CorruptImageException(name + ": qcow2 header field size is negative (" + Long.toUnsignedString(size) + ")");
    }
    int crypt = b.getInt(32);
    l1Size = Integer.toUnsignedLong(b.getInt(36));
    l1Offset = b.getLong(40);
    refcountTableOffset = b.getLong(48);
    refcountTableClusters = Integer.toUnsignedLong(b.getInt(56));
    nbSnapshots = b.getInt(60);
    if (version == 3) {
      if (b.limit() < 104) {
        throw new CorruptImageException(name + ": truncated qcow2 image: " + b.limit()
            + " bytes, a version 3 header alone needs 104");
      }
      incompatible = b.getLong(72);
      refcountOrder = b.getInt(96);
      headerLength = b.getInt(100);
    } else {
      incompatible = 0;
      refcountOrder = 4;
      headerLength = 72;
    }
    if (crypt != 0) {
      throw new UnsupportedImageException(name + ": the qcow2 image is encrypted (crypt_method " + crypt
          + (crypt == 1 ? ", AES" : crypt == 2 ? ", LUKS" : "") + "); encrypted images are not supported");
    }
    long unknown = incompatible & ~INCOMPAT_KNOWN;
    if (unknown != 0) {
      throw new UnsupportedImageException(name + ": the qcow2 image uses unknown incompatible feature bits 0x"
          + Long.toHexString(unknown) + " (header field incompatible_features); it cannot be read safely");
    }
    if ((incompatible & INCOMPAT_CORRUPT) != 0) {
      throw new CorruptImageException(name + ": qemu marked this qcow2 image corrupt (incompatible_features bit 1);"
          + " repair it with 'qemu-img check -r all' first");
    }
    if ((incompatible & INCOMPAT_DATA_FILE) != 0) {
      throw new UnsupportedImageException(name + ": the qcow2 image keeps its data in an external data file"
          + " (incompatible_features bit 2), which is not supported");
    }
    extendedL2 = (incompatible & INCOMPAT_EXTENDED_L2) != 0;
    if (extendedL2 && clusterBits < 14) {
      throw new CorruptImageException(name + ": extended L2 entries need cluster_bits >= 14, the header says " + clusterBits);
    }
    if (version == 3 && (headerLength < 104 || headerLength > clusterSize || headerLength > b.capacity())) {
      throw new CorruptImageException(name + ": qcow2 header field header_length " + Integer.toUnsignedString(headerLength)
          + " is outside 104.." + Math.min(clusterSize, b.capacity()));
    }
    if (refcountOrder < 0 || refcountOrder > 6) {
      throw new CorruptImageException(name + ": qcow2 header field refcount_order " + refcountOrder + " is outside 0..6");
    }
    int ct = version == 3 && headerLength > 104 ? b.get(104) & 0xFF : 0;
    boolean ctBit = (incompatible & INCOMPAT_COMPRESSION) != 0;
    if (ctBit != (ct != 0)) {
      throw new CorruptImageException(name + ": qcow2 compression_type " + ct
          + " disagrees with incompatible_features bit 3 (" + ctBit + ")");
    }
    if (ct > 1) {
      throw new UnsupportedImageException(name + ": qcow2 compression_type " + ct + " is not supported (0 deflate, 1 zstd)");
    }
    compressionType = ct;

    // Tables: every one must lie inside the file, and the L1 must be small enough to hold.
    long l2Entries = clusterSize / (extendedL2 ? 16 : 8);
    long clusters = (size + clusterSize - 1) >>> clusterBits;
    long needed = (clusters + l2Entries - 1) / l2Entries;
    if (l1Size < needed) {
      throw new CorruptImageException(name + ": qcow2 header field l1_size " + l1Size + " is too small for the virtual size "
          + size + " (needs " + needed + ")");
    }
    if (l1Size * 8 > MAX_L1_BYTES) {
      throw new CorruptImageException(name + ": qcow2 header field l1_size " + l1Size
          + " is larger than the 32 MiB qemu allows");
    }
    checkTable(name, fileSize, "l1_table_offset", l1Offset, l1Size * 8);
    if (refcountTableClusters == 0 && version == 3) {
      throw new CorruptImageException(name + ": qcow2 header field refcount_table_clusters is 0");
    }
    if (refcountTableClusters > (MAX_L1_BYTES >>> clusterBits) + 1) {
      throw new CorruptImageException(name + ": qcow2 header field refcount_table_clusters " + refcountTableClusters
          + " is implausibly large");
    }
    checkTable(name, fileSize, "refcount_table_offset", refcountTableOffset, refcountTableClusters * clusterSize);

    // Header extensions, bounded by the first cluster.
    long limit = Math.min(clusterSize, Math.min(fileSize, b.capacity()));
    String bfmt = null;
    int off = headerLength;
    for (int count = 0; off + 8 <= limit; count++) {
      if (count > 1024) {
        throw new CorruptImageException(name + ": more than 1024 qcow2 header extensions");
      }
      int type = b.getInt(off);
      long len = Integer.toUnsignedLong(b.getInt(off + 4));
      if (type == 0) {
        break;
      }
      if (off + 8 + len > limit) {
        throw new CorruptImageException(name + ": qcow2 header extension 0x" + Integer.toHexString(type) + " of "
            + len + " bytes runs past the first cluster");
      }
      if (type == EXT_BACKING_FORMAT) {
        byte[] s = new byte[(int) len];
        b.get(off + 8, s);
        bfmt = new String(s, StandardCharsets.UTF_8).trim();
      }
      off += 8 + (int) ((len + 7) & ~7L);
    }
    backingFormat = bfmt;
    if (backingOffset != 0) {
      if (backingSize <= 0 || backingSize > 1023 || backingOffset < 0 || backingOffset + backingSize > limit) {
        throw new CorruptImageException(name + ": qcow2 backing file name (backing_file_offset " + backingOffset
            + ", backing_file_size " + Integer.toUnsignedString(backingSize) + ") lies outside the first cluster");
      }
      byte[] s = new byte[backingSize];
      b.get((int) backingOffset, s);
      backingFile = new String(s, StandardCharsets.UTF_8);
    } else {
      backingFile = null;
    }
  }

  private static void checkTable(String name, long fileSize, String field, long offset, long length)
      throws CorruptImageException {
    if (offset < 0 || length < 0 || offset > fileSize || length > fileSize - offset) {
      throw new CorruptImageException(String.format("%s: qcow2 header field %s (0x%x, %d bytes) points past the end"
          + " of the file (%d bytes)", name, field, offset, length, fileSize));
    }
  }

  /**
   * @param src the image
   * @return the checked header
   */
  static Qcow2Header read(ImageSource src) throws IOException {
    if (src.size() < 72) {
      throw new CorruptImageException(src.name() + ": truncated qcow2 image: " + src.size()
          + " bytes, the header alone needs 72");
    }
    // The header and its extensions live in the first cluster (at most 2 MiB); read what the file has.
    int n = (int) Math.min(src.size(), 1 << 21);
    ByteBuffer b = ByteBuffer.allocate(n);
    src.readFully(b, 0);
    return new Qcow2Header(b.flip(), src);
  }
}
