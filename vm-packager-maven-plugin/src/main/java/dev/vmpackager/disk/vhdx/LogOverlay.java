package dev.vmpackager.disk.vhdx;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Byte ranges of the file replaced by a replayed log: non-overlapping segments holding data (4 KiB
 * sectors from data descriptors) or zeros (zero descriptors). Later writes replace earlier ones.
 * Built once at open, then only read, so it is safe to share between threads.
 */
final class LogOverlay {

  /** One replaced range; {@code data == null} means zeros. */
  private record Segment(long start, long length, byte[] data, int dataOffset) {
    long end() {
      return start + length;
    }

    Segment cut(long from, long to) {
      return new Segment(from, to - from, data, data == null ? 0 : dataOffset + (int) (from - start));
    }
  }

  private final NavigableMap<Long, Segment> segments = new TreeMap<>();

  /** Records that [start, start+length) now holds {@code data} (from its offset 0), or zeros if null. */
  void put(long start, long length, byte[] data) {
    long end = start + length;
    List<Segment> keep = new ArrayList<>();
    Map.Entry<Long, Segment> before = segments.lowerEntry(start);
    if (before != null && before.getValue().end() > start) {
      Segment s = before.getValue();
      segments.remove(s.start());
      keep.add(s.cut(s.start(), start));
      if (s.end() > end) {
        keep.add(s.cut(end, s.end()));
      }
    }
    NavigableMap<Long, Segment> inside = segments.subMap(start, true, end, false);
    for (Segment s : new ArrayList<>(inside.values())) {
      segments.remove(s.start());
      if (s.end() > end) {
        keep.add(s.cut(end, s.end()));
      }
    }
    for (Segment s : keep) {
      segments.put(s.start(), s);
    }
    segments.put(start, new Segment(start, length, data, 0));
  }

  boolean isEmpty() {
    return segments.isEmpty();
  }

  /** @return the end of the last replaced range, 0 if none */
  long end() {
    return segments.isEmpty() ? 0 : segments.lastEntry().getValue().end();
  }

  /** Lays the replaced ranges over {@code buf[at, at+length)}, which holds file bytes from {@code pos}. */
  void apply(ByteBuffer buf, int at, int length, long pos) {
    long end = pos + length;
    Map.Entry<Long, Segment> first = segments.lowerEntry(pos);
    Long from = first != null && first.getValue().end() > pos ? first.getKey() : Long.valueOf(pos);
    for (Segment s : segments.subMap(from, true, end, false).values()) {
      long a = Math.max(pos, s.start());
      long b = Math.min(end, s.end());
      if (a >= b) {
        continue;
      }
      int off = at + (int) (a - pos);
      int n = (int) (b - a);
      if (s.data() == null) {
        for (int i = 0; i < n; i++) {
          buf.put(off + i, (byte) 0);
        }
      } else {
        buf.put(off, s.data(), s.dataOffset() + (int) (a - s.start()), n);
      }
    }
  }
}
