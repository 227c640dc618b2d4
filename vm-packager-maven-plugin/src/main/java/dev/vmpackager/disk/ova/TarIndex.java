package dev.vmpackager.disk.ova;

import dev.vmpackager.disk.CorruptImageException;
import dev.vmpackager.disk.ImageSource;
import dev.vmpackager.disk.UnsupportedImageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The entries of a tar archive, found by reading its 512-byte headers in place (ustar, with GNU
 * long names and pax {@code path}/{@code size} records); data is never copied. Every entry name is
 * checked: absolute names and {@code ..} are refused.
 */
final class TarIndex {

  static final int BLOCK = 512;
  /** Beyond this many entries an OVA is not an OVA; refusing keeps the index small. */
  static final int MAX_ENTRIES = 10_000;
  /** GNU long names and pax records larger than this are refused. */
  static final int MAX_META = 64 * 1024;

  /**
   * A regular file in the archive.
   *
   * @param name its name, as the archive spells it, without a leading {@code ./}
   * @param dataOffset where its data starts in the archive
   * @param size its size in bytes
   */
  record Entry(String name, long dataOffset, long size) {}

  private TarIndex() {}

  /** @return true when the block has the ustar magic at 257 ({@code ustar\0} or GNU's {@code ustar }) */
  static boolean hasUstarMagic(ByteBuffer block, int base) {
    if (block.limit() - base < 263) {
      return false;
    }
    byte[] m = {'u', 's', 't', 'a', 'r'};
    for (int i = 0; i < m.length; i++) {
      if (block.get(base + 257 + i) != m[i]) {
        return false;
      }
    }
    byte t = block.get(base + 262);
    return t == 0 || t == ' ';
  }

  /**
   * @param source the archive
   * @param limit stop after this many regular files (1 for detection)
   * @return the regular files, in archive order
   */
  static List<Entry> read(ImageSource source, int limit) throws IOException {
    String name = source.name();
    long size = source.size();
    List<Entry> entries = new ArrayList<>();
    long pos = 0;
    String longName = null;
    String paxPath = null;
    long paxSize = -1;
    int headers = 0;
    ByteBuffer block = ByteBuffer.allocate(BLOCK);
    while (entries.size() < limit) {
      if (pos == size) {
        break; // no end-of-archive blocks: tolerated, as GNU tar does
      }
      if (size - pos < BLOCK) {
        throw new CorruptImageException(name + ": truncated: a tar header at offset " + pos + " is cut short");
      }
      if (++headers > MAX_ENTRIES * 2) {
        throw new UnsupportedImageException(name + ": more than " + MAX_ENTRIES + " tar entries; not an OVA");
      }
      block.clear();
      source.readFully(block, pos);
      block.flip();
      if (isZero(block)) {
        break; // end of archive
      }
      checkChecksum(block, name, pos);
      String entryName = cString(block, 0, 100);
      if (hasUstarMagic(block, 0) && block.get(262) == 0) {
        String prefix = cString(block, 345, 155);
        if (!prefix.isEmpty()) {
          entryName = prefix + "/" + entryName;
        }
      }
      long dataSize = number(block, 124, 12, name, pos);
      byte type = block.get(156);
      long dataOffset = pos + BLOCK;
      if (type == 'x' && dataSize <= MAX_META) {
        // pax extended header: its own size is in the header; it may override the next entry's size.
        checkFits(dataOffset, dataSize, size, name, entryName);
        for (String[] kv : paxRecords(readString(source, dataOffset, (int) dataSize), name, pos)) {
          if (kv[0].equals("path")) {
            paxPath = kv[1];
          } else if (kv[0].equals("size")) {
            try {
              paxSize = Long.parseLong(kv[1]);
            } catch (NumberFormatException e) {
              throw new CorruptImageException(name + ": bad pax size '" + kv[1] + "' at offset " + pos);
            }
          }
        }
        pos = next(dataOffset, dataSize);
        continue;
      }
      if (type == 'L' && dataSize <= MAX_META) {
        checkFits(dataOffset, dataSize, size, name, entryName);
        longName = cString(readBuffer(source, dataOffset, (int) dataSize), 0, (int) dataSize);
        pos = next(dataOffset, dataSize);
        continue;
      }
      if (type == 'x' || type == 'L') {
        throw new UnsupportedImageException(name + ": a tar metadata record at offset " + pos + " is larger than "
            + MAX_META + " bytes");
      }
      if (type == 'g') {
        checkFits(dataOffset, dataSize, size, name, entryName);
        pos = next(dataOffset, dataSize);
        continue;
      }
      String fullName = paxPath != null ? paxPath : longName != null ? longName : entryName;
      if (paxSize >= 0) {
        dataSize = paxSize;
      }
      paxPath = null;
      longName = null;
      paxSize = -1;
      String clean = checkName(fullName, name);
      boolean regular = type == '0' || type == 0 || type == '7';
      // Links, devices and directories have no data of their own (size is 0 for them).
      long dataBytes = regular ? dataSize : (type == '5' || type == '1' || type == '2' ? 0 : dataSize);
      checkFits(dataOffset, dataBytes, size, name, clean);
      if (regular) {
        entries.add(new Entry(clean, dataOffset, dataSize));
      }
      pos = next(dataOffset, dataBytes);
    }
    return entries;
  }

