package dev.vmpackager.disk.vdi;

import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageReader;
import dev.vmpackager.disk.DiskOpenOptions;
import dev.vmpackager.disk.FormatDriver;
import dev.vmpackager.disk.ImageSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * VirtualBox VDI images, dynamic and static (fixed), as qemu and VirtualBox write them.
 * Recognised by the signature {@code 0xBEDA107F} (little-endian) at offset 0x40.
 */
public final class VdiDriver implements FormatDriver {

  /** The VDI signature at offset 0x40, little-endian. */
  static final int SIGNATURE = 0xBEDA107F;
  static final int SIGNATURE_OFFSET = 0x40;

  @Override
  public DiskFormat format() {
    return DiskFormat.VDI;
  }

  @Override
  public boolean matches(ByteBuffer head, ImageSource source) {
    ByteBuffer h = head.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    return h.limit() >= SIGNATURE_OFFSET + 4 && h.getInt(SIGNATURE_OFFSET) == SIGNATURE;
  }

  @Override
  public DiskImageReader open(ImageSource source, DiskOpenOptions options) throws IOException {
    return VdiReader.open(source, options);
  }
}
