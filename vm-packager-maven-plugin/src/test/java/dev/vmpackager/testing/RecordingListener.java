package dev.vmpackager.testing;

import dev.vmpackager.event.BuildListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Collects what the core reports, for assertions. */
public final class RecordingListener implements BuildListener {

  /** Each message, prefixed with its level: {@code INFO }, {@code WARN } or {@code DEBUG }. */
  public final List<String> lines = new CopyOnWriteArrayList<>();

  @Override
  public void info(String message) {
    lines.add("INFO " + message);
  }

  @Override
  public void warn(String message) {
    lines.add("WARN " + message);
  }

  @Override
  public void debug(String message) {
    lines.add("DEBUG " + message);
  }

  /** @return every message, one a line */
  public String all() {
    return String.join("\n", lines);
  }
}
