package dev.vmpackager.publish;

import dev.vmpackager.event.BuildListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Collects what the core reports, for assertions. */
final class RecordingListener implements BuildListener {

  final List<String> lines = new CopyOnWriteArrayList<>();

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

  String all() {
    return String.join("\n", lines);
  }
}
