package dev.vmpackager.disk;

import java.io.Closeable;
import java.io.IOException;

/**
 * An opened disk image: the read-only source bytes and the reader over the guest disk, closed
 * together. Made by {@link DiskImages#open}.
 */
public final class OpenedDisk implements Closeable {

  private final ImageSource source;
  private final DiskImageReader reader;

  OpenedDisk(ImageSource source, DiskImageReader reader) {
    this.source = source;
    this.reader = reader;
  }

  /** @return the image file's bytes */
  public ImageSource source() {
    return source;
  }

  /** @return the guest disk */
  public DiskImageReader reader() {
    return reader;
  }

  /** @return the format the image was opened as */
  public DiskFormat format() {
    return reader.format();
  }

  /** Closes the reader (and anything it opened, such as a backing file), then the source. */
  @Override
  public void close() throws IOException {
    try {
      reader.close();
    } finally {
      source.close();
    }
  }
}
