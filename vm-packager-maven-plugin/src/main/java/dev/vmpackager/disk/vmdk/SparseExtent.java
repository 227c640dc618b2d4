package dev.vmpackager.disk.vmdk;

import dev.vmpackager.disk.Zeros;
import dev.vmpackager.disk.CorruptImageException;
import dev.vmpackager.disk.DiskExtent;
import dev.vmpackager.disk.ImageSource;
import dev.vmpackager.disk.UnsupportedImageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.Adler32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A hosted sparse extent: header (or VMware stream footer), grain directory and grain tables read
 * once at open, then grains read by positional reads, inflated when the extent is compressed.
 * Immutable after {@link #open}, so safe for concurrent reads.
 */
final class SparseExtent implements Extent {

  /** Metadata marker types of streamOptimized extents. */
  private static final int MARKER_EOS = 0;
  private static final int MARKER_FOOTER = 3;
  /**
   * Grain tables with entries in memory beyond this are refused rather than risking the build's
   * 256 MiB heap: 128 MiB holds every table of a fully allocated 2 TiB extent (the sparse format's
   * limit) with 64 KiB grains. All-zero tables (qemu and VMware preallocate every table of a new
   * disk) cost nothing: they mean the same as no table.
   */
  static final long MAX_TABLE_BYTES = 128L << 20;
  /**
   * Grain directories longer than this are refused: 8M entries cover 256 TiB with the default
   * 64 KiB grains, and the per-entry table references stay within 64 MiB.
   */
  static final long MAX_GD_ENTRIES = 8L << 20;
  /** Embedded descriptors larger than this are refused (qemu's own limit is 1 MiB as well). */
  static final int MAX_DESCRIPTOR_BYTES = 1 << 20;
  /** Output scratch bytes for reads starting inside a grain. */
  private static final int INFLATE_CHUNK = 64 * 1024;
  /**
   * Input bytes read at a time when inflating a grain: a whole incompressible 64 KiB grain with
   * its marker and deflate's stored-block overhead fits, so one read per grain is the rule.
   */
  static final int INPUT_CHUNK = 68 * 1024;
  /*
   * The two ThreadLocals below are scratch space for speed, not state: each read takes them, resets
   * them and is done with them before it returns, so nothing one read leaves there is seen by the next.
   * Per thread because the conversion reads grains from several threads at once.
   */

  /**
   * One raw inflater per thread (the zlib wrapper is handled by {@link #inflateGrain}), reset per
   * grain: creating one per grain costs more than inflating.
   */
  private static final ThreadLocal<Inflater> INFLATERS = ThreadLocal.withInitial(() -> new Inflater(true));
  /**
   * One input buffer per thread: the marker and the first chunk of compressed data. Direct, so the
   * file is read straight into it and the inflater reads it in place (a heap array would cost
   * a further copy through the JDK's temporary direct buffer).
   */
  private static final ThreadLocal<ByteBuffer> INPUT =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(INPUT_CHUNK).order(ByteOrder.LITTLE_ENDIAN));

  private final ImageSource file;
  private final SparseHeader header;
  private final long length;
  private final long grainBytes;
  private final long grains;
  private final int[][] tables;
  private final String embeddedDescriptor;

  private SparseExtent(ImageSource file, SparseHeader header, long length, int[][] tables, String embeddedDescriptor) {
    this.file = file;
    this.header = header;
    this.length = length;
    this.grainBytes = header.grainSize() * SparseHeader.SECTOR;
    this.grains = ceilDiv(header.capacity(), header.grainSize());
    this.tables = tables;
    this.embeddedDescriptor = embeddedDescriptor;
  }

  /**
   * Reads and checks the header, the footer when the grain directory is at the end, the
   * directory and its tables.
   *
   * @param file the extent file
   * @param guestLength the guest bytes the descriptor gives this extent, or -1 for the header's capacity
   */
  static SparseExtent open(ImageSource file, long guestLength) throws IOException {
    String name = file.name();
    long fileSize = file.size();
    if (fileSize < SparseHeader.SECTOR) {
      throw new CorruptImageException(name + ": truncated: " + fileSize + " bytes, less than one VMDK header");
    }
    ByteBuffer head = read(file, 0, SparseHeader.SECTOR);
    SparseHeader header = SparseHeader.parse(head, name);
    ByteBuffer headerSector = head;
    if (header.gdOffset() == SparseHeader.GD_AT_END) {
      headerSector = readFooter(file);
      header = SparseHeader.parse(headerSector, name + " (footer)");
      if (header.gdOffset() == SparseHeader.GD_AT_END) {
        throw new CorruptImageException(name + ": the stream footer does not give the grain directory's offset");
      }
    }
    header.validate(name);
    if ((header.flags() & SparseHeader.FLAG_NL_DETECT) != 0 && !SparseHeader.newlineBytesIntact(headerSector)) {
      throw new CorruptImageException(name + ": the header's newline-detection bytes are damaged "
          + "(the file was probably transferred in text mode)");
    }
    long sectors = fileSize / SparseHeader.SECTOR;
    if (Long.compareUnsigned(header.grainOffset(), sectors) > 0) {
      throw new CorruptImageException(name + ": truncated: grains start at sector "
          + Long.toUnsignedString(header.grainOffset()) + " but the file has " + sectors + " sectors");
    }
    long capacityBytes = header.capacity() * SparseHeader.SECTOR;
    long length = guestLength < 0 ? capacityBytes : guestLength;
    if (length > capacityBytes) {
      throw new CorruptImageException(String.format(
          "%s: the descriptor gives this extent %d bytes but its header holds only %d", name, length, capacityBytes));
    }
    String descriptor = readEmbeddedDescriptor(file, header);
    int[][] tables = readTables(file, header);
    return new SparseExtent(file, header, length, tables, descriptor);
  }

  /** The VMware stream footer: footer marker, header copy, end-of-stream marker, in the last 3 sectors. */
  private static ByteBuffer readFooter(ImageSource file) throws IOException {
    String name = file.name();
    long end = file.size() / SparseHeader.SECTOR * SparseHeader.SECTOR;
    if (end < 4L * SparseHeader.SECTOR) {
      throw new CorruptImageException(name + ": the header says the grain directory is at the end, "
          + "but the file is too short for a stream footer");
    }
    ByteBuffer f = read(file, end - 3L * SparseHeader.SECTOR, 3 * SparseHeader.SECTOR).order(ByteOrder.LITTLE_ENDIAN);
    boolean footerMarker = f.getInt(8) == 0 && f.getInt(12) == MARKER_FOOTER;
    boolean eos = f.getLong(1024) == 0 && f.getInt(1032) == 0 && f.getInt(1036) == MARKER_EOS;
    if (!footerMarker || !eos || !SparseHeader.isSparseMagic(f, 512)) {
      throw new CorruptImageException(name + ": the header says the grain directory is at the end, but there "
          + "is no valid stream footer (footer marker, header, end-of-stream marker) in the last 1536 bytes "
          + "(truncated download?)");
    }
    return f.position(512).slice().limit(SparseHeader.SECTOR).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static String readEmbeddedDescriptor(ImageSource file, SparseHeader header) throws IOException {
    long off = header.descriptorOffset();
    long size = header.descriptorSize();
    if (off == 0 || size == 0) {
      return "";
    }
    String name = file.name();
    if (off < 0 || size < 0 || size > MAX_DESCRIPTOR_BYTES / SparseHeader.SECTOR
        || off > (file.size() / SparseHeader.SECTOR) - size) {
      throw new CorruptImageException(String.format(
          "%s: embedded descriptor (%s sectors at sector %s) is too large or lies past the end of the file (%d bytes)",
          name, Long.toUnsignedString(size), Long.toUnsignedString(off), file.size()));
    }
    ByteBuffer b = read(file, off * SparseHeader.SECTOR, (int) (size * SparseHeader.SECTOR));
    byte[] bytes = b.array();
    int n = 0;
    while (n < bytes.length && bytes[n] != 0) {
      n++;
    }
    return new String(bytes, 0, n, StandardCharsets.UTF_8);
  }

  /**
   * Reads the grain directory and the distinct grain tables it points at, checking every offset
   * against the file size before allocating anything.
   */
  private static int[][] readTables(ImageSource file, SparseHeader h) throws IOException {
    String name = file.name();
    long fileSize = file.size();
    long grains = ceilDiv(h.capacity(), h.grainSize());
    long gdEntries = ceilDiv(grains, h.numGTEsPerGT());
    if (gdEntries == 0) {
      return new int[0][];
    }
    long gdBytes = gdEntries * 4;
    long gdOffset = h.gdOffset();
    if (gdOffset <= 0 || gdOffset > fileSize / SparseHeader.SECTOR || gdBytes > fileSize - gdOffset * SparseHeader.SECTOR) {
      throw new CorruptImageException(String.format(
          "%s: the grain directory (%d entries at sector %s) lies past the end of the file (%d bytes); "
              + "truncated, or a capacity of %d sectors that the file cannot hold",
          name, gdEntries, Long.toUnsignedString(gdOffset), fileSize, h.capacity()));
    }
    if (gdEntries > MAX_GD_ENTRIES) {
      throw new UnsupportedImageException(name + ": a grain directory of " + gdEntries + " entries is more than the "
          + MAX_GD_ENTRIES + " this reader accepts");
    }
    ByteBuffer gd = read(file, gdOffset * SparseHeader.SECTOR, (int) gdBytes).order(ByteOrder.LITTLE_ENDIAN);
    int perTable = h.numGTEsPerGT();
    long tableBytes = perTable * 4L;
    int[][] tables = new int[(int) gdEntries][];
    Map<Long, int[]> seen = new HashMap<>();
    long total = 0;
    long fileSectors = fileSize / SparseHeader.SECTOR;
    for (int i = 0; i < gdEntries; i++) {
      long gtSector = Integer.toUnsignedLong(gd.getInt(i * 4));
      if (gtSector == 0) {
        continue;
      }
      int[] table = seen.get(gtSector);
      if (table == EMPTY) {
        continue;
      }
      if (table == null) {
        if (gtSector * SparseHeader.SECTOR > fileSize - tableBytes) {
          throw new CorruptImageException(String.format(
              "%s: grain directory entry %d points at a grain table at sector %d, past the end of the file (%d bytes): "
                  + "truncated or corrupt",
              name, i, gtSector, fileSize));
        }
        ByteBuffer gt = read(file, gtSector * SparseHeader.SECTOR, (int) tableBytes).order(ByteOrder.LITTLE_ENDIAN);
        if (allZero(gt)) {
          // Every grain unallocated, exactly as a missing table: keep nothing (a sparse 2 TiB disk
          // made by qemu-img or VMware has 128 MiB of such tables).
          seen.put(gtSector, EMPTY);
          continue;
        }
        total += tableBytes;
        if (total > MAX_TABLE_BYTES) {
          throw new UnsupportedImageException(name + ": grain tables need more than "
              + (MAX_TABLE_BYTES >> 20) + " MiB of memory");
        }
        table = new int[perTable];
        gt.asIntBuffer().get(table);
        for (int j = 0; j < perTable; j++) {
          long grainSector = Integer.toUnsignedLong(table[j]);
          if (grainSector >= fileSectors && !(grainSector == 1 && h.zeroedGrains())) {
            throw new CorruptImageException(String.format(
                "%s: grain table at sector %d, entry %d, points at sector %d, past the end of the file (%d bytes): "
                    + "truncated or corrupt",
                name, gtSector, j, grainSector, fileSize));
          }
        }
        seen.put(gtSector, table);
      }
      tables[i] = table;
    }
    return tables;
  }

  /** Marks a grain table already read and found all zero. */
  private static final int[] EMPTY = new int[0];

  private static boolean allZero(ByteBuffer b) {
    for (int i = b.position(); i + 8 <= b.limit(); i += 8) {
      if (b.getLong(i) != 0) {
        return false;
      }
    }
    for (int i = b.limit() & ~7; i < b.limit(); i++) {
      if (b.get(i) != 0) {
        return false;
      }
    }
    return true;
  }

  private static ByteBuffer read(ImageSource file, long position, int size) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(size);
    file.readFully(b, position);
    return b.flip();
  }

  static long ceilDiv(long a, long b) {
    return a / b + (a % b == 0 ? 0 : 1);
  }

  /** @return the descriptor text embedded in this extent, empty when there is none */
  String embeddedDescriptor() {
    return embeddedDescriptor;
  }

  SparseHeader header() {
    return header;
  }

  @Override
  public long length() {
    return length;
  }

  /** @return the grain's sector in the file, 0 for unallocated, -1 for a zeroed grain */
  private long grainSector(long grain) {
    if (grain >= grains) {
      return 0;
    }
    int[] table = tables[(int) (grain / header.numGTEsPerGT())];
    if (table == null) {
      return 0;
    }
    long sector = Integer.toUnsignedLong(table[(int) (grain % header.numGTEsPerGT())]);
    if (sector == 1 && header.zeroedGrains()) {
      return -1;
    }
    return sector;
  }

  @Override
  public boolean unallocated(long offset) {
    return grainSector(offset / grainBytes) == 0;
  }

  @Override
  public long allocationRunEnd(long offset, long limit) {
    long grain = offset / grainBytes;
    boolean unallocated = grainSector(grain) == 0;
    long next = grain + 1;
    long lastGrain = ceilDiv(limit, grainBytes);
    int perTable = header.numGTEsPerGT();
    while (next < lastGrain) {
      if (unallocated && next % perTable == 0 && (next >= grains || tables[(int) (next / perTable)] == null)) {
        next += perTable; // a whole missing grain table: unallocated in one step
        continue;
      }
      if ((grainSector(next) == 0) != unallocated) {
        break;
      }
      next++;
    }
    return Math.min(limit, next * grainBytes);
  }

  @Override
  public DiskExtent extentAt(long offset) {
    long grain = offset / grainBytes;
    boolean zero = grainSector(grain) <= 0;
    long next = grain + 1;
    long lastGrain = ceilDiv(length, grainBytes);
    int perTable = header.numGTEsPerGT();
    while (next < lastGrain) {
      if (zero && next % perTable == 0 && (next >= grains || tables[(int) (next / perTable)] == null)) {
        next += perTable; // a whole missing grain table: skip it in one step
        continue;
      }
      if ((grainSector(next) <= 0) != zero) {
        break;
      }
      next++;
    }
    long end = Math.min(length, next * grainBytes);
    return new DiskExtent(offset, end - offset, zero);
  }

  @Override
  public void read(ByteBuffer dst, long offset) throws IOException {
    long pos = offset;
    while (dst.hasRemaining()) {
      long grain = pos / grainBytes;
      long inGrain = pos - grain * grainBytes;
      int n = (int) Math.min(dst.remaining(), grainBytes - inGrain);
      long sector = grainSector(grain);
      if (sector <= 0) {
        Zeros.fill(dst, n);
      } else if (!header.compressed()) {
        // Neighbouring grains are often neighbours in the file too: read them in one go.
        long next = grain + 1;
        while (n < dst.remaining() && grainSector(next) == sector + (next - grain) * header.grainSize()) {
          n = (int) Math.min(dst.remaining(), (next + 1 - grain) * grainBytes - inGrain);
          next++;
        }
        ByteBuffer part = dst.slice().limit(n);
        file.readFully(part, sector * SparseHeader.SECTOR + inGrain);
        dst.position(dst.position() + n);
      } else {
        inflateGrain(grain, sector, inGrain, n, dst);
      }
      pos += n;
    }
  }

  /**
   * Inflates a compressed grain in bounded chunks, copying bytes [inGrain, inGrain+n) into dst.
   * One positional read fetches the marker with the first chunk of data; inflaters and input
   * buffers are per thread, so concurrent readers share nothing.
   *
   * <p>Grains are zlib streams. The inflater reads the raw deflate data between the 2-byte zlib
   * header (checked here as zlib checks it) and the Adler-32 trailer, which is checked here with
   * the JDK's {@link Adler32} (vectorized) rather than by zlib's scalar adler32: that was a tenth of
   * the CPU time of inflating a disk of system files.
   */
  private void inflateGrain(long grain, long sector, long inGrain, int n, ByteBuffer dst) throws IOException {
    String name = file.name();
    long at = sector * SparseHeader.SECTOR;
    int headerLen = header.markers() ? 12 : 0;
    ByteBuffer in = INPUT.get();
    int first = (int) Math.min(in.capacity(), file.size() - at);
    if (first <= headerLen) {
      throw new CorruptImageException(String.format(
          "%s: truncated: the compressed grain at sector %d is cut short", name, sector));
    }
    file.readFully(in.clear().limit(first), at);
    long dataLen;
    if (header.markers()) {
      long lba = in.getLong(0);
      long size = Integer.toUnsignedLong(in.getInt(8));
      if (lba != grain * header.grainSize()) {
        throw new CorruptImageException(String.format(
            "%s: the grain marker at sector %d says LBA %d, but the grain table maps LBA %d there",
            name, sector, lba, grain * header.grainSize()));
      }
      if (size == 0 || size > 2 * grainBytes) {
        throw new CorruptImageException(String.format(
            "%s: the grain marker at sector %d has an invalid compressed size %d (grains are %d bytes)",
            name, sector, size, grainBytes));
      }
      if (size > file.size() - at - 12) {
        throw new CorruptImageException(String.format(
            "%s: truncated: the compressed grain at sector %d needs %d bytes, the file ends first",
            name, sector, size));
      }
      dataLen = size;
    } else {
      dataLen = Math.min(2 * grainBytes, file.size() - at);
    }
    long dataAt = at + headerLen;
    long want = inGrain + n;
    long fed = Math.min(first - headerLen, dataLen);
    if (fed < 2) {
      throw new CorruptImageException(String.format(
          "%s: the compressed grain at sector %d ends before its data does", name, sector));
    }
    checkZlibHeader(in.get(headerLen) & 0xff, in.get(headerLen + 1) & 0xff, sector);
    Inflater inflater = INFLATERS.get();
    inflater.reset();
    inflater.setInput(in.limit(headerLen + (int) fed).position(headerLen + 2));
    Adler32 check = new Adler32();
    try {
      // Whole grains and grain heads inflate straight into the caller's buffer; a read starting
      // inside a grain inflates through a scratch buffer and keeps the wanted part.
      ByteBuffer direct = inGrain == 0 ? dst.slice().limit(n) : null;
      byte[] out = direct == null ? new byte[(int) Math.min(INFLATE_CHUNK, grainBytes)] : null;
      long produced = 0;
      while (produced < want && !inflater.finished()) {
        if (inflater.needsInput()) {
          if (fed >= dataLen) {
            throw new CorruptImageException(String.format(
                "%s: the compressed grain at sector %d ends before its data does", name, sector));
          }
          int k = (int) Math.min(in.capacity(), dataLen - fed);
          file.readFully(in.clear().limit(k), dataAt + fed);
          fed += k;
          inflater.setInput(in.flip());
        }
        int got;
        if (direct != null) {
          int from = direct.position();
          got = inflater.inflate(direct);
          check.update(direct.duplicate().limit(from + got).position(from));
        } else {
          got = inflater.inflate(out);
          check.update(out, 0, got);
        }
        if (got == 0 && inflater.needsDictionary()) {
          throw new CorruptImageException(name + ": the compressed grain at sector " + sector + " needs a zlib dictionary");
        }
        if (direct == null) {
          long from = Math.max(produced, inGrain);
          long to = Math.min(produced + got, want);
          if (to > from) {
            dst.put(out, (int) (from - produced), (int) (to - from));
          }
        }
        produced += got;
      }
      if (produced < want) {
        throw new CorruptImageException(String.format(
            "%s: the compressed grain at sector %d inflates to %d bytes, fewer than the %d the disk needs",
            name, sector, produced, want));
      }
      if (inflater.finished()) {
        // As zlib does at a stream's end (and only there): the trailer must match what came out.
        long trailerAt = 2 + inflater.getBytesRead();
        if (trailerAt + 4 > dataLen) {
          throw new CorruptImageException(String.format(
              "%s: the compressed grain at sector %d ends before its data does", name, sector));
        }
        int expected;
        if (in.remaining() >= 4) {
          expected = Integer.reverseBytes(in.getInt(in.position()));
        } else {
          ByteBuffer t = ByteBuffer.allocate(4);
          file.readFully(t, dataAt + trailerAt);
          expected = t.getInt(0);
        }
        if ((int) check.getValue() != expected) {
          throw new CorruptImageException(String.format(
              "%s: the compressed grain at sector %d is not valid zlib data: incorrect data check", name, sector));
        }
      }
      if (direct != null) {
        dst.position(dst.position() + n);
      }
    } catch (DataFormatException e) {
      throw new CorruptImageException(String.format(
          "%s: the compressed grain at sector %d is not valid zlib data: %s", name, sector, e.getMessage()), e);
    }
  }

  /** Checks a grain's zlib header (RFC 1950) as zlib does, with zlib's words. */
  private void checkZlibHeader(int cmf, int flg, long sector) throws CorruptImageException {
    String problem = null;
    if (((cmf << 8) | flg) % 31 != 0) {
      problem = "is not valid zlib data: incorrect header check";
    } else if ((cmf & 0x0f) != 8) {
      problem = "is not valid zlib data: unknown compression method";
    } else if ((cmf >> 4) > 7) {
      problem = "is not valid zlib data: invalid window size";
    } else if ((flg & 0x20) != 0) {
      problem = "needs a zlib dictionary";
    }
    if (problem != null) {
      throw new CorruptImageException(String.format(
          "%s: the compressed grain at sector %d %s", file.name(), sector, problem));
    }
  }

}
