package dev.vmpackager.disk.vpc;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Field offsets and checks of the 512-byte VHD footer (big-endian). */
final class VpcFooter {

  static final int SIZE = 512;
  static final int DATA_OFFSET = 16;
  static final int CREATOR_APP = 28;
  static final int CURRENT_SIZE = 48;
  static final int CYLINDERS = 56;
  static final int HEADS = 58;
  static final int SECTORS_PER_TRACK = 59;
  static final int DISK_TYPE = 60;
  static final int CHECKSUM = 64;

  static final int FIXED = 2;
  static final int DYNAMIC = 3;
  static final int DIFFERENCING = 4;

  /** The largest geometry; with it qemu trusts current_size whatever the creator. */
  static final long MAX_GEOMETRY_SECTORS = 65535L * 16 * 255;
  /** qemu's limit, about 2040 GiB. */
  static final long MAX_SECTORS = 65535L * 255 * 255;

  private static final byte[] COOKIE = "conectix".getBytes(StandardCharsets.US_ASCII);

  private VpcFooter() {}

  static boolean hasCookie(ByteBuffer b, int at) {
    if (b.limit() < at + COOKIE.length) {
      return false;
    }
    for (int i = 0; i < COOKIE.length; i++) {
      if (b.get(at + i) != COOKIE[i]) {
        return false;
      }
    }
    return true;
  }

  /** The VHD checksum: ones' complement of the byte sum, the checksum field counted as zero. */
  static int checksum(ByteBuffer b, int length, int checksumAt) {
    int sum = 0;
    for (int i = 0; i < length; i++) {
      if (i >= checksumAt && i < checksumAt + 4) {
        continue;
      }
      sum += b.get(i) & 0xFF;
    }
    return ~sum;
  }

  static boolean checksumOk(ByteBuffer footer) {
    return checksum(footer, SIZE, CHECKSUM) == footer.getInt(CHECKSUM);
  }

  static String creator(ByteBuffer footer) {
    byte[] c = new byte[4];
    for (int i = 0; i < 4; i++) {
      c[i] = footer.get(CREATOR_APP + i);
    }
    return new String(c, StandardCharsets.ISO_8859_1);
  }

  /**
   * The guest size in sectors, as qemu decides it: Virtual PC and old qemu ("vpc ", "qemu") size
   * disks by CHS geometry, every other creator (Hyper-V "win ", "qem2", Disk2vhd, XenServer,
   * XenConverter, Azure...) by current_size; a maximal geometry always means current_size. This is
   * qemu 9.2's rule; qemu 7.2 agrees for every creator it knew by name and used CHS for unknown ones.
   */
  static long guestSectors(ByteBuffer footer) {
    long chs = (long) (footer.getShort(CYLINDERS) & 0xFFFF) * (footer.get(HEADS) & 0xFF)
        * (footer.get(SECTORS_PER_TRACK) & 0xFF);
    String creator = creator(footer);
    boolean useChs = creator.equals("vpc ") || creator.equals("qemu");
    if (!useChs || chs == MAX_GEOMETRY_SECTORS) {
      return Long.divideUnsigned(footer.getLong(CURRENT_SIZE), 512);
    }
    return chs;
  }
}
