package dev.vmpackager.edge;

import java.util.regex.Pattern;

/**
 * The catalog's limits on what this package writes, as its JSON schema states them (catalog
 * {@code pkg/schema/catalog-schema.yaml}, HEAD {@code 3bc0d3d}): a value outside them fails the
 * whole upload, so the build refuses it first, naming the POM parameter it came from.
 */
final class CatalogLimits {

  /** Application names: at most 26 characters. */
  static final Pattern APPLICATION_NAME = Pattern.compile("^[a-z0-9][a-z0-9-]{0,24}[a-z0-9]{0,1}$");
  static final int APPLICATION_NAME_MAX = 26;
  /** Registry, DeploymentPackage, profile names: at most 40 characters. */
  static final Pattern NAME = Pattern.compile("^[a-z0-9][a-z0-9-]{0,38}[a-z0-9]{0,1}$");
  static final int NAME_MAX = 40;
  /** Application and DeploymentPackage versions: at most 20 characters, no upper case, no {@code +}. */
  static final Pattern VERSION = Pattern.compile("^[a-z0-9][a-z0-9-.]{0,18}[a-z0-9]{0,1}$");
  static final int VERSION_MAX = 20;
  /** An Application's {@code chartName}. */
  static final Pattern CHART_NAME = Pattern.compile("^[0-9a-z-/]*$");
  static final int CHART_NAME_MAX = 200;
  /** An Application's {@code chartVersion}. */
  static final Pattern CHART_VERSION = Pattern.compile("^[a-z0-9][a-z0-9-.]{0,51}[a-z0-9]{0,1}$");
  static final int CHART_VERSION_MAX = 53;
  /** A Registry's {@code rootUrl}: a lower-case host with at least two labels (or a port). */
  static final Pattern ROOT_URL =
      Pattern.compile("^(https?|oci)://[a-z0-9-]+(.[a-z0-9-]+)+([/?][\\w_\\-@:%.+~#?&/=]*)?$");
  static final int ROOT_URL_MAX = 1000;
  /** Every document's {@code description}. */
  static final int DESCRIPTION_MAX = 1000;
  /** A parameter template's name: a Helm value path. */
  static final Pattern PARAMETER_NAME = Pattern.compile("^[A-Za-z0-9-/_\\[\\]\\.\\\\]*$");

  private CatalogLimits() {}

  /**
   * @param value the value written into a document
   * @param pattern the schema's pattern
   * @param max the schema's maxLength
   * @param parameter the POM parameter it came from, e.g. {@code <chartName> (vm.chart.name)}
   * @param what the catalog field, e.g. {@code an Application name}
   * @throws DeploymentPackageException naming the parameter, the value and the limit when it is outside
   */
  static void check(String value, Pattern pattern, int max, String parameter, String what)
      throws DeploymentPackageException {
    if (value.length() > max) {
      throw new DeploymentPackageException(parameter, parameter + " '" + value + "' is " + value.length()
          + " characters, but " + what + " in the Edge Orchestrator catalog is at most " + max
          + " (" + pattern.pattern() + "); set a shorter " + parameter);
    }
    if (!pattern.matcher(value).matches()) {
      throw new DeploymentPackageException(parameter, parameter + " '" + value + "' is not " + what
          + " the Edge Orchestrator catalog accepts: it must match " + pattern.pattern() + " (at most " + max
          + " characters" + (pattern == VERSION || pattern == CHART_VERSION ? ", no upper case and no '+'" : "")
          + "); set " + parameter + " to one that does");
    }
  }
}
