package dev.vmpackager.mojo;

import dev.vmpackager.chart.ChartConfigException;
import dev.vmpackager.chart.ChartDisk;
import dev.vmpackager.chart.ChartNic;
import dev.vmpackager.chart.ChartGenerator;
import dev.vmpackager.chart.ChartPackager;
import dev.vmpackager.chart.ChartSpec;
import dev.vmpackager.chart.CloudInit;
import dev.vmpackager.chart.ExtraDisk;
import dev.vmpackager.chart.Maintainer;
import dev.vmpackager.chart.ServicePort;
import dev.vmpackager.chart.UsbDeviceRequest;
import dev.vmpackager.disk.convert.SourceDiscovery;
import dev.vmpackager.image.ImageException;
import dev.vmpackager.image.ImageState;
import dev.vmpackager.vm.Setting;
import dev.vmpackager.vm.Vm;
import dev.vmpackager.vm.VmDisk;
import dev.vmpackager.vm.VmNic;
import dev.vmpackager.registry.ImageReference;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.inject.Inject;
import org.apache.maven.model.Developer;
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
   * Pins the chart's image to the digest {@code containerize} recorded for that same image reference,
   * {@code target/vm/containerdisk/<image reference as a path>/image.digest} (e.g.
   * {@code target/vm/containerdisk/registry.example.com/apps/vm+1.0/image.digest} for
   * {@code registry.example.com/apps/vm:1.0}), when that file exists, so installs use exactly the
   * built image. Another execution's image never pins this chart.
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.image.pinDigest", defaultValue = "false")
  boolean pinDigest;

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

  @Override
  protected boolean pinDigest() {
    return pinDigest;
  }
}
