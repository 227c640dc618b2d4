package dev.vmpackager.vm;

import java.util.regex.Pattern;

/** Kubernetes quantities for guest memory. */
public final class Quantities {

  /** A Kubernetes memory quantity: a number and an optional binary or decimal suffix. */
  private static final Pattern MEMORY = Pattern.compile("^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$");

  private static final String[] BINARY = {"Ki", "Mi", "Gi", "Ti"};

  private Quantities() {}

  /**
   * Writes a byte count in the largest binary unit that divides it exactly, as a person would:
   * 4096 MiB is {@code 4Gi}, 1536 MiB is {@code 1536Mi}, 1000 KiB is {@code 1000Ki}, and a count
   * that is no whole KiB stays in bytes.
   *
   * @param bytes a positive number of bytes
   * @return the quantity
   */
  public static String memory(long bytes) {
    if (bytes <= 0) {
      throw new IllegalArgumentException("memory must be positive: " + bytes);
    }
    long v = bytes;
    int unit = -1;
    while (unit + 1 < BINARY.length && v % 1024 == 0) {
      v /= 1024;
      unit++;
    }
    return unit < 0 ? Long.toString(v) : v + BINARY[unit];
  }

  /**
   * Writes a byte count as Kubernetes writes {@code resource.NewQuantity(bytes, BinarySI)}: in the
   * largest binary unit up to {@code Ei} that divides it exactly ({@code 10Gi}, {@code 1536Mi}),
   * and in plain bytes when it is below 1024 or no whole KiB. KubeVirt's VM artifact sizes its
   * disks' claims with it ({@code io.kubevirt.disk.size}).
   *
   * @param bytes a positive number of bytes
   * @return the quantity
   */
  public static String bytes(long bytes) {
    if (bytes <= 0) {
      throw new IllegalArgumentException("a size must be positive: " + bytes);
    }
    String[] units = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    long v = bytes;
    int unit = -1;
    while (unit + 1 < units.length && v % 1024 == 0) {
      v /= 1024;
      unit++;
    }
    return unit < 0 ? Long.toString(v) : v + units[unit];
  }

  /**
   * @param quantity a memory quantity as the POM writes it
   * @return whether it is a non-zero Kubernetes quantity such as {@code 512Mi}, {@code 2Gi} or {@code 2G}
   */
  public static boolean isMemory(String quantity) {
    return MEMORY.matcher(quantity).matches() && !quantity.matches("^[0.]+[A-Za-z]*$");
  }
}
