package dev.vmpackager.disk;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Random-access, read-only bytes of an image file, or of a window of one (a disk inside an OVA).
 * Positional reads only, so one source serves several threads.
 */
public interface ImageSource extends Closeable {

  /** @return what to call this source in error messages, e.g. {@code disk.vmdk} or {@code app.ova!disk1.vmdk} */
  String name();

  /** @return the size in bytes */
  long size();

  /**
   * @return the folder that relative references (VMDK extents, backing files) resolve against,
   *     which they must never leave
   */
  Path directory();

  /**
   * Reads exactly {@code dst.remaining()} bytes at {@code position}.
   *
   * @throws CorruptImageException when the range runs past the end of the source (a truncated image)
   */
  void readFully(ByteBuffer dst, long position) throws IOException;

  /**
   * @param offset start of the window within this source
   * @param length length of the window
   * @return a view of part of this source; closing it does not close this one
   * @throws CorruptImageException when the window does not lie within this source
   */
  ImageSource slice(long offset, long length) throws IOException;

  /**
   * The bounds check every source makes before a read.
   *
   * @throws CorruptImageException naming the source when {@code want} bytes at {@code position} run past its end
   */
  static void checkRead(String name, long size, long position, int want) throws CorruptImageException {
    if (position < 0 || position > size - want) {
      throw new CorruptImageException(String.format(
          "%s: truncated: needs %d bytes at offset %d but the file has %d", name, want, position, size));
    }
  }

  /**
   * The bounds check every source makes before a slice.
   *
   * @throws CorruptImageException naming the source when the window does not lie within it
   */
  static void checkWindow(String name, long size, long offset, long length) throws CorruptImageException {
    if (offset < 0 || length < 0 || offset > size - length) {
      throw new CorruptImageException(String.format(
          "%s: a window of %d bytes at %d lies outside the file (%d bytes)", name, length, offset, size));
    }
  }
}
