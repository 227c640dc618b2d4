package dev.vmpackager.fuzz;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.ProviderMismatchException;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;

/**
 * The default file system seen through a provider that records every file a reader opens (channels,
 * streams, folder listings), so a fuzz test can check that nothing outside the folders it allows was
 * opened. A reader handed a {@link #path watched path} reaches other files only through paths derived
 * from it ({@code getParent}, {@code resolve}, {@code toRealPath}, listings), and all of those stay
 * watched; only a path made afresh from a string ({@code Path.of}, {@code new File}) would escape it,
 * which {@code ReaderPathsTest} keeps out of the readers.
 */
final class WatchedFileSystem extends FileSystem {

  private static final FileSystem DEFAULT = FileSystems.getDefault();

  private final Provider provider = new Provider();
  private final ConcurrentLinkedQueue<Path> opened = new ConcurrentLinkedQueue<>();

  /** @return {@code p} (a default file system path) as a watched path */
  Path path(Path p) {
    return new WatchedPath(this, p);
  }

  /** @return the real paths opened since the last call, and forgets them */
  List<Path> drainOpened() {
    List<Path> out = new ArrayList<>();
    for (Path p; (p = opened.poll()) != null; ) {
      out.add(p);
    }
    return out;
  }

  private void record(Path p) {
    opened.add(p.toAbsolutePath().normalize());
  }

  static Path unwrap(Path p) {
    if (p instanceof WatchedPath w) {
      return w.delegate;
    }
    if (p.getFileSystem() == DEFAULT) {
      // A default path reaching the provider means code mixed a fresh path with a watched one.
      throw new ProviderMismatchException("unwatched path " + p + " handed to the watched file system");
    }
    throw new ProviderMismatchException(String.valueOf(p));
  }

  @Override
  public FileSystemProvider provider() {
    return provider;
  }

  @Override
  public void close() {
    throw new UnsupportedOperationException();
  }

  @Override
  public boolean isOpen() {
    return true;
  }

  @Override
  public boolean isReadOnly() {
    return false;
  }

  @Override
  public String getSeparator() {
    return DEFAULT.getSeparator();
  }

  @Override
  public Iterable<Path> getRootDirectories() {
    List<Path> out = new ArrayList<>();
    DEFAULT.getRootDirectories().forEach(r -> out.add(path(r)));
    return out;
  }

  @Override
  public Iterable<FileStore> getFileStores() {
    return DEFAULT.getFileStores();
  }

  @Override
  public Set<String> supportedFileAttributeViews() {
    return DEFAULT.supportedFileAttributeViews();
  }

  @Override
  public Path getPath(String first, String... more) {
    return path(DEFAULT.getPath(first, more));
  }

  @Override
  public PathMatcher getPathMatcher(String syntaxAndPattern) {
    PathMatcher m = DEFAULT.getPathMatcher(syntaxAndPattern);
    return p -> m.matches(unwrap(p));
  }

  @Override
  public UserPrincipalLookupService getUserPrincipalLookupService() {
    return DEFAULT.getUserPrincipalLookupService();
  }

  @Override
  public WatchService newWatchService() {
    throw new UnsupportedOperationException();
  }

  /** A default path, watched. */
  private static final class WatchedPath implements Path {
    final WatchedFileSystem fs;
    final Path delegate;

    WatchedPath(WatchedFileSystem fs, Path delegate) {
      this.fs = fs;
      this.delegate = delegate;
    }

    private Path wrap(Path p) {
      return p == null ? null : new WatchedPath(fs, p);
    }

    @Override
    public FileSystem getFileSystem() {
      return fs;
    }

    @Override
    public boolean isAbsolute() {
      return delegate.isAbsolute();
    }

    @Override
    public Path getRoot() {
      return wrap(delegate.getRoot());
    }

    @Override
    public Path getFileName() {
      return wrap(delegate.getFileName());
    }

    @Override
    public Path getParent() {
      return wrap(delegate.getParent());
    }

    @Override
    public int getNameCount() {
      return delegate.getNameCount();
    }

    @Override
    public Path getName(int index) {
      return wrap(delegate.getName(index));
    }

    @Override
    public Path subpath(int beginIndex, int endIndex) {
      return wrap(delegate.subpath(beginIndex, endIndex));
    }

    @Override
    public boolean startsWith(Path other) {
      return other instanceof WatchedPath w && delegate.startsWith(w.delegate);
    }

    @Override
    public boolean endsWith(Path other) {
      return other instanceof WatchedPath w && delegate.endsWith(w.delegate);
    }

    @Override
    public Path normalize() {
      return wrap(delegate.normalize());
    }

    @Override
    public Path resolve(Path other) {
      return wrap(delegate.resolve(unwrap(other)));
    }

