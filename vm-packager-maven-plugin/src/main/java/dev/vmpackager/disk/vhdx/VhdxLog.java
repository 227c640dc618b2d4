package dev.vmpackager.disk.vhdx;

import dev.vmpackager.disk.CorruptImageException;
import dev.vmpackager.disk.ImageSource;
import dev.vmpackager.disk.UnsupportedImageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Replays a VHDX metadata log in memory (MS-VHDX 2.3): finds the active sequence of log entries
 * (consecutive sequence numbers, from the tail the newest entry names up to that entry), and lays
 * its data and zero descriptors over the file as a {@link LogOverlay}. The source is never written;
 * memory is bounded by the log's length, which is capped.
 */
final class VhdxLog {

  static final int SECTOR = 4096;
  static final int ENTRY_HEADER = 64;
  static final int DESCRIPTOR = 32;
  /** The largest log replayed (Hyper-V and qemu write 1 MiB logs). */
  static final long MAX_LOG = 64L << 20;
  /** Checksummed bytes allowed per log byte while looking for entries, so a hostile log cannot stall us. */
  static final long CHECKSUM_BUDGET_FACTOR = 16;

  private record Entry(int pos, int length, long sequence, long tail, int descriptors, long flushedFileOffset,
      long lastFileOffset) {}

  private VhdxLog() {}

  /**
   * @param logGuid the current header's log GUID (16 bytes, non-zero)
   * @return the replayed view of the file (the plain source when no valid sequence is found, as qemu does)
   */
  static FileView replay(ImageSource source, long logOffset, long logLength, byte[] logGuid) throws IOException {
    String name = source.name();
    long fileSize = source.size();
    if (logLength <= 0 || logLength % (1 << 20) != 0 || logOffset < (1 << 20) || logOffset % (1 << 20) != 0
        || logOffset > fileSize || logLength > fileSize - logOffset) {
      throw new CorruptImageException(String.format(
          "%s: the VHDX log (%d bytes at offset %d) is misplaced or runs past the end of the file (%d bytes)",
          name, logLength, logOffset, fileSize));
    }
    if (logLength > MAX_LOG) {
      throw new UnsupportedImageException(String.format(
          "%s: the VHDX log to replay is %d bytes; logs over %d bytes are not supported", name, logLength, MAX_LOG));
    }
    byte[] log = new byte[(int) logLength];
    source.readFully(ByteBuffer.wrap(log), logOffset);

    Map<Integer, Entry> valid = new HashMap<>();
    long[] budget = {CHECKSUM_BUDGET_FACTOR * logLength};
    for (int pos = 0; pos < log.length; pos += SECTOR) {
      Entry e = entryAt(log, pos, logGuid, budget);
      if (budget[0] < 0) {
        throw new CorruptImageException(name + ": corrupt VHDX log: too many overlapping entries to check");
      }
      if (e != null) {
        valid.put(pos, e);
      }
    }
    List<Entry> heads = new ArrayList<>(valid.values());
    heads.sort(Comparator.comparingLong(Entry::sequence).reversed());
    List<Entry> active = null;
    for (Entry head : heads) {
      active = sequenceEndingAt(head, valid, log.length);
      if (active != null) {
        break;
      }
    }
    if (active == null) {
      return FileView.of(source);
    }
    LogOverlay overlay = new LogOverlay();
    long size = fileSize;
    for (Entry e : active) {
      // As qemu: the file must hold what the log says was flushed; each entry may grow the file.
      if (e.flushedFileOffset() > size) {
        throw new CorruptImageException(String.format(
            "%s: truncated: the VHDX log says the file was flushed at %d bytes but it has %d",
            name, e.flushedFileOffset(), size));
      }
      apply(name, log, e, overlay);
      if (e.lastFileOffset() > size) {
        if (e.lastFileOffset() > Long.MAX_VALUE / 2) {
          throw new CorruptImageException(name + ": corrupt VHDX log: last file offset " + e.lastFileOffset());
        }
        size = (e.lastFileOffset() + (1 << 20) - 1) / (1 << 20) * (1 << 20);
      }
    }
    size = Math.max(size, overlay.end());
    return new FileView(source, overlay, size);
  }

