package dev.vmpackager.mojo;

/**
 * A reference to a KubeVirt instancetype or preference in the {@code <vm>} configuration:
 * {@code <instancetype><name>u1.medium</name></instancetype>}, with an optional {@code <kind>}
 * (the cluster-wide kind by default).
 */
public class MatcherConfig {

  /** The instancetype or preference name, e.g. {@code u1.medium} or {@code fedora}. */
  private String name;

  /**
   * {@code VirtualMachineClusterInstancetype} (default) or {@code VirtualMachineInstancetype};
   * for a preference {@code VirtualMachineClusterPreference} (default) or {@code VirtualMachinePreference}.
   */
  private String kind;

  /** @return the name, or null */
  public String getName() {
    return name;
  }

  /** @return the kind, or null for the default */
  public String getKind() {
    return kind;
  }
}
