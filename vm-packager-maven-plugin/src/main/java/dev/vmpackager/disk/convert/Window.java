package dev.vmpackager.disk.convert;

import java.util.Arrays;

/**
 * One guest window with data: its place among the windows, where it lies, and the ranges in it the
 * source has data for (the rest of it is zeros and is never read).
 */
final class Window {

  /** The window's place among the windows with data: the order turns are taken in. */
  final long seq;
  /** The guest offset of its first byte. */
  final long start;
  /** Its length: the window size, less for the last window of the disk. */
  final int len;
  /** Data ranges relative to start, ascending: pairs of (from, to). */
  private int[] ranges = new int[16];
  private int nRanges;

  Window(long seq, long start, int len) {
    this.seq = seq;
    this.start = start;
    this.len = len;
  }

  /** Adds the data range [from, to), which starts at or after the previous one's end. */
  void add(int from, int to) {
    if (nRanges > 0 && ranges[2 * nRanges - 1] == from) {
      ranges[2 * nRanges - 1] = to;
      return;
    }
    if (2 * nRanges + 2 > ranges.length) {
      ranges = Arrays.copyOf(ranges, ranges.length * 2);
    }
    ranges[2 * nRanges] = from;
    ranges[2 * nRanges + 1] = to;
    nRanges++;
  }

  int ranges() {
    return nRanges;
  }

  int rangeFrom(int r) {
    return ranges[2 * r];
  }

  int rangeTo(int r) {
    return ranges[2 * r + 1];
  }

  /** @return whether a data range overlaps [from, to) */
  boolean covers(int from, int to) {
    for (int r = 0; r < nRanges; r++) {
      if (ranges[2 * r] < to && ranges[2 * r + 1] > from) {
        return true;
      }
    }
    return false;
  }

  /** @return the bytes of its data ranges */
  long dataBytes() {
    long n = 0;
    for (int r = 0; r < nRanges; r++) {
      n += ranges[2 * r + 1] - ranges[2 * r];
    }
    return n;
  }
}
