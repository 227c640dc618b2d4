package dev.vmpackager.disk.qed;

import dev.vmpackager.disk.Zeros;
import dev.vmpackager.disk.BackingFile;
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
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads a QED image: a two-level table (L1 then L2, each {@code table_size} clusters of u64
 * offsets) maps guest clusters; data pointer 0 is unallocated (read from the backing file when
 * there is one and the user allowed it, else zeros) and 1 is an explicit zero cluster, which hides
 * the backing file's bytes. The L1 table is read and checked at open; L2 entries are read on
 * demand, only the window a call needs, so memory stays small whatever the tables' size. An image
 * marked NEED_CHECK (not cleanly closed) is read as it is: its tables are valid, only its
 * allocation may have leaks.
 */
final class QedReader implements DiskImageReader {

  static final int HEADER_BYTES = 64;
  static final long FEATURE_BACKING_FILE = 1;
  static final long FEATURE_NEED_CHECK = 2;
  static final long FEATURE_BACKING_RAW = 4;
  static final long KNOWN_FEATURES = FEATURE_BACKING_FILE | FEATURE_NEED_CHECK | FEATURE_BACKING_RAW;
  static final long ZERO_CLUSTER = 1;
  /** L2 entries read at once by {@link #extentAt} and {@link #read}. */
  static final int WINDOW = 512;
  /** L1 entries kept in memory at most. */
  static final long MAX_L1 = 1L << 22;


  private final ImageSource source;
  private final String name;
  private final long virtualSize;
  private final long clusterSize;
  private final int clusterBits;
  private final long entriesPerTable;
  private final long tableBytes;
  private final long headerBytes;
  private final long[] l1;
  /** The backing file unallocated clusters read from, or null. */
  private final BackingFile backing;

  private QedReader(ImageSource source, long virtualSize, long clusterSize, long entriesPerTable, long tableBytes,
      long headerBytes, long[] l1, BackingFile backing) {
    this.backing = backing;
    this.source = source;
    this.name = source.name();
    this.virtualSize = virtualSize;
    this.clusterSize = clusterSize;
    this.clusterBits = Long.numberOfTrailingZeros(clusterSize);
    this.entriesPerTable = entriesPerTable;
    this.tableBytes = tableBytes;
    this.headerBytes = headerBytes;
    this.l1 = l1;
  }

