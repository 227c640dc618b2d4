package dev.vmpackager.chart;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns Maven versions into the SemVer 2 versions Helm requires ({@code 1.0-SNAPSHOT} to {@code 1.0.0-SNAPSHOT}). */
public final class ChartVersions {

  private static final Pattern MAVEN =
      Pattern.compile("^(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?(?:[.-]([0-9A-Za-z.+-]+))?$");

  /** SemVer 2.0.0's own regular expression (semver.org), as Helm's Masterminds parser accepts it. */
  private static final Pattern SEMVER = Pattern.compile(
      "^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)"
          + "(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
          + "(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$");

  private ChartVersions() {}

  /**
   * @param version a version string
   * @return whether it is a SemVer 2 version Helm accepts
   */
  public static boolean isSemVer(String version) {
    return SEMVER.matcher(version).matches();
  }

  /**
   * @param mavenVersion a project version such as {@code 1.0-SNAPSHOT}, {@code 2}, {@code 1.2.3.4}
   * @return the SemVer form ({@code 1.0.0-SNAPSHOT}, {@code 2.0.0}, {@code 1.2.3-4}), or empty when
   *     the version has no numeric start to build one from
   */
  public static Optional<String> fromMavenVersion(String mavenVersion) {
    String v = mavenVersion.trim();
    if (isSemVer(v)) {
      return Optional.of(v);
    }
    Matcher m = MAVEN.matcher(v);
    if (!m.matches()) {
      return Optional.empty();
    }
    String core = Long.parseLong(m.group(1)) + "." + num(m.group(2)) + "." + num(m.group(3));
    String rest = m.group(4);
    if (rest == null) {
      return Optional.of(core);
    }
    String build = null;
    int plus = rest.indexOf('+');
    if (plus >= 0) {
      build = rest.substring(plus + 1);
      rest = rest.substring(0, plus);
    }
    // Prerelease identifiers must not have leading zeros when numeric and must not be empty.
    StringBuilder pre = new StringBuilder();
    for (String id : rest.split("[.]")) {
      if (id.isEmpty()) {
        continue;
      }
      String clean = id.matches("\\d+") ? String.valueOf(new java.math.BigInteger(id)) : id;
      if (pre.length() > 0) {
        pre.append('.');
      }
      pre.append(clean);
    }
    String candidate = core + (pre.length() > 0 ? "-" + pre : "") + (build != null && !build.isEmpty() ? "+" + build : "");
    return isSemVer(candidate) ? Optional.of(candidate) : Optional.empty();
  }

  private static long num(String group) {
    return group == null ? 0 : Long.parseLong(group);
  }
}
