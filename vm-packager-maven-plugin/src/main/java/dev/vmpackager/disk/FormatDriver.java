package dev.vmpackager.disk;

import java.io.IOException;
import java.nio.ByteBuffer;

/** One disk format: recognise it from content, open a reader on it. One driver per format package. */
public interface FormatDriver {

  /** How many bytes of the file's head {@link #matches} is given (fewer if the file is shorter). */
  int HEAD_BYTES = 4096;

  /** @return the format this driver reads */
  DiskFormat format();

  /**
   * Recognises the format from content alone, never from the file name.
   *
   * @param head the first {@link #HEAD_BYTES} bytes of the source (fewer if it is shorter), position 0
   * @param source the whole source, for formats identified by a footer (fixed VHD)
   * @return true when the content is this format
   */
  boolean matches(ByteBuffer head, ImageSource source) throws IOException;

  /**
   * @param source the image; the reader does not close it
   * @param options what the image may reference
   * @return a reader over the guest disk
   * @throws DiskImageException naming the file and the problem when it is corrupt or unsupported
   */
  DiskImageReader open(ImageSource source, DiskOpenOptions options) throws IOException;
}
