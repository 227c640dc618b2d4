package dev.vmpackager.mojo;

import dev.vmpackager.artifact.ArtifactException;
import dev.vmpackager.artifact.ArtifactLayout;
import dev.vmpackager.artifact.ArtifactPublisher;
import dev.vmpackager.chart.Names;
import dev.vmpackager.image.BuildRequest;
import dev.vmpackager.io.Digests;
import dev.vmpackager.image.BuildResult;
import dev.vmpackager.image.ContainerDiskSpec;
import dev.vmpackager.image.ImageException;
import dev.vmpackager.image.ImagePublisher;
import dev.vmpackager.image.ImageState;
import dev.vmpackager.image.ImageTarget;
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
import dev.vmpackager.registry.ImageReference;
import java.io.IOException;
import javax.inject.Inject;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/**
 * Publishes what the build made: the containerDisk image to its registry ({@code image} and every
 * tag) and the Helm chart to the OCI chart repository {@code chartRepository}, as {@code helm push}
 * would lay it out, so {@code helm install oci://...} works, and KubeVirt's VM artifact (built by
 * {@code vm-artifact}) to {@code artifactRepository}. Offline mode refuses to push. A VM of
 * several disks has every disk's image pushed (each checked before any is sent), then the chart.
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
   * Where KubeVirt's VM artifact ({@code target/<finalName>-vm.oci.tar}, built by
   * {@code vm-artifact} with {@code vm.artifact=true}) goes: an OCI repository
   * {@code oci://host[:port]/path}; it is pushed as {@code <path>/<artifactId>:<project version>}
   * (e.g. {@code oci://registry.example.com/vms} gives {@code registry.example.com/vms/librespeed-vm:0.0.1}),
   * with the image's credentials, TLS settings and retries. The tag names an OCI index whose one
   * entry is the artifact's manifest. When empty, the artifact is not pushed; when set, the artifact
   * must have been built.
   *
   * @since 0.3.0
   */
  @Parameter(property = "vm.artifact.repository")
  String artifactRepository;

  /**
   * Whether {@code vm-artifact} builds the VM artifact; read here only to say, when it is set and
   * {@code artifactRepository} is not, that the artifact stays in {@code target/}.
   *
   * @since 0.3.0
   */
  @Parameter(property = "vm.artifact", defaultValue = "false")
  boolean artifact;

  /**
   * Skips this goal.
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.push.skip", defaultValue = "false")
  boolean skipPush;

  /** @param settingsDecrypter decrypts {@code settings.xml} passwords of the registries */
  @Inject
  public PushMojo(SettingsDecrypter settingsDecrypter) {
    super(settingsDecrypter);
  }

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
    boolean pushArtifact = artifactRepository != null && !artifactRepository.isBlank();
    ImageReference reference = parsedImageReference();
    RegistryAccessResolver.requireOnline(session, "push the image " + reference.written()
        + (pushChart ? " and the chart to " + chartRepository.trim() : "")
        + (pushArtifact ? (pushChart ? "," : " and") + " the VM artifact to " + artifactRepository.trim() : ""));
    // Check both inputs before publishing anything, so a missing chart cannot leave the image
    // pushed alone.
    // Every disk's image: the boot disk's is <image>, each other disk's its own.
    Map<ImageReference, ContainerDiskSpec> images = new LinkedHashMap<>();
    // A VM no description or <disks> describes has one disk, <image>: its source need not be here.
    List<ImageReference> references = new ArrayList<>(List.of(reference));
    if (describesVm()) {
      for (VmDisk d : resolveVm(vm, imageReference()).disks()) {
        if (!d.isBootDisk()) {
          references.add(parsedImageReference(d.image().value()));
        }
      }
    }
    for (ImageReference r : references) {
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
    ArtifactLayout layout = null;
    String artifactReference = null;
    if (pushArtifact) {
      layout = vmArtifact();
      try {
        artifactReference = ArtifactPublisher.reference(
            OciChartRepository.parse(artifactRepository.trim(), "vm.artifact.repository"), artifactName(),
            project.getVersion());
      } catch (PublishException e) {
        RegistryAccessResolver.fail(e);
      }
    } else if (artifact) {
      getLog().info("No <artifactRepository> (vm.artifact.repository) is set: the VM artifact " + vmArtifactFile()
          + " is not pushed");
    }
    for (Map.Entry<ImageReference, ContainerDiskSpec> image : images.entrySet()) {
      pushImage(image.getValue(), image.getKey());
    }
    if (pushChart) {
      pushChart(repository, chart);
    }
    if (pushArtifact) {
      pushArtifact(layout, artifactReference);
    }
  }

  /** The artifact tar, read and checked before anything is pushed. */
  private ArtifactLayout vmArtifact() throws MojoFailureException, MojoExecutionException {
    Path tar = vmArtifactFile();
    if (!Files.isRegularFile(tar)) {
      throw new MojoFailureException("No VM artifact to push to " + artifactRepository.trim()
          + " (vm.artifact.repository): " + tar + " is missing. Build it with vm.artifact=true (the vm-artifact goal,"
          + " bound to the package phase), or unset vm.artifact.repository");
    }
    try {
      return ArtifactLayout.read(tar);
    } catch (ArtifactException e) {
      throw new MojoFailureException(e.getMessage(), e);
    } catch (IOException e) {
      throw new MojoExecutionException("Cannot read the VM artifact " + tar + ": " + e.getMessage(), e);
    }
  }

  /** @return the artifactId, made a valid repository name when it is not one (logged) */
  private String artifactName() {
    String id = project.getArtifactId();
    return id.matches("[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*") ? id
        : derived("VM artifact repository name", Names.chartName(id), "artifactId", id);
  }

  private void pushArtifact(ArtifactLayout layout, String reference)
      throws MojoExecutionException, MojoFailureException {
    try {
      String registry = reference.substring(0, reference.indexOf('/'));
      String digest = new ArtifactPublisher(listener()).push(layout, reference, registryAccess(registry));
      getLog().info("Pushed VM artifact " + reference + " (index " + Digests.sha256(layout.index()) + ", manifest "
          + digest + ")");
    } catch (IOException e) {
      RegistryAccessResolver.fail(e);
    }
  }

  private void pushImage(ContainerDiskSpec spec, ImageReference reference)
      throws MojoExecutionException, MojoFailureException {
    try {
      BuildResult pushed = ImagePublisher.push(BuildRequest.builder()
          .spec(spec)
          .target(ImageTarget.REGISTRY)
          .reference(reference)
          .additionalTags(extraTags())
          .access(registryAccess(reference.registry()))
          .offline(session.isOffline())
          .listener(listener())
          .build());
      getLog().info("Pushed image " + reference.written() + "@" + pushed.digest());
    } catch (ImageException e) {
      throw new MojoFailureException(e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MojoExecutionException("Interrupted while pushing " + reference.written(), e);
    }
  }

  private void pushChart(OciChartRepository repository, Path chart) throws MojoExecutionException, MojoFailureException {
    try {
      ChartPushResult r = new ChartPublisher(listener())
          .push(chart, repository, registryAccess(repository.registry()), buildTimestamp());
      getLog().info("Pushed chart " + r.reference() + "@" + r.digest() + ": helm install " + r.chartName()
          + " oci://" + r.reference().substring(0, r.reference().lastIndexOf(':')) + " --version " + r.chartVersion());
    } catch (IOException e) {
      RegistryAccessResolver.fail(e);
    }
  }
}
