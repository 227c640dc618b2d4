package dev.vmpackager.disk.convert;

import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageWriter;
import dev.vmpackager.disk.DiskImages;
import dev.vmpackager.disk.DiskOpenOptions;
import dev.vmpackager.disk.OpenedDisk;
import dev.vmpackager.event.BuildListener;
import dev.vmpackager.event.ProgressReporter;
import dev.vmpackager.io.DiskFullException;
import dev.vmpackager.io.TempPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Locale;

/**
 * Converts a disk image to qcow2 or raw.
 *
 * <p>The source is opened read-only. The output is written to a temporary file beside it and
 * renamed over it only on success; on any failure nothing is left behind (neither the temporary
 * file nor a previous output, which would no longer match the request). A conversion whose source
 * and settings are unchanged since the last successful one is skipped.
 */
public final class DiskConverter {

  /** Most worker threads the java engine uses. */
  static final int MAX_THREADS = 16;

  /**
   * @param req what to do
   * @return what was done
   * @throws IOException naming the file and the problem ({@link dev.vmpackager.disk.DiskImageException}
   *     for bad or unsupported images)
   */
  public ConversionResult convert(ConversionRequest req) throws IOException {
    long t0 = System.nanoTime();
    BuildListener log = req.listener();
    Path out = req.output();
    if (out.equals(req.source())) {
      throw new IOException(out + ": the output would overwrite the source");
    }
    if (!Files.isRegularFile(req.source())) {
      throw new IOException(req.source() + ": the source disk image does not exist");
    }
    ConversionState state = ConversionState.of(req);
    Path stateFile = ConversionState.file(req);
    if (state.upToDate(req)) {
      log.info("Disk " + out.getFileName() + " is up to date with " + req.source().getFileName() + "; not converting");
      return new ConversionResult(out, req.sourceFormat(), -1, Files.size(out), Duration.ofNanos(System.nanoTime() - t0),
          true);
    }
    Files.createDirectories(out.getParent());
    Files.deleteIfExists(stateFile);
    Files.deleteIfExists(out);
    Path tmp = TempPaths.createFile(out);
    try {
      DiskFormat fmt;
      long virtualSize;
      long outSize;
      if (req.engine() == ConversionRequest.Engine.QEMU_IMG) {
        // Before opening: an OVA's reader may inflate a gzip disk entry only for qemu-img to refuse it.
        QemuImgConversion.checkReadable(req.source(),
            req.sourceFormat() != null ? req.sourceFormat() : DiskImages.detect(req.source()));
      }
      try (OpenedDisk disk = DiskImages.open(req.source(), req.sourceFormat(),
          new DiskOpenOptions(req.allowExternalReferences(), out.getParent(), req.listener(), req.ovaEntry()))) {
        fmt = disk.format();
        virtualSize = disk.reader().virtualSize();
        if (req.engine() == ConversionRequest.Engine.JAVA) {
          ProgressReporter progress = ProgressReporter.start(log, "Converting " + req.source().getFileName(), virtualSize);
          outSize = new JavaConversion(disk.reader(), req.outputFormat(), req.compress(), threads(req),
              progress).run(tmp);
          progress.finish();
        } else {
          outSize = -1;
        }
      }
      if (req.engine() == ConversionRequest.Engine.QEMU_IMG) {
        // Our reader opened it first: detection, the name check and the external-file policy apply.
        QemuImgConversion.run(req.source(), fmt, tmp, req.outputFormat(), req.compress());
        outSize = Files.size(tmp);
      }
      Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      state.withOutput(out).save(stateFile);
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      return new ConversionResult(out, fmt, virtualSize, outSize, took, false);
    } catch (IOException e) {
      cleanUp(tmp, out, stateFile);
      // A full disk names the output the user asked for, not our temp file, and says it is full.
      throw DiskFullException.named(e, out);
    } catch (RuntimeException | Error e) {
      cleanUp(tmp, out, stateFile);
      throw e;
    }
  }

  /** Makes the writer a disk's guest bytes go to, once the disk's virtual size is known. */
  @FunctionalInterface
  public interface WriterFactory {
    /**
     * @param virtualSize the disk's virtual size in bytes
     * @return a new writer for a disk of that size
     * @throws IOException when its output cannot be opened
     */
    DiskImageWriter create(long virtualSize) throws IOException;
  }

  /**
   * Converts a disk image with the java engine into a writer of the caller's, for outputs that are
   * no disk file of their own: a raw disk compressed as it is streamed (KubeVirt's VM artifact). The
   * source is detected from content and opened read-only; nothing is written beside it. The writer
   * is {@link DiskImageWriter#finish() finished} and closed here.
   *
   * @param source the disk image, e.g. a converted qcow2 or raw disk
   * @param options how to open it (backing files, scratch folder, listener)
   * @param threads worker threads (0: one per core)
   * @param task what progress lines say, e.g. {@code Compressing app.qcow2}
   * @param writers makes the writer once the virtual size is known
   * @return the disk's virtual size in bytes
   * @throws IOException naming the file and the problem ({@link dev.vmpackager.disk.DiskImageException}
   *     for bad or unsupported images)
   */
  public long convert(Path source, DiskOpenOptions options, int threads, String task, WriterFactory writers)
      throws IOException {
    if (!Files.isRegularFile(source)) {
      throw new IOException(source + ": the disk image does not exist");
    }
    try (OpenedDisk disk = DiskImages.open(source, null, options)) {
      long virtualSize = disk.reader().virtualSize();
      ProgressReporter progress = ProgressReporter.start(options.listener(), task, virtualSize);
      int n = Math.max(1, Math.min(MAX_THREADS, threads > 0 ? threads : Runtime.getRuntime().availableProcessors()));
      try (DiskImageWriter writer = writers.create(virtualSize)) {
        new JavaConversion(disk.reader(), DiskFormat.RAW, false, n, progress).run(writer);
      }
      progress.finish();
      return virtualSize;
    }
  }

  private static void cleanUp(Path tmp, Path out, Path stateFile) throws IOException {
    Files.deleteIfExists(tmp);
    Files.deleteIfExists(out);
    Files.deleteIfExists(stateFile);
  }

  private static int threads(ConversionRequest req) {
    int n = req.threads() > 0 ? req.threads() : Runtime.getRuntime().availableProcessors();
    return Math.max(1, Math.min(MAX_THREADS, n));
  }

  /**
   * @param req the request that was converted
   * @param r its result
   * @return a one-line summary: source format, virtual size, output size, time
   */
  public static String summary(ConversionRequest req, ConversionResult r) {
    return String.format(Locale.ROOT, "Converted %s (%s, %s virtual) to %s (%s, %s) in %.1f s",
        req.source().getFileName(), r.sourceFormat() == null ? "?" : r.sourceFormat().id(), human(r.virtualSize()),
        r.output().getFileName(), req.outputFormat().id() + (req.compress() ? ", compressed" : ""),
        human(r.outputSize()), r.elapsed().toNanos() / 1e9);
  }

  static String human(long bytes) {
    if (bytes < 0) {
      return "?";
    }
    if (bytes < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
    if (bytes < 1024L * 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
    return String.format(Locale.ROOT, "%.2f GiB", bytes / 1073741824.0);
  }
}
