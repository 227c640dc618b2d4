package dev.vmpackager.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** An {@link ImageSource} over a file, opened read-only: the source disk is never opened for writing. */
public final class FileImageSource implements ImageSource {

  private final FileChannel channel;
  private final String name;
  private final Path directory;
  private final long base;
  private final long size;
  private final boolean owner;

  private FileImageSource(FileChannel channel, String name, Path directory, long base, long size, boolean owner) {
    this.channel = channel;
    this.name = name;
    this.directory = directory;
    this.base = base;
    this.size = size;
    this.owner = owner;
  }

  /**
   * @param file the image file
   * @return a source over the whole file, opened for reading only
   */
  public static FileImageSource open(Path file) throws IOException {
    Path abs = file.toAbsolutePath().normalize();
    FileChannel ch = FileChannel.open(abs, StandardOpenOption.READ);
    return new FileImageSource(ch, abs.getFileName().toString(), abs.getParent(), 0, ch.size(), true);
  }

  /**
   * @param file the image file
   * @param name what to call it in messages (e.g. the archive entry it was inflated from)
   * @return a source over the whole file, opened for reading only
   */
  public static FileImageSource open(Path file, String name) throws IOException {
    FileImageSource s = open(file);
    return new FileImageSource(s.channel, name, s.directory, 0, s.size, true);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public Path directory() {
    return directory;
  }

  @Override
  public void readFully(ByteBuffer dst, long position) throws IOException {
    int want = dst.remaining();
    ImageSource.checkRead(name, size, position, want);
    long pos = base + position;
    while (dst.hasRemaining()) {
      int n = channel.read(dst, pos);
      if (n < 0) {
        throw new CorruptImageException(name + ": unexpected end of file at offset " + (pos - base));
      }
      pos += n;
    }
  }

  @Override
  public ImageSource slice(long offset, long length) throws IOException {
    ImageSource.checkWindow(name, size, offset, length);
    return new FileImageSource(channel, name, directory, base + offset, length, false);
  }

  /**
   * @param childName the name of what the window holds
   * @return as {@link #slice(long, long)} but named {@code this!childName} in messages
   */
  public ImageSource slice(long offset, long length, String childName) throws IOException {
    FileImageSource s = (FileImageSource) slice(offset, length);
    return new FileImageSource(s.channel, name + "!" + childName, directory, s.base, s.size, false);
  }

  @Override
  public void close() throws IOException {
    if (owner) {
      channel.close();
    }
  }
}
