package dev.vmpackager.disk.vhdx;

import java.util.HexFormat;
import java.util.Locale;

/** Microsoft GUIDs as VHDX stores them: data1 as u32 LE, data2 and data3 as u16 LE, data4 as 8 bytes. */
final class Guids {

  private Guids() {}

  /** @return the 16 on-disk bytes of a GUID written as {@code XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX} */
  static byte[] bytes(String guid) {
    return swapMixedEndian(HexFormat.of().parseHex(guid.replace("-", "")));
  }

  /** @return the usual text form of 16 on-disk GUID bytes */
  static String string(byte[] b) {
    byte[] be = swapMixedEndian(b);
    String h = HexFormat.of().formatHex(be).toUpperCase(Locale.ROOT);
    return h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-" + h.substring(16, 20) + "-"
        + h.substring(20);
  }

  static boolean isNull(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Microsoft GUIDs store their first three fields little-endian and the rest as bytes; swapping
   * those fields turns on-disk bytes into text order and back (the permutation is its own inverse).
   */
  private static byte[] swapMixedEndian(byte[] b) {
    byte[] out = b.clone();
    out[0] = b[3];
    out[1] = b[2];
    out[2] = b[1];
    out[3] = b[0];
    out[4] = b[5];
    out[5] = b[4];
    out[6] = b[7];
    out[7] = b[6];
    return out;
  }
}
