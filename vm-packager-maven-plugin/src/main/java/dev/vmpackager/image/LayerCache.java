package dev.vmpackager.image;

import com.google.cloud.tools.jib.api.CacheDirectoryCreationException;
import com.google.cloud.tools.jib.api.DescriptorDigest;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FileEntry;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.cache.Cache;
import com.google.cloud.tools.jib.cache.CacheCorruptedException;
import com.google.cloud.tools.jib.cache.CachedLayer;
import com.google.common.collect.ImmutableList;
import dev.vmpackager.event.BuildListener;
import dev.vmpackager.event.ProgressReporter;
import dev.vmpackager.io.DiskFullException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Supplies Jib with the containerDisk layer, compressed by us on every core, by pre-populating
 * Jib's application-layer cache (which we keep under {@code target/}).
 *
 * <p>How Jib core 0.28.1 finds an application layer: {@code BuildAndCacheApplicationLayerStep} asks
 * {@link Cache#retrieve(ImmutableList)} with the layer's {@link FileEntry} list. The cache hashes the
 * entries (source path, source mtime, extraction path, permissions, ownership, entry time) into a
 * <em>selector</em>, reads {@code selectors/<selector>} (the layer digest's hex) and serves
 * {@code layers/<digest>/<diffId>} (the compressed blob) as the layer. On a hit Jib neither reads
 * the disk nor compresses anything, and it pushes or writes exactly our blob.
 *
 * <p>We write those two files ourselves. The selector is computed by Jib's own (package-private)
 * {@code LayerEntriesSelector.generateSelector}, and after writing we ask Jib's public
 * {@link Cache#retrieve(ImmutableList)} whether it now finds our blob: if a future Jib changes its
 * cache, the build stops with a clear message instead of silently recompressing on one thread.
 */
final class LayerCache {

  /** The layer as it sits in the cache. */
  record Layer(String digest, String diffId, long size, boolean reused) {}

  private static final AbsoluteUnixPath DISK_DIRECTORY = AbsoluteUnixPath.get("/disk");
  private static final String FINGERPRINT = "vm-packager-source";
  private static final String OWNERSHIP = DiskLayerTar.QEMU_ID + ":" + DiskLayerTar.QEMU_ID;

  private LayerCache() {}

  /** @return Jib's base-image cache folder (unused by a scratch image, but kept out of ~/.cache) */
  static Path baseCache(ContainerDiskSpec spec) {
    return spec.cacheDirectory().resolve("base");
  }

  /** @return the application-layer cache: one per compression setting, since the selector ignores it */
  static Path applicationCache(ContainerDiskSpec spec) {
    String key = spec.compression() == LayerCompression.NONE ? "stored" : "gzip-" + spec.compressionLevel();
    return spec.cacheDirectory().resolve("application-" + key);
  }

  /** An empty folder that stands as the source of the {@code /disk} entry; nothing ever writes in it. */
  private static Path directorySource(ContainerDiskSpec spec) throws IOException {
    return Files.createDirectories(spec.cacheDirectory().resolve("disk-directory"));
  }

  /**
   * @return the layer as Jib sees it: the {@code /disk} directory entry with its own mode and
   *     owner (so no implicit 0755 root-owned parent) and the disk file
   */
  static FileEntriesLayer jibLayer(ContainerDiskSpec spec) throws IOException {
    return FileEntriesLayer.builder().setName("containerdisk").setEntries(entries(spec)).build();
  }

  private static ImmutableList<FileEntry> entries(ContainerDiskSpec spec) throws IOException {
    return ImmutableList.of(
        new FileEntry(directorySource(spec), DISK_DIRECTORY,
            FilePermissions.fromOctalString(Integer.toOctalString(DiskLayerTar.DIRECTORY_MODE)),
            spec.creationTime(), OWNERSHIP),
        new FileEntry(spec.disk(), DISK_DIRECTORY.resolve(spec.diskFileName()),
            FilePermissions.fromOctalString(Integer.toOctalString(DiskLayerTar.FILE_MODE)),
            spec.creationTime(), OWNERSHIP));
  }

  /**
   * Makes sure Jib's application cache holds the compressed layer of {@code spec}'s disk: reuses
   * it when the disk (path and mtime) and the entries have not changed, else writes it.
   *
   * @return the layer's digest, diff id and size
   */
  static Layer ensure(ContainerDiskSpec spec, int threads, BuildListener listener) throws IOException, ImageException {
    if (!Files.isRegularFile(spec.disk())) {
      throw new ImageException("The disk " + spec.disk() + " does not exist: run vm-packager:convert first");
    }
    Path appCache = applicationCache(spec);
    ImmutableList<FileEntry> entries = entries(spec);
    Cache cache = open(appCache);
    Optional<CachedLayer> hit = retrieve(cache, entries);
    String source = sourceFingerprint(spec.disk());
    if (hit.isPresent() && Files.isRegularFile(layerFile(appCache, hit.get()))
        && source.equals(readFingerprint(appCache))) {
      CachedLayer l = hit.get();
      listener.info("Reusing the compressed layer " + l.getDigest() + " of " + spec.disk().getFileName()
          + " (" + (l.getSize() >> 20) + " MiB) from " + appCache);
      return new Layer(l.getDigest().toString(), l.getDiffId().toString(), l.getSize(), true);
    }

    // A fresh cache: old layers of earlier disks would only fill target/.
    deleteRecursively(appCache);
    Layer written;
    try {
      written = write(spec, threads, listener, appCache, entries, source);
    } catch (IOException e) {
      // Nothing half-written stays: no temp layer, no selector or fingerprint without its layer.
      deleteQuietly(appCache, e);
      throw DiskFullException.named(e, appCache);
    } catch (RuntimeException e) {
      deleteQuietly(appCache, e);
      throw e;
    }
    Optional<CachedLayer> check = retrieve(cache, entries);
    if (check.isEmpty() || !check.get().getDigest().toString().equals(written.digest())) {
      throw new ImageException("Jib's application-layer cache in " + appCache + " does not serve the layer written"
          + " for it; this jib-core is not the 0.28.1 whose cache layout vm-packager relies on");
    }
    return written;
  }

  private static void deleteQuietly(Path dir, Exception failure) {
    try {
      deleteRecursively(dir);
    } catch (IOException cleanup) {
      failure.addSuppressed(cleanup);
    }
  }

  /** Compresses the disk into a temp file in the cache and moves it, its selector and fingerprint in place. */
  private static Layer write(ContainerDiskSpec spec, int threads, BuildListener listener, Path appCache,
      ImmutableList<FileEntry> entries, String source) throws IOException, ImageException {
    Files.createDirectories(appCache.resolve("tmp"));
    Path tmp = Files.createTempFile(appCache.resolve("tmp"), "layer-", ".tmp");
    long size = Files.size(spec.disk());
    boolean gzip = spec.compression() == LayerCompression.GZIP;
    String task = (gzip ? "Compressing " : "Writing ") + spec.disk().getFileName() + " into the image layer";
    ProgressReporter progress = ProgressReporter.start(listener, task, size);
    long start = System.nanoTime();
    ParallelGzipOutputStream gz;
    try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
      gz = new ParallelGzipOutputStream(file, gzip ? spec.compressionLevel() : 0, threads);
      try (gz) {
        DiskLayerTar.write(spec.disk(), spec.diskFileName(), spec.creationTime(), gz, progress);
      }
    }
    progress.finish();
    String digest = gz.compressedDigest();
    String diffId = gz.uncompressedDigest();
    long compressed = gz.compressedSize();
    Path layerDir = appCache.resolve("layers").resolve(hex(digest));
    Files.createDirectories(layerDir);
    Files.move(tmp, layerDir.resolve(hex(diffId)), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    writeSelector(appCache, entries, digest);
    Path fingerprint = Files.createTempFile(appCache.resolve("tmp"), "source-", ".tmp");
    Files.writeString(fingerprint, source, StandardCharsets.UTF_8);
    Files.move(fingerprint, appCache.resolve(FINGERPRINT), StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    listener.info(String.format(java.util.Locale.ROOT, "Layer %s: %d MiB -> %d MiB in %.1f s (%s)", digest,
        gz.uncompressedSize() >> 20, compressed >> 20, (System.nanoTime() - start) / 1e9,
        gzip ? "gzip level " + spec.compressionLevel() + ", " + threads + " threads" : "uncompressed"));
    return new Layer(digest, diffId, compressed, false);
  }

  /**
   * Jib's selector knows the disk's path and mtime only. A disk replaced by one with the same mtime
   * (copied with {@code cp -p}, restored by rsync) would be served stale, so the reuse also
   * requires the same size and file identity (inode), recorded when the layer was written.
   */
  private static String sourceFingerprint(Path disk) throws IOException {
    BasicFileAttributes a = Files.readAttributes(disk, BasicFileAttributes.class);
    return a.size() + "|" + a.lastModifiedTime().toInstant() + "|" + a.fileKey();
  }

  private static String readFingerprint(Path appCache) throws IOException {
    Path f = appCache.resolve(FINGERPRINT);
    return Files.isRegularFile(f) ? Files.readString(f, StandardCharsets.UTF_8) : "";
  }

  private static Cache open(Path dir) throws IOException {
    try {
      return Cache.withDirectory(dir);
    } catch (CacheDirectoryCreationException e) {
      throw new IOException("cannot create Jib's cache folder " + dir + ": " + e.getMessage(), e);
    }
  }

  private static Optional<CachedLayer> retrieve(Cache cache, ImmutableList<FileEntry> entries) throws IOException {
    try {
      return cache.retrieve(entries);
    } catch (CacheCorruptedException e) {
      return Optional.empty(); // rewritten below
    }
  }

  private static Path layerFile(Path appCache, CachedLayer layer) {
    return appCache.resolve("layers").resolve(layer.getDigest().getHash()).resolve(layer.getDiffId().getHash());
  }

  private static void writeSelector(Path appCache, ImmutableList<FileEntry> entries, String digest)
      throws IOException, ImageException {
    DescriptorDigest selector = selector(entries);
    Path dir = Files.createDirectories(appCache.resolve("selectors"));
    Path tmp = Files.createTempFile(appCache.resolve("tmp"), "selector-", ".tmp");
    Files.writeString(tmp, hex(digest), StandardCharsets.UTF_8);
    Files.move(tmp, dir.resolve(selector.getHash()), StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  /** Jib's own selector of a layer's entries (package-private in jib-core, hence reflection). */
  private static DescriptorDigest selector(ImmutableList<FileEntry> entries) throws ImageException {
    try {
      Class<?> c = Class.forName("com.google.cloud.tools.jib.cache.LayerEntriesSelector", true,
          Cache.class.getClassLoader());
      Method m = c.getDeclaredMethod("generateSelector", ImmutableList.class);
      m.setAccessible(true);
      return (DescriptorDigest) m.invoke(null, entries);
    } catch (InvocationTargetException e) {
      throw new ImageException("Jib could not compute the layer selector: " + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new ImageException("this jib-core has no LayerEntriesSelector.generateSelector (vm-packager needs"
          + " jib-core 0.28.1): " + e, e);
    }
  }

  private static String hex(String digest) {
    return digest.substring(digest.indexOf(':') + 1);
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        try {
          Files.delete(p);
        } catch (NoSuchFileException gone) {
          // fine
        }
      }
    }
  }
}
