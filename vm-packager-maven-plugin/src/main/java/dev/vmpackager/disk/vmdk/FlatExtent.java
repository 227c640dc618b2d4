package dev.vmpackager.disk.vmdk;

import dev.vmpackager.disk.CorruptImageException;
import dev.vmpackager.disk.DiskExtent;
import dev.vmpackager.disk.ImageSource;
import java.io.IOException;
import java.nio.ByteBuffer;

/** A FLAT or VMFS extent: guest bytes stored as they are, from a start offset in a file. */
final class FlatExtent implements Extent {

  private final ImageSource file;
  private final long start;
  private final long length;

  private FlatExtent(ImageSource file, long start, long length) {
    this.file = file;
    this.start = start;
    this.length = length;
  }

  /**
   * @param file the extent file
   * @param start byte offset of the extent's data in the file
   * @param length guest bytes
   * @param descriptor the descriptor's name, for messages
   */
  static FlatExtent open(ImageSource file, long start, long length, String descriptor) throws IOException {
    if (start > file.size() || length > file.size() - start) {
      throw new CorruptImageException(String.format(
          "%s: flat extent %s is too short: the descriptor wants %d bytes from offset %d but the file has %d",
          descriptor, file.name(), length, start, file.size()));
    }
    return new FlatExtent(file, start, length);
  }

  @Override
  public long length() {
    return length;
  }

  @Override
  public DiskExtent extentAt(long offset) {
    return new DiskExtent(offset, length - offset, false);
  }

  @Override
  public void read(ByteBuffer dst, long offset) throws IOException {
    file.readFully(dst, start + offset);
  }
}
