package dev.vmpackager.publish;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where charts are pushed: {@code oci://host[:port][/path]}, as {@code helm push} takes it. The
 * chart's own name and version are appended at push time: {@code <host>/<path>/<chart>:<tag>}.
 *
 * @param registry {@code host[:port]}, e.g. {@code registry.example.com} or {@code 127.0.0.1:5000}
 * @param path the repository path below the host without leading or trailing {@code /}, possibly empty
 */
public record OciChartRepository(String registry, String path) {

  /** The user property users set, named in messages. */
  public static final String PROPERTY = "vm.chart.repository";

  // A DNS name (labels of letters, digits, dashes), an IPv4 address or a bracketed IPv6 address.
  private static final Pattern HOST = Pattern.compile(
      "(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
          + "|\\[[0-9A-Fa-f:.]+\\])");
  // OCI distribution spec: path components of a repository name.
  private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");

  public OciChartRepository {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(path, "path");
  }

  /**
   * Parses {@code oci://host[:port][/path]} strictly.
   *
   * @param url the configured value
   * @return the repository
   * @throws PublishException naming {@value #PROPERTY} and what is wrong with the value
   */
  public static OciChartRepository parse(String url) throws PublishException {
    return parse(url, PROPERTY);
  }

  /**
   * Parses {@code oci://host[:port][/path]} strictly, for another parameter than the chart's
   * (the VM artifact's {@code vm.artifact.repository}).
   *
   * @param url the configured value
   * @param property the parameter's property, named in messages
   * @return the repository
   * @throws PublishException naming {@code property} and what is wrong with the value
   */
  public static OciChartRepository parse(String url, String property) throws PublishException {
    if (url == null || url.isBlank()) {
      throw bad(url, property, "it is empty; set it to oci://host[:port]/path, e.g. oci://registry.example.com/charts");
    }
    String value = url.trim();
    if (!value.startsWith("oci://")) {
      int scheme = value.indexOf("://");
      throw bad(url, property, scheme > 0
          ? "the scheme must be oci://, not " + value.substring(0, scheme + 3)
              + (property.equals(PROPERTY) ? " (for a ChartMuseum-style HTTP repository use vm.chart.uploadUrl)" : "")
          : "it must start with oci://, e.g. oci://" + value);
    }
    String rest = value.substring("oci://".length());
    if (rest.indexOf('?') >= 0 || rest.indexOf('#') >= 0) {
      throw bad(url, property, "a query (?) or fragment (#) is not allowed");
    }
    if (rest.indexOf('@') >= 0) {
      throw bad(url, property, "credentials or a digest (@) do not belong in the URL;"
          + " put credentials in a settings.xml <server> whose id is the registry host");
    }
    if (rest.endsWith("/")) {
      rest = rest.substring(0, rest.length() - 1);
    }
    int slash = rest.indexOf('/');
    String hostPort = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash + 1);
    if (hostPort.isEmpty()) {
      throw bad(url, property, "the registry host is missing");
    }
    String host = hostPort;
    int colon = hostPort.lastIndexOf(':');
    if (colon >= 0 && !hostPort.endsWith("]")) {
      host = hostPort.substring(0, colon);
      String port = hostPort.substring(colon + 1);
      if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
        throw bad(url, property, "the port '" + port + "' is not a number between 1 and 65535");
      }
    }
    if (!HOST.matcher(host).matches()) {
      throw bad(url, property, "'" + host + "' is not a valid host name or IP address");
    }
    if (host.equals(hostPort) && host.indexOf('.') < 0 && !host.startsWith("[")) {
      // Docker's reference grammar (which the OCI client follows) reads a first component without
      // '.' or ':' as a Docker Hub namespace, so 'localhost/charts' would go to docker.io.
      throw bad(url, property, "the host '" + host + "' needs a port or a domain, e.g. oci://" + host + ":5000"
          + (path.isEmpty() ? "" : "/" + path) + "; without one it would be taken for a Docker Hub namespace");
    }
    if (!path.isEmpty()) {
      for (String component : path.split("/", -1)) {
        if (!COMPONENT.matcher(component).matches()) {
          throw bad(url, property, "the path component '" + component + "' is not a valid OCI repository name"
              + " (lower-case letters, digits and single . _ - separators)");
        }
      }
    }
    return new OciChartRepository(hostPort, path);
  }

  /**
   * Helm writes {@code +} (SemVer build metadata) as {@code _}, because {@code +} is not allowed in
   * an OCI tag; {@code helm pull} maps it back.
   *
   * @param chartVersion the chart's SemVer version
   * @return the OCI tag
   * @throws PublishException if the version cannot be a tag
   */
  public static String tagFor(String chartVersion) throws PublishException {
    String tag = chartVersion.replace('+', '_');
    if (!TAG.matcher(tag).matches()) {
      throw new PublishException("The chart version '" + chartVersion + "' cannot be an OCI tag"
          + " (letters, digits, '.', '_', '-', at most 128 characters)");
    }
    return tag;
  }

  /**
   * @param chartName the chart's name (Chart.yaml {@code name})
   * @return {@code <registry>/<path>/<chartName>}, the repository the chart is pushed to
   * @throws PublishException if the chart name cannot be part of an OCI repository name
   */
  public String repositoryFor(String chartName) throws PublishException {
    if (!COMPONENT.matcher(chartName).matches()) {
      throw new PublishException("The chart name '" + chartName + "' cannot be pushed to an OCI registry:"
          + " repository names allow only lower-case letters, digits and single . _ - separators");
    }
    return registry + "/" + (path.isEmpty() ? "" : path + "/") + chartName;
  }

  /** @return the URL as users write it, {@code oci://host[:port][/path]} */
  @Override
  public String toString() {
    return "oci://" + registry + (path.isEmpty() ? "" : "/" + path);
  }

  private static PublishException bad(String url, String property, String why) {
    return new PublishException("Invalid " + (property.equals(PROPERTY) ? "chart" : "OCI") + " repository '" + url
        + "' (" + property + "): " + why);
  }
}
