package dev.vmpackager.vm;

import java.util.Locale;
import java.util.Optional;

/**
 * How described devices become KubeVirt devices ({@code <vm><devices>}, {@code vm.devices}).
 * A disk's {@code <bus>} or a NIC's {@code <model>} in the POM overrides either.
 */
public enum DevicePolicy {
  /**
   * Each disk's bus and each NIC's model is what the guest already has a driver for
   * ({@link DiskController#compatibleBus()}, {@link NicModel#compatibleModel()}): the guest boots
   * without new drivers. The default.
   */
  COMPATIBLE,
  /** Every disk and NIC on virtio: fastest, for guests known to carry virtio drivers. */
  VIRTIO;

  /**
   * @param value {@code compatible} or {@code virtio}, in any case
   * @return the policy, empty for any other text
   */
  public static Optional<DevicePolicy> parse(String value) {
    return switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "compatible" -> Optional.of(COMPATIBLE);
      case "virtio" -> Optional.of(VIRTIO);
      default -> Optional.empty();
    };
  }

  /** @return the name as the POM writes it, {@code compatible} or {@code virtio} */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
