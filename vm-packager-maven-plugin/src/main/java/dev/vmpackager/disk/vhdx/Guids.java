package dev.vmpackager.disk.vhdx;

import java.util.HexFormat;
import java.util.Locale;

/** Microsoft GUIDs as VHDX stores them: data1 as u32 LE, data2 and data3 as u16 LE, data4 as 8 bytes. */
final class Guids {

  private Guids() {}

  /** @return the 16 on-disk bytes of a GUID written as {@code XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX} */
  static byte[] bytes(String guid) {
    byte[] be = HexFormat.of().parseHex(guid.replace("-", ""));
    byte[] out = be.clone();
    out[0] = be[3];
    out[1] = be[2];
    out[2] = be[1];
    out[3] = be[0];
    out[4] = be[5];
    out[5] = be[4];
    out[6] = be[7];
    out[7] = be[6];
    return out;
  }

  /** @return the usual text form of 16 on-disk GUID bytes */
  static String string(byte[] b) {
    byte[] be = b.clone();
    be[0] = b[3];
    be[1] = b[2];
    be[2] = b[1];
    be[3] = b[0];
    be[4] = b[5];
    be[5] = b[4];
    be[6] = b[7];
    be[7] = b[6];
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
}
