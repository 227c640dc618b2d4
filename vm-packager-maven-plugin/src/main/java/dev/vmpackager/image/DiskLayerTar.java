package dev.vmpackager.image;

import dev.vmpackager.event.ProgressReporter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Writes the containerDisk layer as a tar stream: exactly the directory {@code disk/} (0555) and the
 * file {@code disk/<name>} (0444), both owned by 107:107 (KubeVirt's qemu user), with one fixed
 * modification time, nothing else. POSIX ustar headers; a pax extended header carries the size of
 * files of 8 GiB and more and names longer than ustar allows (the format every OCI tool reads).
 */
final class DiskLayerTar {

  /** KubeVirt's qemu user and group. */
  static final int QEMU_ID = 107;
  static final int DIRECTORY_MODE = 0555;
  static final int FILE_MODE = 0444;

  static final int BLOCK = 512;
  static final long USTAR_MAX_SIZE = 077777777777L;
  private static final int READ_CHUNK = 1 << 20;

  private DiskLayerTar() {}

  /**
   * @param disk the disk file (opened for reading only)
   * @param fileName the name under {@code disk/}
   * @param modificationTime the entries' time (seconds are kept)
   * @param out the layer stream
   * @param progress advanced by the disk bytes copied
   * @return the number of disk bytes copied
   */
  static long write(Path disk, String fileName, Instant modificationTime, OutputStream out, ProgressReporter progress)
      throws IOException {
    try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.READ)) {
      long size = ch.size();
      out.write(prefix(fileName, modificationTime, size));
      long copied = 0;
      ByteBuffer buf = ByteBuffer.allocate(READ_CHUNK);
      while (copied < size) {
        buf.clear();
        buf.limit((int) Math.min(READ_CHUNK, size - copied));
        int n = ch.read(buf, copied);
        if (n < 0) {
          throw new IOException(disk + " shrank while it was being read (" + copied + " of " + size + " bytes)");
        }
        out.write(buf.array(), 0, n);
        copied += n;
        progress.advance(n);
      }
      out.write(suffix(size));
      return copied;
    }
  }

  /**
   * @param fileName the name under {@code disk/}
   * @param modificationTime the entries' time
   * @param size the disk's size
   * @return the tar bytes before the disk's content: the {@code disk/} entry, a pax header if
   *     needed, the file's header
   */
  static byte[] prefix(String fileName, Instant modificationTime, long size) throws IOException {
    long mtime = modificationTime.getEpochSecond();
    if (mtime < 0 || mtime > USTAR_MAX_SIZE) {
      throw new IOException("the image timestamp " + modificationTime + " is outside 1970..2242");
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(4 * BLOCK);
    out.write(header("disk/", '5', 0, DIRECTORY_MODE, QEMU_ID, mtime));
    String name = "disk/" + fileName;
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    boolean pax = size > USTAR_MAX_SIZE || nameBytes.length > 100 || !isAscii(nameBytes);
    if (pax) {
      StringBuilder records = new StringBuilder();
      if (size > USTAR_MAX_SIZE) {
        records.append(paxRecord("size", Long.toString(size)));
      }
      if (nameBytes.length > 100 || !isAscii(nameBytes)) {
        records.append(paxRecord("path", name));
      }
      byte[] data = records.toString().getBytes(StandardCharsets.UTF_8);
      out.write(header("PaxHeaders/" + truncateAscii(fileName, 80), 'x', data.length, 0644, QEMU_ID, mtime));
      out.write(data);
      out.write(new byte[padding(data.length)]);
    }
    out.write(header(pax ? "disk/" + truncateAscii(fileName, 90) : name, '0', size > USTAR_MAX_SIZE ? 0 : size,
        FILE_MODE, QEMU_ID, mtime));
    return out.toByteArray();
  }

  /**
   * @param size the disk's size
   * @return the tar bytes after the disk's content: its padding and the two end blocks
   */
  static byte[] suffix(long size) {
    return new byte[padding(size) + 2 * BLOCK];
  }

  static int padding(long length) {
    return (int) ((BLOCK - length % BLOCK) % BLOCK);
  }

  private static String paxRecord(String key, String value) {
    String body = " " + key + "=" + value + "\n";
    int bodyLength = body.getBytes(StandardCharsets.UTF_8).length;
    int length = bodyLength + 1;
    while (Integer.toString(length).length() + bodyLength != length) {
      length = Integer.toString(length).length() + bodyLength;
    }
    return length + body;
  }

  private static boolean isAscii(byte[] b) {
    for (byte x : b) {
      if (x < 0x20 || x > 0x7e) {
        return false;
      }
    }
    return true;
  }

  private static String truncateAscii(String s, int max) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (b.length() == max) {
        break;
      }
      b.append(c >= 0x20 && c <= 0x7e ? c : '_');
    }
    return b.toString();
  }

  /**
   * A ustar header block. A size beyond the 11 octal digits of ustar (8 GiB and more) is written in
   * the GNU/star base-256 form (high bit of the first byte set, big-endian binary), which GNU tar,
   * Go's archive/tar (containerd, skopeo, umoci) and commons-compress read.
   */
  static byte[] header(String name, char type, long size, int mode, int owner, long mtime) {
    byte[] h = new byte[BLOCK];
    put(h, 0, 100, name.getBytes(StandardCharsets.US_ASCII));
    octal(h, 100, 8, mode);
    octal(h, 108, 8, owner);
    octal(h, 116, 8, owner);
    if (size > USTAR_MAX_SIZE) {
      h[124] = (byte) 0x80;
      for (int i = 0; i < 8; i++) {
        h[135 - i] = (byte) (size >>> (8 * i));
      }
    } else {
      octal(h, 124, 12, size);
    }
    octal(h, 136, 12, mtime);
    for (int i = 148; i < 156; i++) {
      h[i] = ' ';
    }
    h[156] = (byte) type;
    put(h, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
    put(h, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
    octal(h, 329, 8, 0); // devmajor
    octal(h, 337, 8, 0); // devminor
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    byte[] chk = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(chk, 0, h, 148, 6);
    h[154] = 0;
    h[155] = ' ';
    return h;
  }

  private static void put(byte[] h, int off, int len, byte[] value) {
    if (value.length > len) {
      throw new IllegalArgumentException("tar field too long: " + new String(value, StandardCharsets.US_ASCII));
    }
    System.arraycopy(value, 0, h, off, value.length);
  }

  /** Zero-padded octal with a terminating NUL, as ustar wants. */
  private static void octal(byte[] h, int off, int len, long value) {
    String s = Long.toOctalString(value);
    if (s.length() > len - 1) {
      throw new IllegalArgumentException("value " + value + " does not fit a " + len + "-byte tar field");
    }
    String padded = "0".repeat(len - 1 - s.length()) + s;
    put(h, off, len, padded.getBytes(StandardCharsets.US_ASCII));
  }
}
