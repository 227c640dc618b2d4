package dev.vmpackager.disk.qcow2;

import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageReader;
import dev.vmpackager.disk.DiskOpenOptions;
import dev.vmpackager.disk.FormatDriver;
import dev.vmpackager.disk.ImageSource;
import java.io.IOException;
import java.nio.ByteBuffer;

/** qcow2 (versions 2 and 3): recognised by the {@code QFI\xfb} magic at offset 0. */
public final class Qcow2Driver implements FormatDriver {

  /** The magic at offset 0, big-endian. */
  static final int MAGIC = 0x514649FB;

  @Override
  public DiskFormat format() {
    return DiskFormat.QCOW2;
  }

  @Override
  public boolean matches(ByteBuffer head, ImageSource source) {
    return head.remaining() >= 4 && head.getInt(head.position()) == MAGIC;
  }

  @Override
  public DiskImageReader open(ImageSource source, DiskOpenOptions options) throws IOException {
    return Qcow2Reader.open(source, options);
  }
}
