package dev.vmpackager.disk.raw;

import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageReader;
import dev.vmpackager.disk.DiskOpenOptions;
import dev.vmpackager.disk.FormatDriver;
import dev.vmpackager.disk.ImageSource;
import java.nio.ByteBuffer;

/**
 * Raw disks: the file is the disk. It has no signature, so detection never picks it from the
 * driver list; it is what content that matches no other format is.
 */
public final class RawDriver implements FormatDriver {

  @Override
  public DiskFormat format() {
    return DiskFormat.RAW;
  }

  /** @return always true: any bytes are a raw disk */
  @Override
  public boolean matches(ByteBuffer head, ImageSource source) {
    return true;
  }

  @Override
  public DiskImageReader open(ImageSource source, DiskOpenOptions options) {
    return new RawReader(source);
  }
}
