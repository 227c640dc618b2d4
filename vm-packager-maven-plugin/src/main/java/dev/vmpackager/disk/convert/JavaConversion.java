package dev.vmpackager.disk.convert;

import dev.vmpackager.disk.DiskExtent;
import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageReader;
import dev.vmpackager.disk.DiskImageWriter;
import dev.vmpackager.disk.qcow2.Qcow2Writer;
import dev.vmpackager.disk.raw.RawWriter;
import dev.vmpackager.event.ProgressReporter;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The pure-Java conversion: creates the output's {@link DiskImageWriter} and runs a
 * {@link ConversionPipeline} into it over fixed guest windows of 4 MiB.
 */
final class JavaConversion {

  /** The guest window one task covers when it is read. A multiple of every block size used. */
  static final int WINDOW = 4 << 20;

  private final DiskImageReader reader;
  private final long size;
  private final boolean qcow2;
  private final boolean compress;
  private final int threads;
  private final ProgressReporter progress;

  JavaConversion(DiskImageReader reader, DiskFormat outputFormat, boolean compress, int threads,
      ProgressReporter progress) {
    this.reader = reader;
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
    int block = writer.blockSize();
    new ConversionPipeline(reader, writer, WINDOW, compress, threads,
        () -> new SourceWindow(reader, WINDOW, block), progress).run();
    return writer.finish();
  }

  private DiskImageWriter createWriter(Path out) throws IOException {
    if (!qcow2) {
      return new RawWriter(out, size);
    }
    long[] bounds = dataBounds();
    return Qcow2Writer.create(out, size, bounds[0], bounds[1]);
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
