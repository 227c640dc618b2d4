package dev.vmpackager.image;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One platform of the image, {@code os/architecture[/variant]} as in {@code linux/amd64} or
 * {@code linux/arm/v7}.
 *
 * @param os the operating system, {@code linux}
 * @param architecture the GOARCH-style architecture, e.g. {@code amd64}, {@code arm64}
 * @param variant the CPU variant ({@code v7}, {@code v8}), or empty
 */
public record ImagePlatform(String os, String architecture, String variant) {

  private static final Pattern WORD = Pattern.compile("[a-z0-9_]+");

  public ImagePlatform {
    Objects.requireNonNull(os, "os");
    Objects.requireNonNull(architecture, "architecture");
    Objects.requireNonNull(variant, "variant");
  }

  /**
   * @param os the operating system
   * @param architecture the architecture
   */
  public ImagePlatform(String os, String architecture) {
    this(os, architecture, "");
  }

  /** {@code linux/amd64}, the default. */
  public static final ImagePlatform LINUX_AMD64 = new ImagePlatform("linux", "amd64");

  /**
   * @param value one or more {@code os/arch[/variant]}, comma-separated, e.g. {@code linux/amd64,linux/arm64}
   * @return the platforms in order, without duplicates
   * @throws IllegalArgumentException naming the bad item
   */
  public static List<ImagePlatform> parseList(String value) {
    if (value == null || value.isBlank()) {
      return List.of(LINUX_AMD64);
    }
    Set<ImagePlatform> result = new LinkedHashSet<>();
    for (String item : value.split(",")) {
      String p = item.trim().toLowerCase(Locale.ROOT);
      String[] parts = p.split("/");
      if (parts.length < 2 || parts.length > 3 || !WORD.matcher(parts[0]).matches()
          || !WORD.matcher(parts[1]).matches() || (parts.length == 3 && !WORD.matcher(parts[2]).matches())) {
        throw new IllegalArgumentException("'" + item.trim() + "' is not os/architecture[/variant] such as"
            + " linux/amd64 or linux/arm/v7");
      }
      if (!parts[0].equals("linux")) {
        throw new IllegalArgumentException("'" + item.trim() + "': KubeVirt runs containerDisks on linux only");
      }
      result.add(new ImagePlatform(parts[0], parts[1], parts.length == 3 ? parts[2] : ""));
    }
    return List.copyOf(new ArrayList<>(result));
  }

  @Override
  public String toString() {
    return os + "/" + architecture + (variant.isEmpty() ? "" : "/" + variant);
  }
}
