package dev.vmpackager.fuzz;

import dev.vmpackager.disk.DiskExtent;
import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageReader;
import dev.vmpackager.disk.DiskImages;
import dev.vmpackager.disk.DiskOpenOptions;
import dev.vmpackager.disk.OpenedDisk;
import dev.vmpackager.event.BuildListener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Opens a fuzzed disk through the public API and walks it the way the converter does
 * ({@code JavaConversion}, {@code ConversionPipeline}, {@code SourceWindow}): the allocation map
 * from offset 0 to the virtual size and reads of the data runs.
 *
 * <p>Reads are budgeted, not the map: a few KiB of fuzzed table may legitimately describe gigabytes
 * of data (every entry pointing at the same cluster), which the converter would read in full; the
 * walk reads the first {@link #FULL_READ_BUDGET} bytes of data in full and from then on the first and
 * last sector of each data run, so every run's mapping is still exercised. The map itself is walked
 * to the end: a map whose walk does not end in time is a finding (the per-input time limit).
 */
final class DiskWalk {

  static final long FULL_READ_BUDGET = 8L << 20;
  private static final int PIECE = 64 << 10;

  private DiskWalk() {}

  /** Opens {@code file} (backing files allowed, as far as the reader lets them be) and walks it. */
  static void openAndWalk(FuzzCase fc, Path file, DiskFormat forcedOrNull, String ovaEntry) throws IOException {
    DiskOpenOptions options = new DiskOpenOptions(true, fc.scratch(), BuildListener.NONE, ovaEntry);
    try (OpenedDisk disk = DiskImages.open(file, forcedOrNull, options)) {
      walk(disk);
    }
  }

  static void walk(OpenedDisk disk) throws IOException {
    DiskImageReader r = disk.reader();
    long size = r.virtualSize();
    if (size < 0) {
      throw new AssertionError("negative virtual size " + size);
    }
    ByteBuffer buf = ByteBuffer.allocateDirect(PIECE);
    long budget = FULL_READ_BUDGET;
    for (long pos = 0; pos < size; ) {
      DiskExtent e = r.extentAt(pos);
      // The converter refuses such an extent with a plain IOException: a reader bug either way.
      if (e.offset() != pos || e.end() > size || e.end() <= pos) {
        throw new AssertionError("reader returned extent " + e + " for offset " + pos + " of " + size);
      }
      if (!e.zero()) {
        long at = pos;
        for (; at < e.end() && budget > 0; at += PIECE) {
          int n = (int) Math.min(PIECE, e.end() - at);
          read(r, buf, at, n);
          budget -= n;
        }
        if (at < e.end()) {
          read(r, buf, at, (int) Math.min(512, e.end() - at));
          long tail = Math.max(at, e.end() - 512);
          read(r, buf, tail, (int) (e.end() - tail));
        }
      }
      pos = e.end();
    }
  }

  private static void read(DiskImageReader r, ByteBuffer buf, long at, int n) throws IOException {
    buf.clear().limit(n);
    r.read(buf, at);
    if (buf.hasRemaining()) {
      throw new AssertionError("read at " + at + " left " + buf.remaining() + " of " + n + " bytes unfilled");
    }
  }
}
