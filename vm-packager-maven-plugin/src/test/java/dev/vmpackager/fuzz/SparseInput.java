package dev.vmpackager.fuzz;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A fuzz input that stands for a large, mostly empty file (VDI, VHD and VHDX put their structures
 * megabytes apart, and qemu-img's smallest images are 1 to 9 MiB of zeros): a flags byte, then
 * segments {@code [u32 BE offset in 512-byte sectors][u16 BE length][bytes]}, the rest of the file
 * holes. A segment of length 0 sets the file size (else it ends with the last segment). Offsets are
 * taken modulo {@link #MAX_SIZE}. {@code src/test/fuzz/make-seeds.sh} encodes images this way.
 *
 * <p>Checksums would stop mutation at the first header, so unless flag bit 0 is set the harness
 * recomputes them the way the format defines them (VHD footer and dynamic header; VHDX headers,
 * region tables and log entries) before the file is written; with the bit set the file is left as
 * the fuzzer made it, so the checksum checks are fuzzed too.
 */
final class SparseInput {

  /** Files are at most this big (sparse on disk). */
  static final long MAX_SIZE = 256L << 20;

  /** @param offset where the bytes go @param bytes the bytes */
  record Segment(long offset, byte[] bytes) {}

  /** @param segments in order, later ones over earlier ones @param size the file size */
  record Layout(List<Segment> segments, long size, boolean fixChecksums) {

    /** @return {@code n} bytes at {@code at} as the file would hold them (holes read as zeros) */
    byte[] read(long at, int n) {
      byte[] out = new byte[n];
      for (Segment s : segments) {
        long from = Math.max(at, s.offset());
        long to = Math.min(at + n, s.offset() + s.bytes().length);
        if (from < to) {
          System.arraycopy(s.bytes(), (int) (from - s.offset()), out, (int) (from - at), (int) (to - from));
        }
      }
      return out;
    }

    void write(long at, byte[] bytes) {
      segments.add(new Segment(at, bytes));
    }
  }

  private SparseInput() {}

  static Layout decode(byte[] in) {
    List<Segment> segments = new ArrayList<>();
    boolean fix = in.length == 0 || (in[0] & 1) == 0;
    long size = -1;
    long end = 0;
    int p = 1;
    while (p + 6 <= in.length) {
      long offset = ((in[p] & 0xFFL) << 24 | (in[p + 1] & 0xFFL) << 16 | (in[p + 2] & 0xFFL) << 8 | (in[p + 3] & 0xFFL))
          * 512 % MAX_SIZE;
      int len = (in[p + 4] & 0xFF) << 8 | (in[p + 5] & 0xFF);
      p += 6;
      if (len == 0) {
        size = offset;
        continue;
      }
      int n = Math.min(len, in.length - p);
      n = (int) Math.min(n, MAX_SIZE - offset);
      segments.add(new Segment(offset, Arrays.copyOfRange(in, p, p + n)));
      end = Math.max(end, offset + n);
      p += n;
    }
    return new Layout(segments, size >= 0 ? size : end, fix);
  }

  /** Fixes the VHD footer (at the end and its copy at 0) and the dynamic header it points to. */
  static Layout fixVhd(Layout l) {
    if (!l.fixChecksums() || l.size() < 512) {
      return l;
    }
    for (long at : new long[] {0, l.size() - 512}) {
      byte[] footer = l.read(at, 512);
      if (!ascii(footer, 0, "conectix")) {
        continue;
      }
      onesComplement(footer, 64);
      l.write(at, footer);
      long dyn = ByteBuffer.wrap(footer).getLong(16);
      if (dyn >= 0 && dyn <= l.size() - 1024) {
        byte[] header = l.read(dyn, 1024);
        if (ascii(header, 0, "cxsparse")) {
          onesComplement(header, 36);
          l.write(dyn, header);
        }
      }
    }
    return l;
  }

  private static void onesComplement(byte[] b, int field) {
    Arrays.fill(b, field, field + 4, (byte) 0);
    int sum = 0;
    for (byte x : b) {
      sum += x & 0xFF;
    }
    ByteBuffer.wrap(b).putInt(field, ~sum);
  }

  /** Fixes the CRC-32C of both VHDX headers, both region tables, and every log entry of the headers' logs. */
  static Layout fixVhdx(Layout l) {
    if (!l.fixChecksums()) {
      return l;
    }
    for (long at : new long[] {64 << 10, 128 << 10}) {
      byte[] h = l.read(at, 4096);
      if (!ascii(h, 0, "head")) {
        continue;
      }
      ByteBuffer hb = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
      long logLength = Integer.toUnsignedLong(hb.getInt(68));
      long logOffset = hb.getLong(72);
      if (logLength >= 4096 && logLength <= (4 << 20) && logLength % 4096 == 0 && logOffset >= 0
          && logOffset <= MAX_SIZE - logLength) {
        fixLog(l, logOffset, (int) logLength);
      }
      crc(h, 4096);
      l.write(at, h);
    }
    for (long at : new long[] {192 << 10, 256 << 10}) {
      byte[] t = l.read(at, 64 << 10);
      if (ascii(t, 0, "regi")) {
        crc(t, t.length);
        l.write(at, t);
      }
    }
    return l;
  }

  private static void fixLog(Layout l, long logOffset, int logLength) {
    byte[] log = l.read(logOffset, logLength);
    boolean changed = false;
    for (int pos = 0; pos < logLength; pos += 4096) {
      if (!ascii(log, pos, "loge")) {
        continue;
      }
      long length = Integer.toUnsignedLong(ByteBuffer.wrap(log, pos + 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
      if (length < 64 || length > logLength) {
        continue;
      }
      // An entry may wrap around the end of the circular log.
      byte[] entry = new byte[(int) length];
      for (int i = 0; i < length; i++) {
        entry[i] = log[(pos + i) % logLength];
      }
      crc(entry, entry.length);
      for (int i = 4; i < 8; i++) {
        log[pos + i] = entry[i];
      }
      changed = true;
    }
    if (changed) {
      l.write(logOffset, log);
    }
  }

  private static void crc(byte[] b, int length) {
    Arrays.fill(b, 4, 8, (byte) 0);
    CRC32C c = new CRC32C();
    c.update(b, 0, length);
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(4, (int) c.getValue());
  }

  static boolean ascii(byte[] b, int at, String s) {
    byte[] w = s.getBytes(StandardCharsets.US_ASCII);
    return at + w.length <= b.length && Arrays.equals(b, at, at + w.length, w, 0, w.length);
  }

  /**
   * Fixes the checksum field of every ustar header on the archive's chain of entries (OVA) when the
   * input's length is even; an odd length leaves the archive as the fuzzer made it, so the checksum
   * check is fuzzed too (tar files are whole blocks, but mutations change the length all the time).
   */
  static byte[] fixTar(byte[] in) {
    if (in.length % 2 != 0) {
      return in;
    }
    byte[] b = in.clone();
    long pos = 0;
    for (int n = 0; n < 4096 && pos + 512 <= b.length; n++) {
      int p = (int) pos;
      if (!ascii(b, p + 257, "ustar")) {
        break;
      }
      Arrays.fill(b, p + 148, p + 156, (byte) ' ');
      int sum = 0;
      for (int i = 0; i < 512; i++) {
        sum += b[p + i] & 0xFF;
      }
      byte[] field = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(field, 0, b, p + 148, 8);
      long size = 0;
      for (int i = 124; i < 136; i++) {
        int c = b[p + i];
        if (c >= '0' && c <= '7') {
          size = size * 8 + (c - '0');
        }
      }
      pos = pos + 512 + (size + 511) / 512 * 512;
    }
    return b;
  }
}
