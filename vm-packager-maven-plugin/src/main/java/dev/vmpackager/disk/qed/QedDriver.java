package dev.vmpackager.disk.qed;

import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageReader;
import dev.vmpackager.disk.DiskOpenOptions;
import dev.vmpackager.disk.FormatDriver;
import dev.vmpackager.disk.ImageSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** qemu's QED format (legacy). Recognised by the magic {@code QED\0} at offset 0. */
public final class QedDriver implements FormatDriver {

  /** "QED\0" read as a little-endian u32. */
  static final int MAGIC = 0x00444551;

  @Override
  public DiskFormat format() {
    return DiskFormat.QED;
  }

  @Override
  public boolean matches(ByteBuffer head, ImageSource source) {
    ByteBuffer h = head.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    return h.limit() >= 4 && h.getInt(0) == MAGIC;
  }

  @Override
  public DiskImageReader open(ImageSource source, DiskOpenOptions options) throws IOException {
    return QedReader.open(source, options);
  }
}