  /** @return the valid entry starting at {@code pos}, or null */
  private static Entry entryAt(byte[] log, int pos, byte[] logGuid, long[] budget) {
    ByteBuffer h = ByteBuffer.wrap(log, pos, ENTRY_HEADER).slice().order(ByteOrder.LITTLE_ENDIAN);
    if (!ascii(log, pos, "loge")) {
      return null;
    }
    long length = Integer.toUnsignedLong(h.getInt(8));
    long tail = Integer.toUnsignedLong(h.getInt(12));
    long sequence = h.getLong(16);
    long descriptors = Integer.toUnsignedLong(h.getInt(24));
    if (length == 0 || length % SECTOR != 0 || length > log.length || sequence == 0
        || tail % SECTOR != 0 || tail >= log.length
        || !Arrays.equals(log, pos + 32, pos + 48, logGuid, 0, 16)
        || descriptorSectors(descriptors) * SECTOR > length) {
      return null;
    }
    budget[0] -= length;
    if (budget[0] < 0) {
      return null;
    }
    int stored = h.getInt(4);
    CRC32C crc = new CRC32C();
    crc.update(log, pos, 4);
    crc.update(new byte[4]);
    int first = (int) Math.min(length, log.length - pos);
    crc.update(log, pos + 8, first - 8);
    crc.update(log, 0, (int) length - first);
    if ((int) crc.getValue() != stored) {
      return null;
    }
    return new Entry(pos, (int) length, sequence, tail, (int) descriptors, h.getLong(48), h.getLong(56));
  }

  /** @return the sequence from {@code head}'s tail to {@code head}, oldest first, or null if it is broken */
  private static List<Entry> sequenceEndingAt(Entry head, Map<Integer, Entry> valid, int logLength) {
    List<Entry> seq = new ArrayList<>();
    long pos = head.tail();
    for (int steps = 0; steps <= logLength / SECTOR; steps++) {
      Entry e = valid.get((int) pos);
      if (e == null || (!seq.isEmpty() && e.sequence() != seq.get(seq.size() - 1).sequence() + 1)) {
        return null;
      }
      seq.add(e);
      if (e == head) {
        return seq;
      }
      pos = (pos + e.length()) % logLength;
    }
    return null;
  }

  private static void apply(String name, byte[] log, Entry e, LogOverlay overlay) throws CorruptImageException {
    byte[] entry = circular(log, e.pos(), e.length());
    ByteBuffer b = ByteBuffer.wrap(entry).order(ByteOrder.LITTLE_ENDIAN);
    int dataSector = (int) descriptorSectors(e.descriptors());
    int sectors = e.length() / SECTOR;
    for (int i = 0; i < e.descriptors(); i++) {
      int d = ENTRY_HEADER + i * DESCRIPTOR;
      long fileOffset = b.getLong(d + 16);
      long sequence = b.getLong(d + 24);
      if (sequence != e.sequence() || fileOffset < 0 || fileOffset % SECTOR != 0) {
        throw new CorruptImageException(String.format(
            "%s: corrupt VHDX log entry %d: descriptor %d is invalid", name, e.sequence(), i));
      }
      if (ascii(entry, d, "zero")) {
        long length = b.getLong(d + 8);
        if (length < 0 || length % SECTOR != 0 || fileOffset > Long.MAX_VALUE / 2 - length) {
          throw new CorruptImageException(String.format(
              "%s: corrupt VHDX log entry %d: zero descriptor %d has length %d", name, e.sequence(), i, length));
        }
        if (length > 0) {
          overlay.put(fileOffset, length, null);
        }
      } else if (ascii(entry, d, "desc")) {
        if (dataSector >= sectors) {
          throw new CorruptImageException(String.format(
              "%s: corrupt VHDX log entry %d: more data descriptors than data sectors", name, e.sequence()));
        }
        int s = dataSector * SECTOR;
        if (!ascii(entry, s, "data") || Integer.toUnsignedLong(b.getInt(s + 4)) != e.sequence() >>> 32
            || Integer.toUnsignedLong(b.getInt(s + SECTOR - 4)) != (e.sequence() & 0xFFFFFFFFL)) {
          throw new CorruptImageException(String.format(
              "%s: corrupt VHDX log entry %d: data sector %d is invalid", name, e.sequence(), dataSector));
        }
        byte[] sector = new byte[SECTOR];
        System.arraycopy(entry, d + 8, sector, 0, 8);
        System.arraycopy(entry, s + 8, sector, 8, SECTOR - 12);
        System.arraycopy(entry, d + 4, sector, SECTOR - 4, 4);
        overlay.put(fileOffset, SECTOR, sector);
        dataSector++;
      } else {
        throw new CorruptImageException(String.format(
            "%s: corrupt VHDX log entry %d: descriptor %d has an unknown signature", name, e.sequence(), i));
      }
    }
  }

  /** Sectors holding the entry header and its descriptors: the first sector has room for 126 descriptors. */
  static long descriptorSectors(long descriptors) {
    return (descriptors + 2 + 127) / 128;
  }

  private static byte[] circular(byte[] log, int pos, int length) {
    byte[] out = new byte[length];
    int first = Math.min(length, log.length - pos);
    System.arraycopy(log, pos, out, 0, first);
    System.arraycopy(log, 0, out, first, length - first);
    return out;
  }

  static boolean ascii(byte[] b, int at, String sig) {
    byte[] s = sig.getBytes(StandardCharsets.US_ASCII);
    if (at < 0 || at + s.length > b.length) {
      return false;
    }
    return Arrays.equals(b, at, at + s.length, s, 0, s.length);
  }
}
