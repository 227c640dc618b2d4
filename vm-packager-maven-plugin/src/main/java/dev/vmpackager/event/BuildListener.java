package dev.vmpackager.event;

/**
 * Where the plain-Java core reports what it is doing. The core never sees Maven's {@code Log}:
 * the Mojos adapt this to it, tests collect it.
 */
public interface BuildListener {

  /** A listener that drops everything. */
  BuildListener NONE = new BuildListener() {
    @Override public void info(String message) {}
    @Override public void warn(String message) {}
    @Override public void debug(String message) {}
  };

  /** @param message a line worth showing at the default log level */
  void info(String message);

  /** @param message something the user should act on */
  void warn(String message);

  /** @param message detail shown with {@code mvn -X} */
  void debug(String message);
}
