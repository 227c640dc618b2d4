package dev.vmpackager.disk.raw;

import dev.vmpackager.disk.DiskExtent;
import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageReader;
import dev.vmpackager.disk.ImageSource;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads a raw disk. Pure Java cannot ask the file system where the holes are (SEEK_DATA), so the
 * whole disk is one data extent and the converter finds zeros by scanning.
 */
public final class RawReader implements DiskImageReader {

  private final ImageSource source;

  /** @param source the raw bytes; not closed by this reader */
  public RawReader(ImageSource source) {
    this.source = source;
  }

  @Override
  public DiskFormat format() {
    return DiskFormat.RAW;
  }

  @Override
  public long virtualSize() {
    return source.size();
  }

  @Override
  public DiskExtent extentAt(long offset) {
    if (offset < 0 || offset >= source.size()) {
      throw new IllegalArgumentException(source.name() + ": offset " + offset + " outside the disk");
    }
    return new DiskExtent(offset, source.size() - offset, false);
  }

  @Override
  public void read(ByteBuffer dst, long offset) throws IOException {
    source.readFully(dst, offset);
  }

  @Override
  public void close() {
    // The source belongs to whoever opened it.
  }
}
