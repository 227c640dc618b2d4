package dev.vmpackager.chart;

import java.util.Locale;

/**
 * The defaults derived from the project's coordinates, made valid. An artifactId such as
 * {@code MyVM} or {@code My_App.Server} is a fine Maven name but not a chart name, a VirtualMachine
 * name or an image repository; a default the user never wrote must not fail the build, so it is
 * lower-cased, its other characters replaced by {@code -} and trimmed to each name's limit. Values
 * the user wrote are never changed here: {@link ChartSpec} (and Jib for the image) check those.
 */
public final class Names {

  /**
   * Longest derived chart name: the chart name is also the {@code app.kubernetes.io/name} label
   * value, which Kubernetes limits to 63 characters.
   */
  public static final int CHART_NAME_MAX = 63;
  /**
   * Longest derived VM name: a DNS-1123 label (63) less the {@code -cloudinit} suffix of the VM's
   * Secret, as {@link ChartSpec} requires of every VM name.
   */
  public static final int VM_NAME_MAX = 53;
  /** Longest image repository the OCI distribution reference grammar allows. */
  public static final int REPOSITORY_MAX = 255;
  /** Longest OCI tag ({@code [\w][\w.-]{0,127}}). */
  public static final int TAG_MAX = 128;
  /** The suffix of the default image repository. */
  public static final String IMAGE_SUFFIX = "-containerdisk";

  /** What a name that has no usable character at all becomes. */
  private static final String FALLBACK = "vm";

  private Names() {}

  /**
   * @param artifactId the project's artifactId
   * @return a Helm chart name ({@code ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$}, at most {@value #CHART_NAME_MAX}
   *     characters): {@code MyVM} becomes {@code myvm}, {@code My_App.Server} {@code my-app-server}
   */
  public static String chartName(String artifactId) {
    return dnsLabel(artifactId, CHART_NAME_MAX);
  }

  /**
   * @param artifactId the project's artifactId
   * @return a VirtualMachine name: a DNS-1123 label of at most {@value #VM_NAME_MAX} characters
   */
  public static String vmName(String artifactId) {
    return dnsLabel(artifactId, VM_NAME_MAX);
  }

  /**
   * @param artifactId the project's artifactId
   * @param version the project's version
   * @return the default image, {@code <artifactId>-containerdisk:<version>}, with the repository
   *     lower-cased and made of OCI path components ({@code [a-z0-9]+} joined by {@code .}, {@code _},
   *     {@code __} or dashes) and the tag made of {@code [A-Za-z0-9_.-]} (others become {@code _},
   *     as Helm turns a version's {@code +} into {@code _}), not starting with {@code .} or {@code -}
   */
  public static String image(String artifactId, String version) {
    return imageRepository(artifactId) + ":" + imageTag(version);
  }

  /**
   * @param artifactId the project's artifactId
   * @return {@code <artifactId>-containerdisk} as an OCI repository path component
   */
  static String imageRepository(String artifactId) {
    String s = artifactId == null ? "" : artifactId.toLowerCase(Locale.ROOT);
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (isLowerAlnum(c)) {
        out.append(c);
        i++;
        continue;
      }
      // A run of anything else between two alphanumerics is one separator: kept when the OCI
      // grammar allows it (".", "_", "__", or dashes), else a single '-'.
      int end = i;
      while (end < s.length() && !isLowerAlnum(s.charAt(end))) {
        end++;
      }
      String run = s.substring(i, end);
      out.append(run.equals(".") || run.equals("_") || run.equals("__") || run.matches("-+") ? run : "-");
      i = end;
    }
    String name = trimSeparators(out.toString());
    int max = REPOSITORY_MAX - IMAGE_SUFFIX.length();
    if (name.length() > max) {
      name = trimSeparators(name.substring(0, max));
    }
    return (name.isEmpty() ? FALLBACK : name) + IMAGE_SUFFIX;
  }

  /**
   * @param version the project's version
   * @return an OCI tag: {@code [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}}
   */
  static String imageTag(String version) {
    String v = version == null ? "" : version.trim();
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < v.length() && out.length() < TAG_MAX; i++) {
      char c = v.charAt(i);
      boolean word = c < 128 && (Character.isLetterOrDigit(c) || c == '_');
      out.append(word || (out.length() > 0 && (c == '.' || c == '-')) ? c : '_');
    }
    return out.length() == 0 ? "latest" : out.toString();
  }

  /** Lower-case letters, digits and single dashes, starting and ending with a letter or digit. */
  private static String dnsLabel(String value, int max) {
    String s = value == null ? "" : value.toLowerCase(Locale.ROOT);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (isLowerAlnum(c)) {
        out.append(c);
      } else if (out.length() > 0 && out.charAt(out.length() - 1) != '-') {
        out.append('-');
      }
    }
    String name = out.length() > max ? out.substring(0, max) : out.toString();
    name = trimSeparators(name);
    return name.isEmpty() ? FALLBACK : name;
  }

  private static boolean isLowerAlnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }

  private static String trimSeparators(String s) {
    int from = 0;
    int to = s.length();
    while (from < to && !isLowerAlnum(s.charAt(from))) {
      from++;
    }
    while (to > from && !isLowerAlnum(s.charAt(to - 1))) {
      to--;
    }
    return s.substring(from, to);
  }
}