  static QedReader open(ImageSource source, DiskOpenOptions options) throws IOException {
    String name = source.name();
    long fileSize = source.size();
    if (fileSize < HEADER_BYTES) {
      throw new CorruptImageException(name + ": too small for a QED header (" + fileSize + " bytes)");
    }
    ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    source.readFully(h, 0);
    if (h.getInt(0) != QedDriver.MAGIC) {
      throw new CorruptImageException(name + ": not a QED image (no 'QED\\0' magic at offset 0)");
    }
    long clusterSize = Integer.toUnsignedLong(h.getInt(4));
    long tableSize = Integer.toUnsignedLong(h.getInt(8));
    long headerSize = Integer.toUnsignedLong(h.getInt(12));
    long features = h.getLong(16);
    long l1Offset = h.getLong(40);
    long imageSize = h.getLong(48);
    if (clusterSize < 4096 || clusterSize > (64L << 20) || Long.bitCount(clusterSize) != 1) {
      throw new CorruptImageException(name + ": bad QED cluster size " + clusterSize
          + " (must be a power of two from 4 KiB to 64 MiB)");
    }
    if (tableSize < 1 || tableSize > 16 || Long.bitCount(tableSize) != 1) {
      throw new CorruptImageException(name + ": bad QED table size " + tableSize + " clusters (1 to 16, a power of two)");
    }
    if (headerSize < 1 || headerSize > 0xFFFFFFFFL / clusterSize) {
      throw new CorruptImageException(name + ": bad QED header size " + headerSize + " clusters");
    }
    if ((features & ~KNOWN_FEATURES) != 0) {
      throw new UnsupportedImageException(String.format(
          "%s: QED image uses unknown features 0x%x", name, features & ~KNOWN_FEATURES));
    }
    long headerBytes = headerSize * clusterSize;
    String backingName = null;
    if ((features & FEATURE_BACKING_FILE) != 0) {
      backingName = backingName(source, h, headerBytes);
    }
    long tableBytes = tableSize * clusterSize;
    long entries = tableBytes / 8;
    if (imageSize < 0 || imageSize % 512 != 0) {
      throw new CorruptImageException(name + ": bad QED image size " + imageSize + " (a multiple of 512)");
    }
    long l1Span = entries * clusterSize;
    long l1Needed = imageSize / l1Span + (imageSize % l1Span == 0 ? 0 : 1);
    if (l1Needed > entries) {
      throw new CorruptImageException(name + ": QED image size " + imageSize + " is more than its tables can map");
    }
    if (!tableOk(l1Offset, clusterSize, headerBytes, tableBytes, fileSize)) {
      throw new CorruptImageException(String.format(
          "%s: truncated or corrupt: the QED L1 table at offset %d (%d bytes) is misplaced or past the end of the file (%d bytes)",
          name, l1Offset, tableBytes, fileSize));
    }
    if (l1Needed > MAX_L1) {
      throw new UnsupportedImageException(name + ": QED L1 table of " + l1Needed + " entries is larger than supported");
    }
    long[] l1 = new long[(int) l1Needed];
    ByteBuffer lb = ByteBuffer.allocate((int) Math.min(l1Needed * 8, 1 << 20)).order(ByteOrder.LITTLE_ENDIAN);
    for (int done = 0; done < l1.length; ) {
      int n = Math.min(l1.length - done, lb.capacity() / 8);
      lb.clear().limit(n * 8);
      source.readFully(lb, l1Offset + done * 8L);
      lb.flip();
      lb.asLongBuffer().get(l1, done, n);
      done += n;
    }
    for (int i = 0; i < l1.length; i++) {
      if (l1[i] != 0 && !tableOk(l1[i], clusterSize, headerBytes, tableBytes, fileSize)) {
        throw new CorruptImageException(String.format(
            "%s: truncated or corrupt: QED L1 entry %d points at an L2 table at offset %d, misplaced or past the end"
                + " of the file (%d bytes)", name, i, l1[i], fileSize));
      }
    }
    BackingFile backing = null;
    if (backingName != null) {
      // qemu: the "no probe" feature says the backing file is raw; otherwise its format is detected.
      DiskFormat fmt = (features & FEATURE_BACKING_RAW) != 0 ? DiskFormat.RAW : null;
      backing = BackingFile.open(source, backingName, fmt, options, "backing file");
    }
    return new QedReader(source, imageSize, clusterSize, entries, tableBytes, headerBytes, l1, backing);
  }

  private static boolean tableOk(long offset, long clusterSize, long headerBytes, long tableBytes, long fileSize) {
    return offset >= headerBytes && offset % clusterSize == 0 && offset <= fileSize - tableBytes;
  }

  private static String backingName(ImageSource source, ByteBuffer h, long headerBytes) throws IOException {
    long offset = Integer.toUnsignedLong(h.getInt(56));
    long size = Integer.toUnsignedLong(h.getInt(60));
    if (size == 0 || size > 1024 || offset + size > headerBytes || offset + size > source.size()) {
      throw new CorruptImageException(source.name() + ": corrupt QED header: bad backing file name field");
    }
    byte[] b = new byte[(int) size];
    source.readFully(ByteBuffer.wrap(b), offset);
    return new String(b, StandardCharsets.UTF_8);
  }

  @Override
  public DiskFormat format() {
    return DiskFormat.QED;
  }

  @Override
  public long virtualSize() {
    return virtualSize;
  }

  /**
   * Reads up to {@link #WINDOW} L2 entries for guest clusters from {@code cluster}, not crossing an
   * L2 table, and checks them. Returns null when the L2 table is unallocated.
   */
  private long[] l2Window(long cluster, long maxCount) throws IOException {
    int l1Index = (int) (cluster / entriesPerTable);
    long l2Index = cluster % entriesPerTable;
    int count = (int) Math.min(Math.min(WINDOW, maxCount), entriesPerTable - l2Index);
    long table = l1[l1Index];
    if (table == 0) {
      return null;
    }
    ByteBuffer b = ByteBuffer.allocate(count * 8).order(ByteOrder.LITTLE_ENDIAN);
    source.readFully(b, table + l2Index * 8);
    b.flip();
    long[] out = new long[count];
    LongBuffer lb = b.asLongBuffer();
    lb.get(out);
    long fileSize = source.size();
    for (int i = 0; i < count; i++) {
      long e = out[i];
      if (e > ZERO_CLUSTER) {
        long guest = (cluster + i) << clusterBits;
        long need = Math.min(clusterSize, virtualSize - guest);
        if (e < headerBytes || e % clusterSize != 0 || need <= 0 || e > fileSize - need) {
          throw new CorruptImageException(String.format(
              "%s: truncated or corrupt: QED cluster at guest offset %d points at offset %d, misplaced or past the"
                  + " end of the file (%d bytes)", name, guest, e, fileSize));
        }
      }
    }
    return out;
  }

