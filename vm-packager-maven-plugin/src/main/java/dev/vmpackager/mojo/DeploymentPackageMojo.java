package dev.vmpackager.mojo;

import dev.vmpackager.chart.ChartConfigException;
import dev.vmpackager.chart.ChartGenerator;
import dev.vmpackager.chart.ChartSpec;
import dev.vmpackager.edge.DeploymentPackage;
import dev.vmpackager.edge.DeploymentPackageException;
import dev.vmpackager.event.BuildListener;
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
 * When {@code vm.deploymentPackage=true}: writes the Intel Edge Orchestrator deployment package of
 * the chart, {@code target/<chart>-<version>-deployment-package.tar.gz} (Registry, Application and
 * DeploymentPackage documents and the chart's values as the default profile, which the catalog
 * imports as it is), and attaches it to the build (classifier {@code deployment-package}, type
 * {@code tar.gz}), so {@code install} and {@code deploy} ship it to Maven repositories too.
 *
 * @since 0.2.0
 */
@Mojo(name = "deployment-package", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true)
public class DeploymentPackageMojo extends AbstractChartMojo {

  /** The attached artifact's classifier. */
  static final String CLASSIFIER = "deployment-package";

  private final MavenProjectHelper projectHelper;

  /**
   * Writes the Edge Orchestrator deployment package; without it the goal does nothing.
   *
   * @since 0.2.0
   */
  @Parameter(property = "vm.deploymentPackage", defaultValue = "false")
  boolean deploymentPackage;

  /**
   * The version of the Edge Orchestrator Virtualization package (KubeVirt, CDI, KubeVirt Helper) the
   * application requires ({@code deploymentRequirements}): that version must exist in the catalog's
   * project when the package is imported. Default {@code 0.8.0}, the version the Virtualization
   * package's repository ships last.
   *
   * @since 0.2.0
   */
  @Parameter(property = "vm.virtualizationPackageVersion", defaultValue = DeploymentPackage.DEFAULT_VIRTUALIZATION_VERSION)
  String virtualizationPackageVersion;

  /**
   * Where {@code push} sends the chart, {@code oci://host[:port]/path}: the deployment package's HELM
   * registry. Required with {@code vm.deploymentPackage=true}.
   *
   * @since 0.2.0
   */
  @Parameter(property = "vm.chart.repository")
  String chartRepository;

  /**
   * Skips the {@code deployment-package} goal.
   *
   * @since 0.2.0
   */
  @Parameter(property = "vm.deployment-package.skip", defaultValue = "false")
  boolean skipDeploymentPackage;

  /**
   * @param projectHelper attaches the archive to the build
   */
  @Inject
  public DeploymentPackageMojo(MavenProjectHelper projectHelper) {
    this.projectHelper = projectHelper;
  }

  @Override
  protected String goal() {
    return "deployment-package";
  }

  @Override
  protected boolean goalSkipped() {
    return skipDeploymentPackage;
  }

  @Override
  protected boolean logsVm() {
    return false;
  }

  @Override
  protected void doExecute() throws MojoExecutionException, MojoFailureException {
    if (!deploymentPackage) {
      getLog().info("No Edge Orchestrator deployment package: vm.deploymentPackage is not true");
      return;
    }
    ChartSpec spec = spec();
    Path out = buildDirectory().resolve(DeploymentPackage.fileName(spec.name(), spec.version()));
    DeploymentPackage pkg;
    try {
      // The chart goal has warned about the chart already.
      byte[] values = new ChartGenerator(BuildListener.NONE).files(spec).get("values.yaml");
      pkg = DeploymentPackage.builder().chart(spec).chartValues(values).chartRepository(chartRepository)
          .virtualizationPackageVersion(virtualizationPackageVersion).build();
      pkg.write(out, buildTimestamp());
    } catch (ChartConfigException e) {
      throw new MojoFailureException(e.getMessage(), e);
    } catch (DeploymentPackageException e) {
      throw new MojoFailureException("Edge Orchestrator deployment package: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new MojoExecutionException("Cannot write the deployment package " + out + ": " + e.getMessage(), e);
    }
    pkg.warnings().forEach(getLog()::warn);
    getLog().info("Edge Orchestrator deployment package " + pkg.name() + " " + pkg.version() + ": " + out);
    if (pkg.usbList().isPresent()) {
      getLog().info("Deploy the Virtualization package (" + DeploymentPackage.VIRTUALIZATION + " "
          + pkg.virtualizationPackageVersion() + ") with usbList=" + pkg.usbList().get()
          + " (Override Profile Values > kubevirt); the catalog gives this package no way to set it");
    } else {
      getLog().info(pkg.requirement());
    }
    projectHelper.attachArtifact(project, "tar.gz", CLASSIFIER, out.toFile());
  }
}
