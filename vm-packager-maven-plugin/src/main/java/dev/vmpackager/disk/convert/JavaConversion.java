package dev.vmpackager.disk.convert;

import dev.vmpackager.disk.DiskExtent;
import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageReader;
import dev.vmpackager.disk.DiskImageWriter;
import dev.vmpackager.disk.qcow2.Qcow2Writer;
import dev.vmpackager.disk.raw.RawWriter;
import dev.vmpackager.event.ProgressReporter;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The pure-Java conversion: creates the output's {@link DiskImageWriter} and runs a
 * {@link ConversionPipeline} into it over fixed guest windows (4 MiB read, 16 MiB when the source's
 * data can be mapped from the image file).
 */
final class JavaConversion {

  /** The guest window one task covers when it is read. A multiple of every block size used. */
  static final int WINDOW = 4 << 20;

  /**
   * The window when the source's data can be mapped: larger, since the data is not copied into a
   * buffer, and fewer tasks, mappings and writes cost less (measured: 4 MiB to 16 MiB saved about
   * a tenth of the CPU time; 32 and 64 MiB no more).
   */
  static final int MAPPED_WINDOW = 16 << 20;

  private final DiskImageReader reader;
  private final long size;
  private final boolean qcow2;
  private final boolean compress;
  private final int threads;
  private final ProgressReporter progress;
  private final Path imageFile;
  private ConversionPipeline pipeline;

  JavaConversion(DiskImageReader reader, DiskFormat outputFormat, boolean compress, int threads,
      ProgressReporter progress) {
    this(reader, null, outputFormat, compress, threads, progress);
  }

  /**
   * @param imageFile the file holding the bytes {@code reader} was opened on, whole (not a part of an
   *     archive), or null: data the reader reports {@link DiskImageReader#stored stored verbatim}
   *     there is then memory-mapped, zero-scanned and written from the page cache rather than
   *     copied into a buffer first (not for compressed output, which needs a copy anyway)
   */
  JavaConversion(DiskImageReader reader, Path imageFile, DiskFormat outputFormat, boolean compress, int threads,
      ProgressReporter progress) {
    this.reader = reader;
    this.imageFile = compress && outputFormat == DiskFormat.QCOW2 ? null : imageFile;
    this.size = reader.virtualSize();
    this.qcow2 = outputFormat == DiskFormat.QCOW2;
    this.compress = compress && qcow2;
    this.threads = threads;
    this.progress = progress;
  }

  /**
   * Converts the whole disk into {@code out}.
   *
   * @return the output file's length
   */
  long run(Path out) throws IOException {
    try (DiskImageWriter writer = createWriter(out)) {
      return run(writer);
    }
  }

  /**
   * Converts the whole disk into a writer made for its virtual size, which this leaves open.
   *
   * @return what the writer's {@link DiskImageWriter#finish()} returned
   */
  long run(DiskImageWriter writer) throws IOException {
    FileChannel image = imageFile == null ? null : FileChannel.open(imageFile, StandardOpenOption.READ);
    try {
      int window = image != null && firstDataStored() ? MAPPED_WINDOW : WINDOW;
      int block = writer.blockSize();
      pipeline = new ConversionPipeline(reader, writer, window, compress, threads,
          () -> new SourceWindow(reader, image, imageFile, window, block), progress);
      pipeline.run();
      return writer.finish();
    } finally {
      if (image != null) {
        image.close();
      }
    }
  }

  private DiskImageWriter createWriter(Path out) throws IOException {
    if (!qcow2) {
      return new RawWriter(out, size);
    }
    long[] bounds = dataBounds();
    return Qcow2Writer.create(out, size, bounds[0], bounds[1]);
  }

  /** @return whether the source keeps its first data verbatim in the image file (so it is mapped, not read) */
  private boolean firstDataStored() throws IOException {
    for (long pos = 0; pos < size; ) {
      DiskExtent e = reader.extentAt(pos);
      if (!e.zero()) {
        return reader.stored(pos, 1) != null;
      }
      pos = e.end();
    }
    return false;
  }

  /** @return how many windows were scanned and written from a mapping of the image file (for tests) */
  long mappedWindows() {
    return pipeline == null ? 0 : pipeline.mappedWindows();
  }

  /** Upper bounds of allocated 64 KiB clusters and of 512 MiB L2 ranges, from the source's map. */
  private long[] dataBounds() throws IOException {
    long cs = Qcow2Writer.CLUSTER_SIZE;
    long l2span = cs * (cs / 8);
    long clusters = 0;
    long slots = 0;
    long lastCluster = -1;
    long lastSlot = -1;
    for (long pos = 0; pos < size; ) {
      DiskExtent e = reader.extentAt(pos);
      if (!e.zero()) {
        long first = Math.max(e.offset() / cs, lastCluster + 1);
        long last = (e.end() - 1) / cs;
        if (last >= first) {
          clusters += last - first + 1;
          lastCluster = last;
        }
        long fs = Math.max(e.offset() / l2span, lastSlot + 1);
        long ls = (e.end() - 1) / l2span;
        if (ls >= fs) {
          slots += ls - fs + 1;
          lastSlot = ls;
        }
      }
      pos = e.end();
    }
    return new long[] {clusters, slots};
  }
}