  private static long next(long dataOffset, long dataSize) {
    return dataOffset + (dataSize + BLOCK - 1) / BLOCK * BLOCK;
  }

  private static void checkFits(long dataOffset, long dataSize, long size, String name, String entry)
      throws CorruptImageException {
    if (dataSize < 0 || dataSize > size - dataOffset) {
      throw new CorruptImageException(String.format(
          "%s: truncated: entry %s needs %d bytes at offset %d but the archive has %d",
          name, entry, dataSize, dataOffset, size));
    }
  }

  /**
   * @return the name without leading {@code ./}
   * @throws UnsupportedImageException when it is absolute or contains {@code ..}
   */
  static String checkName(String entryName, String archive) throws UnsupportedImageException {
    String n = entryName.replace('\\', '/');
    while (n.startsWith("./")) {
      n = n.substring(2);
    }
    boolean climbs = false;
    for (String part : n.split("/")) {
      climbs |= part.equals("..");
    }
    if (n.isEmpty() || n.startsWith("/") || n.matches("^[A-Za-z]:.*") || climbs || n.indexOf('\0') >= 0) {
      throw new UnsupportedImageException(archive + ": refused entry \"" + entryName
          + "\": OVA entries must be plain relative names (no absolute path, no '..')");
    }
    return n;
  }

  private static void checkChecksum(ByteBuffer b, String name, long pos) throws CorruptImageException {
    long stored;
    try {
      stored = octal(b, 148, 8);
    } catch (NumberFormatException e) {
      throw new CorruptImageException(name + ": not a tar header at offset " + pos + " (bad checksum field)");
    }
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) {
      sum += (i >= 148 && i < 156) ? ' ' : (b.get(i) & 0xff);
    }
    if (sum != stored) {
      throw new CorruptImageException(name + ": the tar header at offset " + pos + " has a bad checksum"
          + " (corrupt or truncated archive)");
    }
  }

  /** Octal, or GNU base-256 when the first byte's high bit is set. */
  private static long number(ByteBuffer b, int off, int len, String name, long pos) throws CorruptImageException {
    if ((b.get(off) & 0x80) != 0) {
      if ((b.get(off) & 0x40) != 0) {
        throw new CorruptImageException(name + ": negative size in the tar header at offset " + pos);
      }
      long v = b.get(off) & 0x3f;
      for (int i = 1; i < len; i++) {
        if (v > (Long.MAX_VALUE >> 8)) {
          throw new CorruptImageException(name + ": size too large in the tar header at offset " + pos);
        }
        v = (v << 8) | (b.get(off + i) & 0xff);
      }
      return v;
    }
    try {
      return octal(b, off, len);
    } catch (NumberFormatException e) {
      throw new CorruptImageException(name + ": bad size field in the tar header at offset " + pos);
    }
  }

  private static long octal(ByteBuffer b, int off, int len) {
    String s = new String(bytes(b, off, len), StandardCharsets.US_ASCII).replace('\0', ' ').trim();
    if (s.isEmpty()) {
      return 0;
    }
    return Long.parseLong(s, 8);
  }

  private static List<String[]> paxRecords(String text, String name, long pos) throws CorruptImageException {
    List<String[]> out = new ArrayList<>();
    int i = 0;
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    while (i < utf8.length) {
      int sp = i;
      while (sp < utf8.length && utf8[sp] != ' ') {
        sp++;
      }
      int len;
      try {
        len = Integer.parseInt(new String(utf8, i, sp - i, StandardCharsets.US_ASCII));
      } catch (NumberFormatException e) {
        if (new String(utf8, i, utf8.length - i, StandardCharsets.UTF_8).replace("\0", "").isBlank()) {
          break;
        }
        throw new CorruptImageException(name + ": bad pax record in the tar header at offset " + pos);
      }
      if (len <= sp - i + 1 || i + len > utf8.length) {
        throw new CorruptImageException(name + ": bad pax record length in the tar header at offset " + pos);
      }
      String rec = new String(utf8, sp + 1, i + len - sp - 2, StandardCharsets.UTF_8);
      int eq = rec.indexOf('=');
      if (eq > 0) {
        out.add(new String[] {rec.substring(0, eq).toLowerCase(Locale.ROOT), rec.substring(eq + 1)});
      }
      i += len;
    }
    return out;
  }

  private static ByteBuffer readBuffer(ImageSource s, long pos, int len) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(len);
    s.readFully(b, pos);
    return b.flip();
  }

  private static String readString(ImageSource s, long pos, int len) throws IOException {
    return new String(readBuffer(s, pos, len).array(), StandardCharsets.UTF_8);
  }

  private static String cString(ByteBuffer b, int off, int len) {
    byte[] raw = bytes(b, off, len);
    int n = 0;
    while (n < raw.length && raw[n] != 0) {
      n++;
    }
    return new String(raw, 0, n, StandardCharsets.UTF_8);
  }

  private static byte[] bytes(ByteBuffer b, int off, int len) {
    byte[] out = new byte[len];
    b.get(off, out);
    return out;
  }

  private static boolean isZero(ByteBuffer b) {
    for (int i = 0; i < b.limit(); i++) {
      if (b.get(i) != 0) {
        return false;
      }
    }
    return true;
  }
}
