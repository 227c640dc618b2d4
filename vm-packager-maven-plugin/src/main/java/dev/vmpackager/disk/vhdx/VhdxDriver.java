package dev.vmpackager.disk.vhdx;

import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageReader;
import dev.vmpackager.disk.DiskOpenOptions;
import dev.vmpackager.disk.FormatDriver;
import dev.vmpackager.disk.ImageSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Microsoft VHDX (MS-VHDX 1.0), fixed and dynamic. Recognised by the file identifier
 * {@code vhdxfile} at offset 0. A pending metadata log is replayed in memory: the source is never
 * written.
 */
public final class VhdxDriver implements FormatDriver {

  static final byte[] FILE_ID = "vhdxfile".getBytes(StandardCharsets.US_ASCII);

  @Override
  public DiskFormat format() {
    return DiskFormat.VHDX;
  }

  @Override
  public boolean matches(ByteBuffer head, ImageSource source) {
    if (head.limit() < FILE_ID.length) {
      return false;
    }
    for (int i = 0; i < FILE_ID.length; i++) {
      if (head.get(i) != FILE_ID[i]) {
        return false;
      }
    }
    return true;
  }

  @Override
  public DiskImageReader open(ImageSource source, DiskOpenOptions options) throws IOException {
    return VhdxReader.open(source, options);
  }
}
