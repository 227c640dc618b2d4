package dev.vmpackager.mojo;

import dev.vmpackager.event.BuildListener;
import org.apache.maven.plugin.logging.Log;

/** Adapts the core's {@link BuildListener} to Maven's log. */
final class MavenLogListener implements BuildListener {

  private final Log log;

  MavenLogListener(Log log) {
    this.log = log;
  }

  @Override
  public void info(String message) {
    log.info(message);
  }

  @Override
  public void warn(String message) {
    log.warn(message);
  }

  @Override
  public void debug(String message) {
    if (log.isDebugEnabled()) {
      log.debug(message);
    }
  }
}
