package dev.vmpackager.disk.qcow2;

import dev.vmpackager.disk.DiskImageWriter;
import dev.vmpackager.io.ChunkedWrites;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a qcow2 v3 image: 64 KiB clusters, 16-bit refcounts, no backing file, zero clusters left
 * unallocated, optional compressed clusters.
 *
 * <p>Layout as qemu's convert makes it: cluster 0 header, then the refcount table, the refcount
 * blocks and the L1 (all reserved up front from the caller's upper bound of data clusters), then
 * L2 tables and data interleaved in guest order. Unused reserved refcount blocks stay free holes.
 *
 * <p>Use: {@link #allocate}/{@link #allocateCompressed} in guest order from one thread at a time
 * ({@link DiskImageWriter.Order#ALLOCATION}: they decide host offsets, so the same input always
 * gives the same file), {@link #write} from any thread, then {@link #finish()} once, which writes
 * L2s, refcounts, L1 and finally the header. Memory: the L1, the current L2 and the refcount blocks
 * not yet written (one or two).
 */
public final class Qcow2Writer implements DiskImageWriter {

  /** 64 KiB clusters. */
  public static final int CLUSTER_BITS = 16;
  /** The cluster size in bytes. */
  public static final int CLUSTER_SIZE = 1 << CLUSTER_BITS;

  private static final int L2_ENTRIES = CLUSTER_SIZE / 8;
  private static final int RB_ENTRIES = CLUSTER_SIZE * 8 / 16;
  private static final int HEADER_LENGTH = 112;

  private final RandomAccessFile file;
  private final FileChannel ch;
  private final long size;
  private final long l1Size;
  private final long reftableClusters;
  private final long refblocksReserved;
  private final long refblocksStart;
  private final long l1Offset;
  private final long l1Clusters;
  private final long frontClusters;
  private final long[] l1;
  private final Map<Long, short[]> refblocks = new TreeMap<>();
  private long next;
  private int slot = -1;
  private long[] l2;
  private long l2Offset;
  private boolean finished;

  private Qcow2Writer(Path path, long size, long dataClustersUpperBound, long l2TablesUpperBound) throws IOException {
    // qemu counts qcow2 sizes in 512-byte sectors and reads a header size that is not a multiple of
    // 512 as one sector shorter; qemu-img convert rounds up, and so do we (the tail reads as zeros).
    size = (size + 511) & ~511L;
    this.size = size;
    long clusters = (size + CLUSTER_SIZE - 1) >>> CLUSTER_BITS;
    this.l1Size = (clusters + L2_ENTRIES - 1) / L2_ENTRIES;
    if (l1Size * 8 > Qcow2Header.MAX_L1_BYTES) {
      throw new IOException("a qcow2 image of " + size + " bytes needs an L1 table larger than qemu's limit");
    }
    this.l1Clusters = (l1Size * 8 + CLUSTER_SIZE - 1) >>> CLUSTER_BITS;
    long upper = dataClustersUpperBound + l2TablesUpperBound + 16;
    long r = 1;
    long t = 1;
    while (true) {
      long total = 1 + t + r + l1Clusters + upper;
      long r2 = (total + RB_ENTRIES - 1) / RB_ENTRIES;
      long t2 = (r2 * 8 + CLUSTER_SIZE - 1) >>> CLUSTER_BITS;
      if (r2 == r && t2 == t) {
        break;
      }
      r = Math.max(r, r2);
      t = Math.max(t, t2);
    }
    this.reftableClusters = t;
    this.refblocksReserved = r;
    this.refblocksStart = (1 + t) * CLUSTER_SIZE;
    this.l1Offset = refblocksStart + r * CLUSTER_SIZE;
    this.frontClusters = 1 + t + r + l1Clusters;
    this.next = frontClusters * CLUSTER_SIZE;
    this.l1 = new long[(int) l1Size];
    this.file = new RandomAccessFile(path.toFile(), "rw");
    // Truncating an empty file is not a no-op on ext4: it marks the file for a forced flush of
    // all its delayed allocations on close (auto_da_alloc), which costs as much as the copy.
    if (file.length() != 0) {
      file.setLength(0);
    }
    this.ch = file.getChannel();
  }

  /**
   * @param path the file to write (created or truncated)
   * @param size the guest disk size in bytes (rounded up to a multiple of 512, as qemu does)
   * @param dataClustersUpperBound at most how many 64 KiB guest clusters will be allocated
   * @param l2TablesUpperBound at most how many 512 MiB guest ranges will hold data
   * @return a writer
   */
  public static Qcow2Writer create(Path path, long size, long dataClustersUpperBound, long l2TablesUpperBound)
      throws IOException {
    return new Qcow2Writer(path, size, dataClustersUpperBound, l2TablesUpperBound);
  }

  /** @return {@link #CLUSTER_SIZE} */
  @Override
  public int blockSize() {
    return CLUSTER_SIZE;
  }

  /** @return {@link DiskImageWriter.Order#ALLOCATION} */
  @Override
  public Order order() {
    return Order.ALLOCATION;
  }

  /**
   * Allocates the host cluster of a guest cluster with data (stored uncompressed). Call in guest order.
   *
   * @param guestOffset the guest cluster's offset, a multiple of {@link #CLUSTER_SIZE}
   * @return the host offset to {@link #write} the cluster's bytes at
   * @throws IOException when a finished L2 table or refcount block cannot be written
   */
  @Override
  public synchronized long allocate(long guestOffset) throws IOException {
    long guestCluster = cluster(guestOffset);
    ensureL2(guestCluster);
    next = align(next);
    long host = next;
    next += CLUSTER_SIZE;
    ref(host >>> CLUSTER_BITS);
    l2[(int) (guestCluster % L2_ENTRIES)] = host | Qcow2Reader.COPIED;
    flushDoneRefblocks();
    return host;
  }

  /**
   * Allocates room for a compressed cluster, packed right after the previous one. Call in guest order.
   *
   * @param guestOffset the guest cluster's offset, a multiple of {@link #CLUSTER_SIZE}
   * @param length the compressed length (raw deflate, as qemu inflates it), less than {@link #CLUSTER_SIZE}
   * @return the host byte offset to {@link #write} the compressed bytes at
   * @throws IOException when a finished L2 table or refcount block cannot be written
   */
  @Override
  public synchronized long allocateCompressed(long guestOffset, int length) throws IOException {
    if (length <= 0 || length >= CLUSTER_SIZE) {
      throw new IllegalArgumentException("compressed length " + length);
    }
    long guestCluster = cluster(guestOffset);
    ensureL2(guestCluster);
    long host = next;
    next += length;
    for (long c = host >>> CLUSTER_BITS; c <= (next - 1) >>> CLUSTER_BITS; c++) {
      ref(c);
    }
    int x = 62 - (CLUSTER_BITS - 8);
    long sectors = ((host + length - 1) >>> 9) - (host >>> 9);
    l2[(int) (guestCluster % L2_ENTRIES)] = Qcow2Reader.COMPRESSED | (sectors << x) | host;
    flushDoneRefblocks();
    return host;
  }

  /**
   * Writes bytes at a host offset returned by an allocation. Thread-safe.
   *
   * @param data from position to limit
   * @param host the host offset
   */
  @Override
  public void write(ByteBuffer data, long host) throws IOException {
    ChunkedWrites.write(ch, data, host);
  }

  private static long cluster(long guestOffset) {
    if ((guestOffset & (CLUSTER_SIZE - 1)) != 0) {
      throw new IllegalArgumentException("guest offset " + guestOffset + " is not at a cluster's start");
    }
    return guestOffset >>> CLUSTER_BITS;
  }

  private void ensureL2(long guestCluster) throws IOException {
    if (finished) {
      throw new IllegalStateException("finished");
    }
    int s = (int) (guestCluster / L2_ENTRIES);
    if (s == slot) {
      return;
    }
    if (s < slot || s >= l1Size) {
      throw new IllegalArgumentException("guest cluster " + guestCluster + " out of order or past the disk");
    }
    flushL2();
    next = align(next);
    l2Offset = next;
    next += CLUSTER_SIZE;
    ref(l2Offset >>> CLUSTER_BITS);
    l2 = new long[L2_ENTRIES];
    slot = s;
    l1[s] = l2Offset | Qcow2Reader.COPIED;
  }

  private void flushL2() throws IOException {
    if (l2 == null) {
      return;
    }
    ByteBuffer b = ByteBuffer.allocate(CLUSTER_SIZE);
    b.asLongBuffer().put(l2);
    write(b, l2Offset);
    l2 = null;
  }

  private void ref(long cluster) {
    long rb = cluster / RB_ENTRIES;
    if (rb >= refblocksReserved) {
      throw new IllegalStateException("more clusters than the reserved refcount blocks cover (" + cluster + ")");
    }
    short[] b = refblocks.computeIfAbsent(rb, k -> new short[RB_ENTRIES]);
    int i = (int) (cluster % RB_ENTRIES);
    if (b[i] == -1) {
      throw new IllegalStateException("refcount overflow at cluster " + cluster);
    }
    b[i]++;
  }

  /** Writes the refcount blocks no later allocation can touch (never those covering the front). */
  private void flushDoneRefblocks() throws IOException {
    long doneClusters = next >>> CLUSTER_BITS;
    long frontBlocks = (frontClusters - 1) / RB_ENTRIES;
    var it = refblocks.entrySet().iterator();
    while (it.hasNext()) {
      var e = it.next();
      long rb = e.getKey();
      if ((rb + 1) * RB_ENTRIES > doneClusters) {
        break;
      }
      if (rb > frontBlocks) {
        writeRefblock(rb, e.getValue());
        it.remove();
      }
    }
  }

  private void writeRefblock(long rb, short[] counts) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(CLUSTER_SIZE);
    b.asShortBuffer().put(counts);
    write(b, refblocksStart + rb * CLUSTER_SIZE);
  }

  /**
   * Writes the remaining metadata: the last L2, refcounts, L1, refcount table and, last, the header.
   *
   * @return the file's length
   */
  @Override
  public synchronized long finish() throws IOException {
    flushL2();
    finished = true;
    long end = Math.max(next, frontClusters * CLUSTER_SIZE);
    long endClusters = (end + CLUSTER_SIZE - 1) >>> CLUSTER_BITS;
    long used = (endClusters + RB_ENTRIES - 1) / RB_ENTRIES;
    if (used > refblocksReserved) {
      throw new IllegalStateException("refcount blocks needed " + used + " > reserved " + refblocksReserved);
    }
    ref(0);
    for (long c = 1; c <= reftableClusters; c++) {
      ref(c);
    }
    for (long i = 0; i < used; i++) {
      ref((refblocksStart >>> CLUSTER_BITS) + i);
    }
    for (long i = 0; i < l1Clusters; i++) {
      ref((l1Offset >>> CLUSTER_BITS) + i);
    }
    for (long rb = 0; rb < used; rb++) {
      short[] counts = refblocks.remove(rb);
      writeRefblock(rb, counts == null ? new short[RB_ENTRIES] : counts);
    }
    if (l1Size > 0) {
      ByteBuffer b = ByteBuffer.allocate((int) (l1Clusters * CLUSTER_SIZE));
      b.asLongBuffer().put(l1);
      write(b, l1Offset);
    }
    ByteBuffer rt = ByteBuffer.allocate((int) (reftableClusters * CLUSTER_SIZE));
    for (long rb = 0; rb < used; rb++) {
      rt.putLong((int) (rb * 8), refblocksStart + rb * CLUSTER_SIZE);
    }
    write(rt, CLUSTER_SIZE);
    // Compressed data is read in whole 512-byte sectors: the file ends on one.
    long length = (end + 511) & ~511L;
    if (file.length() < length) {
      file.setLength(length);
    }
    write(header(), 0);
    return length;
  }

  private ByteBuffer header() {
    ByteBuffer b = ByteBuffer.allocate(HEADER_LENGTH + 8);
    b.putInt(Qcow2Driver.MAGIC);
    b.putInt(3);
    b.putLong(0); // backing_file_offset
    b.putInt(0); // backing_file_size
    b.putInt(CLUSTER_BITS);
    b.putLong(size);
    b.putInt(0); // crypt_method
    b.putInt((int) l1Size);
    b.putLong(l1Size > 0 ? l1Offset : 0);
    b.putLong(CLUSTER_SIZE); // refcount_table_offset
    b.putInt((int) reftableClusters);
    b.putInt(0); // nb_snapshots
    b.putLong(0); // snapshots_offset
    b.putLong(0); // incompatible_features
    b.putLong(0); // compatible_features
    b.putLong(0); // autoclear_features
    b.putInt(4); // refcount_order
    b.putInt(HEADER_LENGTH);
    b.put((byte) 0); // compression_type deflate
    // padding to 112, then the end-of-extensions marker (type 0, length 0)
    return b.clear();
  }

  private static long align(long v) {
    return (v + CLUSTER_SIZE - 1) & ~(long) (CLUSTER_SIZE - 1);
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
