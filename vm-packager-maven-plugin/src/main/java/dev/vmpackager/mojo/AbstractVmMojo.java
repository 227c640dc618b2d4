package dev.vmpackager.mojo;

import dev.vmpackager.chart.ChartVersions;
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
 * What every goal shares: the project, skipping, the VM's name and the converted disk's place.
 * Subclasses only read their parameters, build a request and call one plain-Java service.
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

  /**
   * The VirtualMachine: its name (default the artifactId), memory, CPU, run strategy, firmware,
   * disk bus, cloud-init, ports and storage. The name also names the converted disk
   * ({@code target/vm/<name>.<format>}) and the file under {@code /disk/} in the image.
   *
   * @since 0.1.0
   */
  @Parameter
  protected VmConfig vm;

  /**
   * The format of the converted disk: {@code qcow2} (default) or {@code raw}.
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.format", defaultValue = "qcow2")
  protected String format;

  /**
   * The containerDisk image reference, e.g. {@code registry.example.com/apps/librespeed-vm:0.0.1}.
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.image", defaultValue = "${project.artifactId}-containerdisk:${project.version}")
  protected String image;

  /**
   * The chart's name; default the artifactId. Helm requires lower-case letters, digits and dashes
   * by convention; the chart goal checks it.
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.chart.name", defaultValue = "${project.artifactId}")
  protected String chartName;

  /**
   * The chart's SemVer version; default the project version made SemVer
   * ({@code 1.0-SNAPSHOT} becomes {@code 1.0.0-SNAPSHOT}).
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.chart.version")
  protected String chartVersion;

  /**
   * The time written into the image (config {@code created}, layer entries), the chart archive's
   * entries and the pushed chart manifest, for reproducible builds: ISO-8601 with offset or
   * seconds since the epoch. Default {@code project.build.outputTimestamp}, else the
   * {@code SOURCE_DATE_EPOCH} environment variable, else the epoch.
   *
   * @since 0.1.0
   */
  @Parameter(defaultValue = "${project.build.outputTimestamp}")
  protected String outputTimestamp;

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

  /** @return the VM's name: {@code <vm><name>}, or the artifactId */
  protected String vmName() {
    if (vm != null && vm.getName() != null && !vm.getName().isBlank()) {
      return vm.getName().trim();
    }
    return project.getArtifactId();
  }

  /** @return the lower-case output format, checked */
  protected String outputFormat() throws MojoFailureException {
    String f = format == null ? "qcow2" : format.trim().toLowerCase(Locale.ROOT);
    if (!f.equals("qcow2") && !f.equals("raw")) {
      throw new MojoFailureException("<format> (vm.format) must be qcow2 or raw, not '" + format + "'");
    }
    return f;
  }

  /** @return {@code target/vm/<vm name>.<format>}, where {@code convert} writes and {@code containerize} reads */
  protected Path convertedDisk() throws MojoFailureException {
    return buildDirectory().resolve("vm").resolve(vmName() + "." + outputFormat());
  }

  /** @return the chart's version: {@code <chartVersion>} checked, or the project version made SemVer */
  protected String chartVersion() throws MojoFailureException {
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

  /** @return the chart's name, default the artifactId */
  protected String chartName() {
    return chartName == null || chartName.isBlank() ? project.getArtifactId() : chartName.trim();
  }

  /** @return {@code target/<chart>-<version>.tgz}, where {@code chart} packages and {@code push} reads */
  protected Path chartPackage() throws MojoFailureException {
    return buildDirectory().resolve(chartName() + "-" + chartVersion() + ".tgz");
  }

  /**
   * @return {@link #outputTimestamp}, then {@code SOURCE_DATE_EPOCH}, then the epoch (a
   *     one-character value is Maven's way to switch the timestamp off)
   */
  protected Instant buildTimestamp() throws MojoFailureException {
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
