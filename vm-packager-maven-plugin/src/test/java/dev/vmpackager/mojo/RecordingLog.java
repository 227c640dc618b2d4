package dev.vmpackager.mojo;

import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.logging.SystemStreamLog;

/** Maven's console log that also keeps the info and warning lines, for tests to read. */
final class RecordingLog extends SystemStreamLog {

  final List<String> infos = new ArrayList<>();
  final List<String> warnings = new ArrayList<>();

  @Override
  public void info(CharSequence content) {
    infos.add(content.toString());
    super.info(content);
  }

  @Override
  public void warn(CharSequence content) {
    warnings.add(content.toString());
    super.warn(content);
  }
}
