package dev.vmpackager.chart;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The VirtualMachine's {@code spec.runStrategy}; the deprecated {@code spec.running} is never written. */
public enum RunStrategy {
  /** Keep the VM running (KubeVirt restarts it); the default. */
  Always,
  /** Restart the VM only when the guest failed. */
  RerunOnFailure,
  /** Run the VM once; it is not restarted. */
  Once,
  /** Start and stop only through the API (virtctl start/stop). */
  Manual,
  /** Keep the VM stopped. */
  Halted;

  /**
   * @param text a run strategy as the user wrote it (exact case)
   * @return the strategy, or empty when there is none of that name
   */
  public static Optional<RunStrategy> parse(String text) {
    return Arrays.stream(values()).filter(s -> s.name().equals(text)).findFirst();
  }

  /** @return the allowed names, for messages */
  public static String allowed() {
    return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
  }
}
