package dev.vmpackager.event;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reports the progress of long work (percent and MiB/s) through a {@link BuildListener}, at most
 * once every {@code interval} nanoseconds and only for work large enough to be worth it, so the
 * Maven log shows a few lines, not a flood. Thread-safe: workers call {@link #advance} freely.
 */
public final class ProgressReporter {

  /** Work below this many bytes is not reported at all. */
  public static final long DEFAULT_THRESHOLD = 256L << 20;

  private static final long INTERVAL_NANOS = 5_000_000_000L;

  private final BuildListener listener;
  private final String task;
  private final long total;
  private final boolean enabled;
  private final long startNanos;
  private final AtomicLong done = new AtomicLong();
  private final AtomicLong lastReportNanos;

  private ProgressReporter(BuildListener listener, String task, long total, long threshold) {
    this.listener = listener;
    this.task = task;
    this.total = total;
    this.enabled = total >= threshold;
    this.startNanos = System.nanoTime();
    this.lastReportNanos = new AtomicLong(startNanos);
  }

  /**
   * @param listener where lines go
   * @param task what is being done, e.g. "Converting disk.vmdk"
   * @param totalBytes how many bytes the work covers
   * @return a reporter that stays silent for work under {@link #DEFAULT_THRESHOLD}
   */
  public static ProgressReporter start(BuildListener listener, String task, long totalBytes) {
    return new ProgressReporter(listener, task, totalBytes, DEFAULT_THRESHOLD);
  }

  /** As {@link #start(BuildListener, String, long)} with an explicit size threshold. */
  public static ProgressReporter start(BuildListener listener, String task, long totalBytes, long threshold) {
    return new ProgressReporter(listener, task, totalBytes, threshold);
  }

  /** @param bytes how many more bytes of the total are done */
  public void advance(long bytes) {
    long now = done.addAndGet(bytes);
    if (!enabled) {
      return;
    }
    long t = System.nanoTime();
    long last = lastReportNanos.get();
    if (t - last >= INTERVAL_NANOS && lastReportNanos.compareAndSet(last, t)) {
      listener.info(line(now, t));
    }
  }

  /** Reports the final line (when enabled). */
  public void finish() {
    if (enabled) {
      listener.info(line(done.get(), System.nanoTime()) + " done");
    }
  }

  private String line(long bytes, long nowNanos) {
    double seconds = Math.max(1e-9, (nowNanos - startNanos) / 1e9);
    double percent = total == 0 ? 100 : Math.min(100.0, 100.0 * bytes / total);
    return String.format(Locale.ROOT, "%s: %.0f%% of %d MiB, %.1f MiB/s", task, percent, total >> 20,
        (bytes / 1048576.0) / seconds);
  }
}