  /** What a cluster holds: data in this file, an explicit zero cluster, or nothing (the backing file's bytes). */
  private static final int UNALLOCATED = 0;
  private static final int ZERO = 1;
  private static final int DATA = 2;

  /**
   * @return the kind of L2 entry {@code i} of window {@code w} (null: no L2 table), where zero
   *     clusters and unallocated ones are one kind when there is no backing file
   */
  private int kind(long[] w, int i) {
    long e = w == null ? 0 : w[i];
    if (e > ZERO_CLUSTER) {
      return DATA;
    }
    return e == ZERO_CLUSTER || backing == null ? ZERO : UNALLOCATED;
  }

  @Override
  public DiskExtent extentAt(long offset) throws IOException {
    if (offset < 0 || offset >= virtualSize) {
      throw new IllegalArgumentException("offset " + offset + " outside the disk (" + virtualSize + " bytes)");
    }
    long clusters = (virtualSize + clusterSize - 1) >>> clusterBits;
    long c = offset >>> clusterBits;
    int kind = -1;
    long end = offset;
    int windows = 0;
    while (c < clusters && windows++ < 8) {
      long[] w = l2Window(c, clusters - c);
      if (w == null) {
        // A whole unallocated L2 table: zeros (or the backing file) up to the next table.
        int k = kind(null, 0);
        if (kind == -1) {
          kind = k;
        } else if (k != kind) {
          break;
        }
        long next = (c / entriesPerTable + 1) * entriesPerTable;
        end = Math.min(virtualSize, next << clusterBits);
        c = next;
        windows--;
        continue;
      }
      int i = 0;
      for (; i < w.length; i++) {
        int k = kind(w, i);
        if (kind == -1) {
          kind = k;
        } else if (k != kind) {
          break;
        }
      }
      end = Math.min(virtualSize, (c + i) << clusterBits);
      if (i < w.length) {
        break;
      }
      c += w.length;
    }
    if (kind == UNALLOCATED) {
      return backing.extentAt(offset, end);
    }
    return new DiskExtent(offset, end - offset, kind != DATA);
  }

  @Override
  public void read(ByteBuffer dst, long offset) throws IOException {
    if (offset < 0 || offset > virtualSize - dst.remaining()) {
      throw new IllegalArgumentException("read of " + dst.remaining() + " bytes at " + offset
          + " outside the disk (" + virtualSize + " bytes)");
    }
    while (dst.hasRemaining()) {
      long c = offset >>> clusterBits;
      long lastCluster = (offset + dst.remaining() - 1) >>> clusterBits;
      long[] w = l2Window(c, lastCluster - c + 1);
      int count = w == null ? (int) Math.min(lastCluster - c + 1, entriesPerTable - c % entriesPerTable) : w.length;
      for (int i = 0; i < count && dst.hasRemaining(); ) {
        long in = offset - ((c + i) << clusterBits);
        long n = Math.min(dst.remaining(), clusterSize - in);
        int kind = kind(w, i);
        int j = i + 1;
        // Coalesce neighbours: zeros with zeros, backing with backing, data clusters that follow each other in the file.
        while (j < count && n < dst.remaining()
            && (kind == DATA ? w[j] == w[j - 1] + clusterSize : kind(w, j) == kind)) {
          n = Math.min(dst.remaining(), n + clusterSize);
          j++;
        }
        if (kind == DATA) {
          ByteBuffer part = dst.slice(dst.position(), (int) n);
          source.readFully(part, w[i] + in);
          dst.position(dst.position() + (int) n);
        } else if (kind == UNALLOCATED) {
          ByteBuffer part = dst.slice(dst.position(), (int) n);
          backing.read(part, offset);
          dst.position(dst.position() + (int) n);
        } else {
          Zeros.fill(dst, (int) n);
        }
        offset += n;
        i = j;
      }
    }
  }

  @Override
  public void close() throws IOException {
    // The source belongs to the caller; the backing file was opened here.
    if (backing != null) {
      backing.close();
    }
  }
}
