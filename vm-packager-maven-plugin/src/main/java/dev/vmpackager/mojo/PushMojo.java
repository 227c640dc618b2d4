package dev.vmpackager.mojo;

import dev.vmpackager.image.ContainerDiskBuilder;
import dev.vmpackager.image.ContainerDiskSpec;
import dev.vmpackager.image.ImageException;
import dev.vmpackager.image.ImagePublisher;
import dev.vmpackager.image.ImageState;
import dev.vmpackager.publish.ChartPublisher;
import dev.vmpackager.publish.ChartPushResult;
import dev.vmpackager.publish.OciChartRepository;
import dev.vmpackager.publish.PublishException;
import dev.vmpackager.vm.VmDisk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Publishes what the build made: the containerDisk image to its registry ({@code image} and every
 * tag) and the Helm chart to the OCI chart repository {@code chartRepository}, as {@code helm push}
 * would lay it out, so {@code helm install oci://...} works. Offline mode refuses to push.
 *
 * <p>The image pushed under {@code image} is the one {@code containerize} built for that reference
 * (its state in {@code target/vm/containerdisk/<reference as a path>/}): the layer blob
 * {@code containerize} wrote is sent, never compressed again, and the pushed digest is the built
 * one. When nothing was built for that reference, or the recorded layer no longer matches (the disk
 * or the tar holding the blob was written again since, e.g. by another execution sharing the file),
 * the push fails naming the image and what changed, before anything is sent.
 *
 * @since 0.1.0
 */
@Mojo(name = "push", defaultPhase = LifecyclePhase.DEPLOY, threadSafe = true)
public class PushMojo extends AbstractRegistryMojo {

  /**
   * The VirtualMachine ({@code <vm>}), as the other goals read it: this goal pushes the image of
   * every disk of the VM it describes, with the VM's description and {@code <disks>}.
   *
   * @since 0.2.0
   */
  @Parameter
  VmConfig vm;

  /**
   * Where the chart goes: an OCI repository {@code oci://host[:port]/path}; the chart is pushed as
   * {@code <path>/<chart name>:<chart version>}. When empty, only the image is pushed.
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.chart.repository")
  String chartRepository;

  /**
   * The name of the chart to push ({@code target/<chartName>-<chartVersion>.tgz}, written by the
   * {@code chart} goal with the same setting); default the artifactId made a valid chart name.
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.chart.name")
  String chartName;

  /**
   * The version of the chart to push; default the project version made SemVer
   * ({@code 1.0-SNAPSHOT} becomes {@code 1.0.0-SNAPSHOT}), as for the {@code chart} goal.
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.chart.version")
  String chartVersion;

  /**
   * Skips this goal.
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.push.skip", defaultValue = "false")
  boolean skipPush;

  @Override
  protected String goal() {
    return "push";
  }

  @Override
  protected boolean goalSkipped() {
    return skipPush;
  }

  @Override
  protected void doExecute() throws MojoExecutionException, MojoFailureException {
    boolean pushChart = chartRepository != null && !chartRepository.isBlank();
    String reference = imageReference();
    RegistryAccessResolver.requireOnline(session, "push the image " + reference
        + (pushChart ? " and the chart to " + chartRepository.trim() : ""));
    // Check both inputs before publishing anything, so a missing chart cannot leave the image
    // pushed alone.
    // Every disk's image: the boot disk's is <image>, each other disk's its own.
    Map<String, ContainerDiskSpec> images = new LinkedHashMap<>();
    // A VM no description or <disks> describes has one disk, <image>: its source need not be here.
    List<String> references = new ArrayList<>(List.of(reference));
    if (describesVm()) {
      for (VmDisk d : resolveVm(vm, reference).disks()) {
        if (!d.isBootDisk()) {
          references.add(d.image().value());
        }
      }
    }
    for (String r : references) {
      try {
        images.put(r, ImageState.of(buildDirectory().resolve("vm"), r).built());
      } catch (ImageException e) {
        throw new MojoFailureException(e.getMessage(), e);
      }
    }
    OciChartRepository repository = null;
    Path chart = null;
    if (pushChart) {
      try {
        repository = OciChartRepository.parse(chartRepository.trim());
      } catch (PublishException e) {
        RegistryAccessResolver.fail(e);
      }
      chart = chartPackage(chartName(chartName), chartVersion(chartVersion));
      if (!Files.isRegularFile(chart)) {
        throw new MojoFailureException("No chart to push: " + chart + " is missing. Run vm-packager:chart first"
            + " (it binds to the prepare-package phase)");
      }
    } else {
      getLog().info("No <chartRepository> (vm.chart.repository) is set: the chart is not pushed");
    }
    for (Map.Entry<String, ContainerDiskSpec> image : images.entrySet()) {
      pushImage(image.getValue(), image.getKey());
    }
    if (pushChart) {
      pushChart(repository, chart);
    }
  }

  private void pushImage(ContainerDiskSpec spec, String reference) throws MojoExecutionException, MojoFailureException {
    try {
      String digest = ImagePublisher.push(new ImagePublisher.PushRequest(spec, reference, extraTags(),
          registryAccess(ContainerDiskBuilder.registryHost(reference)), session.isOffline(), listener()));
      getLog().info("Pushed image " + reference + "@" + digest);
    } catch (ImageException e) {
      throw new MojoFailureException(e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MojoExecutionException("Interrupted while pushing " + reference, e);
    }
  }

  private void pushChart(OciChartRepository repository, Path chart) throws MojoExecutionException, MojoFailureException {
    try {
      ChartPushResult r = new ChartPublisher(listener())
          .push(chart, repository, registryAccess(repository.registry()), buildTimestamp());
      getLog().info("Pushed chart " + r.reference() + "@" + r.digest() + ": helm install " + r.chartName()
          + " oci://" + r.reference().substring(0, r.reference().lastIndexOf(':')) + " --version " + r.chartVersion());
    } catch (PublishException e) {
      RegistryAccessResolver.fail(e);
    }
  }
}
