package dev.vmpackager.mojo;

import dev.vmpackager.chart.ChartConfigException;
import dev.vmpackager.chart.ChartGenerator;
import dev.vmpackager.chart.ChartPackager;
import dev.vmpackager.chart.ChartSpec;
import java.io.IOException;
import java.nio.file.Path;
import javax.inject.Inject;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProjectHelper;

/**
 * Generates a Helm chart running the VM on KubeVirt in {@code target/helm/<chart>/}, packages it
 * reproducibly to {@code target/<chart>-<version>.tgz} and attaches it to the build (the main
 * artifact with {@code vm-app} packaging, else an attached {@code tgz}).
 *
 * @since 0.1.0
 */
@Mojo(name = "chart", defaultPhase = LifecyclePhase.PREPARE_PACKAGE, threadSafe = true)
public class ChartMojo extends AbstractChartMojo {

  private final MavenProjectHelper projectHelper;

  /**
   * Skips the {@code chart} goal.
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.chart.skip", defaultValue = "false")
  boolean skipChart;

  /**
   * @param projectHelper attaches the chart archive to the build
   */
  @Inject
  public ChartMojo(MavenProjectHelper projectHelper) {
    this.projectHelper = projectHelper;
  }

  @Override
  protected String goal() {
    return "chart";
  }

  @Override
  protected boolean goalSkipped() {
    return skipChart;
  }

  @Override
  protected void doExecute() throws MojoExecutionException, MojoFailureException {
    ChartSpec spec = spec();
    Path tgz = chartPackage(spec.name(), spec.version());
    try {
      Path dir = new ChartGenerator(listener()).generate(spec, buildDirectory().resolve("helm"));
      ChartPackager.pack(dir, spec.name(), tgz, buildTimestamp());
    } catch (ChartConfigException e) {
      throw new MojoFailureException(e.getMessage(), e);
    } catch (IOException e) {
      throw new MojoExecutionException("Cannot write the chart " + tgz + ": " + e.getMessage(), e);
    }
    getLog().info("Packaged chart " + tgz);
    if ("vm-app".equals(project.getPackaging())) {
      project.getArtifact().setFile(tgz.toFile());
    } else {
      projectHelper.attachArtifact(project, "tgz", tgz.toFile());
    }
  }

}
