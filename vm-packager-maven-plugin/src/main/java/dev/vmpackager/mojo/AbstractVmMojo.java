package dev.vmpackager.mojo;

import dev.vmpackager.chart.ChartVersions;
import dev.vmpackager.chart.Names;
import dev.vmpackager.event.BuildListener;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/**
 * What every goal shares: the project and skipping, and the rules behind parameters that several
 * goals declare (the VM's name and the converted disk's place, the chart's name, version and
 * archive, the build's timestamp). Each goal declares only the parameters it reads, so
 * {@code vm-packager:help} lists a goal's own; subclasses read them, build a request and call one
 * plain-Java service.
 */
public abstract class AbstractVmMojo extends AbstractMojo {

  /** The project being built. */
  @Parameter(defaultValue = "${project}", readonly = true, required = true)
  protected MavenProject project;

  /** The Maven session (offline mode, settings). */
  @Parameter(defaultValue = "${session}", readonly = true, required = true)
  protected MavenSession session;

  /**
   * Skips every goal of this plugin.
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.skip", defaultValue = "false")
  protected boolean skip;

  @Override
  public final void execute() throws MojoExecutionException, MojoFailureException {
    if (skip || goalSkipped()) {
      getLog().info("Skipping vm-packager:" + goal());
      return;
    }
    doExecute();
  }

  /** @return this goal's name, for messages */
  protected abstract String goal();

  /** @return whether {@code vm.<goal>.skip} is set */
  protected abstract boolean goalSkipped();

  /** Does the goal's work once skipping has been decided. */
  protected abstract void doExecute() throws MojoExecutionException, MojoFailureException;

  /** @return the core's view of the Maven log */
  protected BuildListener listener() {
    return new MavenLogListener(getLog());
  }

  /**
   * @param vm the {@code <vm>} element, may be null
   * @return the VM's name: {@code <vm><name>} as written, or the artifactId made a DNS label
   *     (logged when that changed it)
   */
  protected String vmName(VmConfig vm) {
    if (vm != null && vm.getName() != null && !vm.getName().isBlank()) {
      return vm.getName().trim();
    }
    return derived("VM name", Names.vmName(project.getArtifactId()), "artifactId", project.getArtifactId());
  }

  /**
   * A default taken from the project's coordinates that had to be changed to be valid is said at
   * info level, so the user sees where the name came from.
   *
   * @param what the name's role, e.g. {@code chart name}
   * @param value the valid default
   * @param source where it came from, e.g. {@code artifactId}
   * @param original the value of {@code source}
   * @return {@code value}
   */
  protected String derived(String what, String value, String source, String original) {
    if (!value.equals(original)) {
      getLog().info(what + " '" + value + "' (from " + source + " '" + original + "')");
    }
    return value;
  }

  /**
   * @param format the {@code format} parameter
   * @return the lower-case output format, checked
   */
  protected static String outputFormat(String format) throws MojoFailureException {
    String f = format == null ? "qcow2" : format.trim().toLowerCase(Locale.ROOT);
    if (!f.equals("qcow2") && !f.equals("raw")) {
      throw new MojoFailureException("<format> (vm.format) must be qcow2 or raw, not '" + format + "'");
    }
    return f;
  }

  /**
   * @param vm the {@code <vm>} element, may be null
   * @param format the {@code format} parameter
   * @return {@code target/vm/<vm name>.<format>}, where {@code convert} writes and {@code containerize} reads
   */
  protected Path convertedDisk(VmConfig vm, String format) throws MojoFailureException {
    return buildDirectory().resolve("vm").resolve(vmName(vm) + "." + outputFormat(format));
  }

  /**
   * @param chartVersion the {@code chartVersion} parameter
   * @return the chart's version: {@code <chartVersion>} checked, or the project version made SemVer
   */
  protected String chartVersion(String chartVersion) throws MojoFailureException {
    if (chartVersion != null && !chartVersion.isBlank()) {
      String v = chartVersion.trim();
      if (!ChartVersions.isSemVer(v)) {
        throw new MojoFailureException("<chartVersion> (vm.chart.version) '" + v
            + "' is not a SemVer 2 version such as 1.2.3 or 1.2.3-SNAPSHOT, which Helm requires");
      }
      return v;
    }
    return ChartVersions.fromMavenVersion(project.getVersion()).orElseThrow(() -> new MojoFailureException(
        "The project version '" + project.getVersion() + "' cannot be made a SemVer chart version;"
            + " set <chartVersion> (vm.chart.version), e.g. 1.0.0"));
  }

  /**
   * @param chartName the {@code chartName} parameter
   * @return the chart's name: {@code <chartName>} as written (the chart goal checks it), or the
   *     artifactId made a valid chart name
   */
  protected String chartName(String chartName) {
    if (chartName != null && !chartName.isBlank()) {
      return chartName.trim();
    }
    return derived("chart name", Names.chartName(project.getArtifactId()), "artifactId", project.getArtifactId());
  }

  /**
   * @param chartName the chart's name
   * @param chartVersion the chart's version
   * @return {@code target/<chart>-<version>.tgz}, where {@code chart} packages and {@code push} reads
   */
  protected Path chartPackage(String chartName, String chartVersion) {
    return buildDirectory().resolve(chartName + "-" + chartVersion + ".tgz");
  }

  /**
   * @param outputTimestamp the {@code outputTimestamp} parameter
   * @return {@code outputTimestamp}, then {@code SOURCE_DATE_EPOCH}, then the epoch (a
   *     one-character value is Maven's way to switch the timestamp off)
   */
  protected static Instant buildTimestamp(String outputTimestamp) throws MojoFailureException {
    String t = outputTimestamp;
    String what = "project.build.outputTimestamp";
    if (t == null || t.trim().length() < 2) {
      t = System.getenv("SOURCE_DATE_EPOCH");
      what = "SOURCE_DATE_EPOCH";
    }
    if (t == null || t.isBlank()) {
      return Instant.EPOCH;
    }
    t = t.trim();
    try {
      if (t.matches("^[0-9]+$")) {
        return Instant.ofEpochSecond(Long.parseLong(t));
      }
      return OffsetDateTime.parse(t).toInstant().truncatedTo(ChronoUnit.SECONDS);
    } catch (DateTimeParseException | NumberFormatException e) {
      throw new MojoFailureException(what + " '" + t + "' is neither an ISO-8601 date-time with offset"
          + " (e.g. 2026-01-01T00:00:00Z) nor seconds since the epoch", e);
    }
  }

  /** @return the project's build directory ({@code target/}) */
  protected Path buildDirectory() {
    return Path.of(project.getBuild().getDirectory());
  }
}