    @Override
    public Path relativize(Path other) {
      return wrap(delegate.relativize(unwrap(other)));
    }

    @Override
    public URI toUri() {
      return delegate.toUri();
    }

    @Override
    public Path toAbsolutePath() {
      return wrap(delegate.toAbsolutePath());
    }

    @Override
    public Path toRealPath(LinkOption... options) throws IOException {
      return wrap(delegate.toRealPath(options));
    }

    @Override
    public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers) {
      throw new UnsupportedOperationException();
    }

    @Override
    public int compareTo(Path other) {
      return delegate.compareTo(unwrap(other));
    }

    @Override
    public Iterator<Path> iterator() {
      List<Path> names = new ArrayList<>();
      delegate.forEach(n -> names.add(wrap(n)));
      return names.iterator();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof WatchedPath w && w.fs == fs && w.delegate.equals(delegate);
    }

    @Override
    public int hashCode() {
      return delegate.hashCode();
    }

    @Override
    public String toString() {
      return delegate.toString();
    }
  }

  /** Delegates to the default provider, recording every open. */
  private final class Provider extends FileSystemProvider {
    private final FileSystemProvider d = DEFAULT.provider();

    @Override
    public String getScheme() {
      return "watched";
    }

    @Override
    public FileSystem newFileSystem(URI uri, Map<String, ?> env) {
      throw new UnsupportedOperationException();
    }

    @Override
    public FileSystem getFileSystem(URI uri) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Path getPath(URI uri) {
      throw new UnsupportedOperationException();
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options,
        FileAttribute<?>... attrs) throws IOException {
      record(unwrap(path));
      return d.newByteChannel(unwrap(path), options, attrs);
    }

    @Override
    public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
        throws IOException {
      record(unwrap(path));
      return d.newFileChannel(unwrap(path), options, attrs);
    }

    @Override
    public java.nio.channels.AsynchronousFileChannel newAsynchronousFileChannel(Path path,
        Set<? extends OpenOption> options, ExecutorService executor, FileAttribute<?>... attrs) throws IOException {
      record(unwrap(path));
      return d.newAsynchronousFileChannel(unwrap(path), options, executor, attrs);
    }

    @Override
    public InputStream newInputStream(Path path, OpenOption... options) throws IOException {
      record(unwrap(path));
      return d.newInputStream(unwrap(path), options);
    }

    @Override
    public OutputStream newOutputStream(Path path, OpenOption... options) throws IOException {
      record(unwrap(path));
      return d.newOutputStream(unwrap(path), options);
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
        throws IOException {
      record(unwrap(dir));
      DirectoryStream<Path> s = d.newDirectoryStream(unwrap(dir), p -> filter.accept(path(p)));
      return new DirectoryStream<>() {
        @Override
        public Iterator<Path> iterator() {
          Iterator<Path> it = s.iterator();
          return new Iterator<>() {
            @Override
            public boolean hasNext() {
              return it.hasNext();
            }

            @Override
            public Path next() {
              return path(it.next());
            }
          };
        }

        @Override
        public void close() throws IOException {
          s.close();
        }
      };
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
      d.createDirectory(unwrap(dir), attrs);
    }

    @Override
    public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs) throws IOException {
      d.createSymbolicLink(unwrap(link), unwrap(target), attrs);
    }

    @Override
    public Path readSymbolicLink(Path link) throws IOException {
      return path(d.readSymbolicLink(unwrap(link)));
    }

    @Override
    public void delete(Path path) throws IOException {
      d.delete(unwrap(path));
    }

    @Override
    public void copy(Path source, Path target, CopyOption... options) throws IOException {
      record(unwrap(source));
      d.copy(unwrap(source), unwrap(target), options);
    }

    @Override
    public void move(Path source, Path target, CopyOption... options) throws IOException {
      d.move(unwrap(source), unwrap(target), options);
    }

    @Override
    public boolean isSameFile(Path path, Path path2) throws IOException {
      return d.isSameFile(unwrap(path), unwrap(path2));
    }

    @Override
    public boolean isHidden(Path path) throws IOException {
      return d.isHidden(unwrap(path));
    }

    @Override
    public FileStore getFileStore(Path path) throws IOException {
      return d.getFileStore(unwrap(path));
    }

    @Override
    public void checkAccess(Path path, AccessMode... modes) throws IOException {
      d.checkAccess(unwrap(path), modes);
    }

    @Override
    public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
      return d.getFileAttributeView(unwrap(path), type, options);
    }

    @Override
    public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
        throws IOException {
      return d.readAttributes(unwrap(path), type, options);
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options)
        throws IOException {
      return d.readAttributes(unwrap(path), attributes, options);
    }

    @Override
    public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
      d.setAttribute(unwrap(path), attribute, value, options);
    }
  }
}
