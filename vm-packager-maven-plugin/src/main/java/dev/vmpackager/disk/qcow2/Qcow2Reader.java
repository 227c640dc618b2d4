package dev.vmpackager.disk.qcow2;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import dev.vmpackager.disk.Zeros;
import dev.vmpackager.disk.CorruptImageException;
import dev.vmpackager.disk.DiskExtent;
import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageException;
import dev.vmpackager.disk.DiskImageReader;
import dev.vmpackager.disk.DiskOpenOptions;
import dev.vmpackager.disk.ImageSource;
import dev.vmpackager.disk.BackingFile;
import dev.vmpackager.disk.UnsupportedImageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads qcow2 v2/v3 images: any cluster size, deflate and zstd compressed clusters, extended L2
 * (subclusters), zero flags, the active L1 of images with snapshots, dirty images, and backing
 * files inside the source's folder when allowed.
 *
 * <p>Every table offset is checked against the file size before it is read, the L1 is bounded by
 * qemu's 32 MiB limit and the file size, and L2 tables are read on demand into a bounded cache,
 * so hostile headers end in {@link CorruptImageException}, not in memory exhaustion. Thread-safe
 * after {@link #open}: positional reads, a synchronized cache and per-thread scratch buffers.
 */
public final class Qcow2Reader implements DiskImageReader {

  /** Bits 9-55 of L1 and standard L2 entries. */
  static final long OFFSET_MASK = 0x00FFFFFFFFFFFE00L;
  static final long COPIED = 1L << 63;
  static final long COMPRESSED = 1L << 62;
  static final long ZERO_FLAG = 1L;

  /**
   * At most this many bytes of L2 tables are cached for the image the user named; each backing
   * file down a chain gets half of its child's, so a whole chain stays under twice this.
   */
  static final long CACHE_BYTES = 32L << 20;

  private final ImageSource src;
  private final Qcow2Header h;
  private final long[] l1;
  private final int cb;
  private final long cs;
  private final int l2Entries;
  private final int subBits;
  private final BackingFile backing;
  private final long backingSize;
  private final Map<Integer, long[]> cache;
  private final int cacheMax;
  /**
   * Scratch space for speed, not state: each compressed cluster read takes its thread's buffers and
   * decompressors, resets them and is done with them before it returns. Per thread because the
   * conversion reads from several threads at once; per reader because the buffers are cluster-sized.
   */
  private final ThreadLocal<Scratch> scratch;

  private Qcow2Reader(ImageSource src, Qcow2Header h, long[] l1, BackingFile backing, int chainPosition) {
    this.src = src;
    this.h = h;
    this.l1 = l1;
    this.cb = h.clusterBits;
    this.cs = h.clusterSize;
    this.l2Entries = (int) (cs / (h.extendedL2 ? 16 : 8));
    this.subBits = h.extendedL2 ? cb - 5 : cb;
    this.backing = backing;
    this.backingSize = backing == null ? 0 : backing.size();
    this.cacheMax = cacheTables(cs, chainPosition);
    this.cache = new LinkedHashMap<>(16, 0.75f, true);
    this.scratch = ThreadLocal.withInitial(() -> new Scratch((int) cs));
  }

  /**
   * @param clusterSize the image's cluster size (an L2 table's size)
   * @param chainPosition 1 for the image named by the user, 2 for its backing file, ... (0: opened
   *     outside a chain, counts as 1)
   * @return how many L2 tables the cache holds: {@link #CACHE_BYTES} halved for each step down the
   *     chain, at least 4
   */
  static int cacheTables(long clusterSize, int chainPosition) {
    int steps = Math.min(30, Math.max(0, chainPosition - 1));
    return (int) Math.max(4, (CACHE_BYTES >> steps) / clusterSize);
  }

  /** @return the backing file, or null */
  BackingFile backingFile() {
    return backing;
  }

  /** @return how many L2 tables this reader caches at most */
  int cacheCapacity() {
    return cacheMax;
  }

  /**
   * @param src the image bytes
   * @param options whether a backing file may be followed (never out of the source's folder), and
   *     the chain the image is opened in (its depth sizes the L2 cache)
   * @return a reader
   */
  static Qcow2Reader open(ImageSource src, DiskOpenOptions options) throws IOException {
    Qcow2Header h = Qcow2Header.read(src);
    long l2Entries = h.clusterSize / (h.extendedL2 ? 16 : 8);
    long clusters = (h.size + h.clusterSize - 1) >>> h.clusterBits;
    int needed = (int) ((clusters + l2Entries - 1) / l2Entries);
    long[] l1 = new long[needed];
    ByteBuffer b = ByteBuffer.allocate(needed * 8);
    src.readFully(b, h.l1Offset);
    b.flip();
    for (int i = 0; i < needed; i++) {
      long e = b.getLong();
      long off = e & OFFSET_MASK;
      if (off != 0) {
        if ((off & (h.clusterSize - 1)) != 0) {
          throw new CorruptImageException(String.format("%s: qcow2 L1 entry %d points to an unaligned L2 table at 0x%x",
              src.name(), i, off));
        }
        if (off > src.size() - h.clusterSize) {
          throw new CorruptImageException(String.format("%s: qcow2 L1 entry %d points to an L2 table at 0x%x, past the"
              + " end of the file (%d bytes)", src.name(), i, off, src.size()));
        }
      }
      l1[i] = off;
    }
    BackingFile backing = null;
    if (h.backingFile != null) {
      backing = openBacking(src, h, options);
    }
    return new Qcow2Reader(src, h, l1, backing, options.chain().depth());
  }

  private static BackingFile openBacking(ImageSource src, Qcow2Header h, DiskOpenOptions options) throws IOException {
    DiskFormat fmt = null;
    if (options.allowExternalReferences() && h.backingFormat != null && !h.backingFormat.isEmpty()) {
      fmt = DiskFormat.fromId(h.backingFormat).orElseThrow(() -> new UnsupportedImageException(src.name()
          + ": backing file format '" + h.backingFormat + "' is not supported"));
    }
    return BackingFile.open(src, h.backingFile, fmt, options, "backing file");
  }

  @Override
  public DiskFormat format() {
    return DiskFormat.QCOW2;
  }

  @Override
  public long virtualSize() {
    return h.size;
  }

  /** @return the cluster size in bytes */
  public long clusterSize() {
    return cs;
  }

  private long[] l2(int l1Index) throws IOException {
    long off = l1[l1Index];
    if (off == 0) {
      return null;
    }
    synchronized (cache) {
      long[] t = cache.get(l1Index);
      if (t != null) {
        return t;
      }
    }
    int n = l2Entries * (h.extendedL2 ? 2 : 1);
    ByteBuffer b = ByteBuffer.allocate(n * 8);
    src.readFully(b, off);
    b.flip();
    long[] t = new long[n];
    b.asLongBuffer().get(t);
    synchronized (cache) {
      cache.put(l1Index, t);
      if (cache.size() > cacheMax) {
        var it = cache.entrySet().iterator();
        it.next();
        it.remove();
      }
    }
    return t;
  }

  /** Kinds of a granule (a cluster, or a subcluster with extended L2). */
  private static final int ZERO = 0;
  private static final int DATA = 1;
  private static final int COMPRESSED_DATA = 2;
  private static final int BACKING = 3;

  private int kind(long[] l2, long guestCluster, int sub) {
    if (l2 == null) {
      return BACKING;
    }
    int i = (int) (guestCluster % l2Entries);
    long e = h.extendedL2 ? l2[2 * i] : l2[i];
    if ((e & COMPRESSED) != 0) {
      return COMPRESSED_DATA;
    }
    if (h.extendedL2) {
      long bm = l2[2 * i + 1];
      if ((bm >>> (32 + sub) & 1) != 0) {
        return ZERO;
      }
      return (bm >>> sub & 1) != 0 ? DATA : BACKING;
    }
    if (h.version == 3 && (e & ZERO_FLAG) != 0) {
      return ZERO;
    }
    return (e & OFFSET_MASK) != 0 ? DATA : BACKING;
  }

  /** Whether a granule of this kind at [start, end) is known to read as zeros. */
  private boolean readsZero(int kind, long start, long end) {
    if (kind == ZERO) {
      return true;
    }
    if (kind == BACKING) {
      return backing == null || start >= backingSize;
    }
    return false;
  }

  @Override
  public DiskExtent extentAt(long offset) throws IOException {
    if (offset < 0 || offset >= h.size) {
      throw new IllegalArgumentException(src.name() + ": offset " + offset + " outside the disk");
    }
    long l2Span = (long) l2Entries << cb;
    int l1i = (int) (offset / l2Span);
    long[] t = l2(l1i);
    if (t == null) {
      long end = (l1i + 1L) * l2Span;
      boolean zero = readsZero(BACKING, offset, end);
      if (zero) {
        // Merge the following unallocated L2 ranges too: a huge empty disk is a few extents.
        while (end < h.size && l1[(int) (end / l2Span)] == 0) {
          end += l2Span;
        }
      } else {
        // The backing file's own map says which of these bytes are data and which are zeros.
        return backing.extentAt(offset, Math.min(end, h.size));
      }
      return new DiskExtent(offset, Math.min(end, h.size) - offset, zero);
    }
    long granule = 1L << subBits;
    long g = offset >>> subBits;
    long rangeEnd = Math.min((l1i + 1L) * l2Span, h.size);
    if (backing != null && offset < backingSize && granuleKind(t, g, granule) == BACKING) {
      long end = (g + 1) * granule;
      while (end < rangeEnd && granuleKind(t, end >>> subBits, granule) == BACKING) {
        end += granule;
      }
      return backing.extentAt(offset, Math.min(end, rangeEnd));
    }
    boolean zero = granuleZero(t, g, granule);
    long end = (g + 1) * granule;
    while (end < rangeEnd && granuleZero(t, end >>> subBits, granule) == zero) {
      end += granule;
    }
    return new DiskExtent(offset, Math.min(end, rangeEnd) - offset, zero);
  }

  private boolean granuleZero(long[] t, long g, long granule) {
    long start = g * granule;
    return readsZero(granuleKind(t, g, granule), start, start + granule);
  }

  private int granuleKind(long[] t, long g, long granule) {
    int sub = (int) (g & ((1L << (cb - subBits)) - 1));
    return kind(t, (g * granule) >>> cb, sub);
  }

  @Override
  public void read(ByteBuffer dst, long offset) throws IOException {
    if (offset < 0 || offset > h.size - dst.remaining()) {
      throw new IllegalArgumentException(src.name() + ": read of " + dst.remaining() + " bytes at " + offset
          + " outside the disk (" + h.size + " bytes)");
    }
    long l2Span = (long) l2Entries << cb;
    long granule = 1L << subBits;
    while (dst.hasRemaining()) {
      long pos = offset;
      int l1i = (int) (pos / l2Span);
      long[] t = l2(l1i);
      long cluster = pos >>> cb;
      int sub = (int) ((pos >>> subBits) & ((1L << (cb - subBits)) - 1));
      int kind = kind(t, cluster, sub);
      long inCluster = pos & (cs - 1);
      if (kind == COMPRESSED_DATA) {
        int n = (int) Math.min(dst.remaining(), cs - inCluster);
        ByteBuffer c = decompress(entry(t, cluster), cluster);
        dst.put(c.limit((int) (inCluster + n)).position((int) inCluster));
        offset += n;
        continue;
      }
      int n = (int) Math.min(dst.remaining(), granule - (pos & (granule - 1)));
      if (kind == DATA) {
        long host = (entry(t, cluster) & OFFSET_MASK) + inCluster;
        if ((entry(t, cluster) & OFFSET_MASK) == 0) {
          // Only possible with extended L2: "allocated" subclusters of a cluster with no host offset.
          throw new CorruptImageException(String.format("%s: qcow2 L2 entry for guest offset 0x%x marks subclusters"
              + " allocated but has no host offset", src.name(), cluster << cb));
        }
        if ((entry(t, cluster) & OFFSET_MASK & (cs - 1)) != 0) {
          throw new CorruptImageException(String.format("%s: qcow2 L2 entry for guest offset 0x%x points to an"
              + " unaligned cluster 0x%x", src.name(), cluster << cb, entry(t, cluster) & OFFSET_MASK));
        }
        // Extend over following granules that are data, contiguous on the host, in the same L2 table.
        long next = pos + n;
        while (n < dst.remaining() && next / l2Span == l1i) {
          long c2 = next >>> cb;
          int s2 = (int) ((next >>> subBits) & ((1L << (cb - subBits)) - 1));
          if (kind(t, c2, s2) != DATA
              || (entry(t, c2) & OFFSET_MASK) + (next & (cs - 1)) != host + n) {
            break;
          }
          int more = (int) Math.min(dst.remaining() - n, granule);
          n += more;
          next += more;
        }
        if (host >= src.size() || host > src.size() - n) {
          throw new CorruptImageException(String.format("%s: qcow2 data for guest offset 0x%x lies at 0x%x, past the"
              + " end of the file (%d bytes)", src.name(), pos, host, src.size()));
        }
        int lim = dst.limit();
        dst.limit(dst.position() + n);
        src.readFully(dst, host);
        dst.limit(lim);
      } else if (kind == BACKING && backing != null && pos < backingSize) {
        n = (int) Math.min(n, backingSize - pos);
        int lim = dst.limit();
        dst.limit(dst.position() + n);
        backing.read(dst, pos);
        dst.limit(lim);
      } else {
        Zeros.fill(dst, n);
      }
      offset += n;
    }
  }

  private long entry(long[] t, long cluster) {
    int i = (int) (cluster % l2Entries);
    return h.extendedL2 ? t[2 * i] : t[i];
  }

  private ByteBuffer decompress(long e, long cluster) throws IOException {
    int x = 62 - (cb - 8);
    long coff = e & ((1L << x) - 1);
    long nsect = (e >>> x) & ((1L << (cb - 8)) - 1);
    long csize = (nsect + 1) * 512 - (coff & 511);
    if (coff >= src.size()) {
      throw new CorruptImageException(String.format("%s: qcow2 compressed cluster for guest offset 0x%x lies at 0x%x,"
          + " past the end of the file (%d bytes)", src.name(), cluster << cb, coff, src.size()));
    }
    // The sector count rounds up, so the last cluster's data may stop short of it at the file's end.
    csize = Math.min(csize, src.size() - coff);
    Scratch s = scratch.get();
    ByteBuffer in = s.in.clear().limit((int) csize);
    src.readFully(in, coff);
    in.flip();
    ByteBuffer out = s.out.clear();
    if (h.compressionType == 0) {
      Inflater inf = s.inflater;
      inf.reset();
      inf.setInput(in);
      try {
        while (out.hasRemaining()) {
          if (inf.inflate(out) == 0) {
            break;
          }
        }
      } catch (DataFormatException ex) {
        throw new CorruptImageException(String.format("%s: qcow2 compressed cluster for guest offset 0x%x does not"
            + " inflate: %s", src.name(), cluster << cb, ex.getMessage()), ex);
      }
    } else {
      ZstdDecompressCtx z = s.zstd();
      z.reset();
      try {
        while (out.hasRemaining() && in.hasRemaining()) {
          int before = out.position() + in.position();
          boolean done = z.decompressDirectByteBufferStream(out, in);
          if (done || out.position() + in.position() == before) {
            break;
          }
        }
      } catch (ZstdException ex) {
        throw new CorruptImageException(String.format("%s: qcow2 zstd cluster for guest offset 0x%x does not"
            + " decompress: %s", src.name(), cluster << cb, ex.getMessage()), ex);
      }
    }
    if (out.hasRemaining()) {
      throw new CorruptImageException(String.format("%s: qcow2 compressed cluster for guest offset 0x%x decompresses"
          + " to %d bytes, not a whole cluster of %d", src.name(), cluster << cb, out.position(), cs));
    }
    return out.flip();
  }


  @Override
  public void close() throws IOException {
    if (backing != null) {
      backing.close();
    }
  }

  /** One thread's buffers and decompressors for compressed clusters (see {@link #scratch}). */
  private static final class Scratch {
    final ByteBuffer in;
    final ByteBuffer out;
    final Inflater inflater = new Inflater(true);
    private ZstdDecompressCtx zstd;

    Scratch(int cs) {
      in = ByteBuffer.allocateDirect(2 * cs + 512);
      out = ByteBuffer.allocateDirect(cs);
    }

    ZstdDecompressCtx zstd() {
      if (zstd == null) {
        zstd = new ZstdDecompressCtx();
      }
      return zstd;
    }
  }
}
