package dev.vmpackager.mojo;

import dev.vmpackager.image.BuildRequest;
import dev.vmpackager.image.BuildResult;
import dev.vmpackager.image.ContainerDiskBuilder;
import dev.vmpackager.image.ContainerDiskSpec;
import dev.vmpackager.image.ImageException;
import dev.vmpackager.image.ImagePlatform;
import dev.vmpackager.image.ImageState;
import dev.vmpackager.image.ImageTarget;
import dev.vmpackager.image.LayerCompression;
import dev.vmpackager.image.ManifestFormat;
import dev.vmpackager.registry.ImageReference;
import dev.vmpackager.vm.VmDisk;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.inject.Inject;
import org.apache.maven.model.Scm;
import org.apache.maven.plugin.MojoExecution;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/**
 * Wraps the converted disk ({@code target/vm/<vm name>.<format>}, written by {@code convert}) as a
 * KubeVirt containerDisk image: one layer holding {@code /disk/} (0555) and
 * {@code /disk/<vm name>.<format>} (0444), both owned by 107:107, nothing else; no entrypoint;
 * OCI annotations (manifest annotations and config labels) from the project. The same disk gives
 * the same digest on every build. The image goes to a tar (default), an OCI image layout folder,
 * or straight to the registry. What {@code push} and {@code chart} read back is kept per image
 * reference in {@code target/vm/containerdisk/<reference as a path>/} (the spec, where the layer blob
 * is, and the digest in {@code image.digest}), so several executions, each with its own
 * {@code <image>}, never share a state file. A VM of several disks gets one image per disk: the
 * boot disk's is {@code <image>}, each other disk's its {@code <disks><disk><image>}, else
 * {@code <image repository>-<disk name>:<tag>}, holding {@code /disk/<vm name>-<disk name>.<format>}.
 *
 * @since 0.1.0
 */
@Mojo(name = "containerize", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true)
public class ContainerizeMojo extends AbstractRegistryMojo {

  /**
   * The VirtualMachine ({@code <vm>}); this goal reads its {@code <name>}: the disk it wraps is
   * {@code target/vm/<name>.<format>}, the file in the image {@code /disk/<name>.<format>} (with
   * several disks one image per disk, each holding {@code <name>-<disk>.<format>}). Default
   * name: the artifactId made a DNS label (lower case, other characters replaced by {@code -}, at
   * most 53 characters). The other fields ({@code memory}, {@code cpuCores}, {@code firmware}, ...)
   * are the chart's: {@code mvn vm-packager:help -Ddetail -Dgoal=chart} lists them. They are set in
   * the POM, not as {@code -D} properties.
   *
   * @since 0.1.0
   */
  @Parameter
  VmConfig vm;

  /**
   * The image tar written by the {@code tar} target: an OCI archive (read it with
   * {@code skopeo inspect oci-archive:<file>}) or, with {@code imageFormat=Docker}, a Docker archive
   * ({@code docker-archive:}, {@code docker load}). It holds the boot disk's image; each other disk
   * of the VM has its own tar beside it, the disk's name before {@code -containerdisk.tar}
   * ({@code target/<finalName>-<disk name>-containerdisk.tar}), or before the extension of a tar
   * named otherwise.
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.imageTar",
      defaultValue = "${project.build.directory}/${project.build.finalName}-containerdisk.tar")
  File imageTar;

  /**
   * The OCI image layout folder written by the {@code oci-layout} target (read it with
   * {@code skopeo inspect oci:<folder>}). It is replaced on every build.
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.imageLayout",
      defaultValue = "${project.build.directory}/${project.build.finalName}-containerdisk-oci")
  File imageLayout;

  /**
   * Where the image goes: {@code tar} (default, {@link #imageTar}), {@code registry} (pushed to the
   * registry named by {@code image}, with {@link #tags}) or {@code oci-layout} ({@link #imageLayout}).
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.containerize.target", defaultValue = "tar")
  String target;


  /**
   * Labels of the image config. They are added to, and override, the OCI annotation keys taken
   * from the project ({@code org.opencontainers.image.title}, {@code version}, {@code description},
   * {@code url}, {@code source} and {@code revision} from {@code <scm>}, {@code vendor},
   * {@code created}), which are both config labels and (OCI format) manifest annotations; a label
   * whose key starts with {@code org.opencontainers.image.} overrides the annotation too.
   *
   * @since 0.1.0
   */
  @Parameter
  Map<String, String> labels;

  /**
   * The manifest format: {@code OCI} (default; manifest annotations, an OCI image index for several
   * platforms) or {@code Docker} (image manifest v2 schema 2, a manifest list for several platforms
   * in a registry; no annotations, the labels carry them).
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.imageFormat", defaultValue = "OCI")
  String imageFormat;



  /**
   * The image platform(s), {@code os/architecture[/variant]} (e.g. {@code linux/arm/v7}),
   * comma-separated: default {@code linux/amd64}.
   * The disk is the same for all; several platforms give an OCI image index (a Docker manifest list
   * with {@code imageFormat=Docker}, registry target only) whose per-platform manifests share the one
   * layer. In a tar or layout, {@code skopeo copy --override-arch} picks the platform.
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.platform", defaultValue = "linux/amd64")
  String platform;

  /**
   * The layer's compression: {@code gzip} (default; deflated on every core, level 1: every runtime
   * reads it), {@code zstd} (level 3 on every core, media type {@code ...layer.v1.tar+zstd}: about
   * three times faster than gzip and smaller; read by containerd 1.5+, CRI-O and CDI 1.57+, not by
   * older runtimes; needs {@code imageFormat=OCI}) or {@code none} (an uncompressed tar layer, media
   * type {@code ...layer.v1.tar}: close to a copy, as large as the disk). Each gives the same bytes on
   * every machine, whatever its core count.
   *
   * @since 0.1.0 ({@code zstd} since 0.2.0)
   */
  @Parameter(property = "vm.layerCompression", defaultValue = "gzip")
  String layerCompression;

  /**
   * A default instance type recorded in the image (e.g. {@code u1.medium}), not the VM's: it sets the
   * image's {@code INSTANCETYPE_KUBEVIRT_IO_DEFAULT_INSTANCETYPE} environment variable, which CDI
   * copies to the label {@code instancetype.kubevirt.io/default-instancetype} of a volume it imports
   * the image into, where KubeVirt ({@code inferFromVolume}) and {@code virtctl} can pick it up.
   * The chart's VirtualMachine gets an instancetype from {@code <vm><instancetype>} of the
   * {@code chart} goal only. The old element name {@code <instancetype>} still works.
   *
   * @since 0.1.0
   */
  @Parameter(alias = "instancetype", property = "vm.image.defaultInstancetype")
  String defaultInstancetype;

  /**
   * A default preference recorded in the image (e.g. {@code fedora}), not the VM's: it sets the
   * image's {@code INSTANCETYPE_KUBEVIRT_IO_DEFAULT_PREFERENCE}, which CDI copies to the label
   * {@code instancetype.kubevirt.io/default-preference} of imported volumes. The chart's
   * VirtualMachine gets a preference from {@code <vm><preference>} of the {@code chart} goal only.
   * The old element name {@code <preference>} still works.
   *
   * @since 0.1.0
   */
  @Parameter(alias = "preference", property = "vm.image.defaultPreference")
  String defaultPreference;

  /**
   * Skips this goal.
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.containerize.skip", defaultValue = "false")
  boolean skipContainerize;

  /** This execution, named when two executions would write one image or one image file. */
  @Parameter(defaultValue = "${mojoExecution}", readonly = true)
  MojoExecution mojoExecution;

  /** @param settingsDecrypter decrypts {@code settings.xml} passwords of the registry target */
  @Inject
  public ContainerizeMojo(SettingsDecrypter settingsDecrypter) {
    super(settingsDecrypter);
  }

  @Override
  protected String goal() {
    return "containerize";
  }

  @Override
  protected boolean goalSkipped() {
    return skipContainerize;
  }

  @Override
  protected void doExecute() throws MojoExecutionException, MojoFailureException {
    ImageTarget imageTarget = parse("vm.containerize.target", () -> ImageTarget.parse(target));
    if (!describesVm()) {
      // One disk, <image>: its source need not be here, only convert's output.
      containerize(convertedDisk(vm, format), imageReference(), imageTarget, imageTar.toPath(),
          imageLayout.toPath());
      return;
    }
    for (VmDisk d : resolveVm(vm, imageReference()).disks()) {
      // The boot disk keeps <image>, <imageTar> and <imageLayout>; each other disk has its own image and files.
      String reference = d.isBootDisk() ? imageReference() : d.image().value();
      containerize(d.convertedFile(buildDirectory()), reference, imageTarget,
          d.isBootDisk() ? imageTar.toPath() : besides(imageTar.toPath(), d.name()),
          d.isBootDisk() ? imageLayout.toPath() : besides(imageLayout.toPath(), d.name()));
    }
  }

  /**
   * @param boot the boot disk's {@code <imageTar>} or {@code <imageLayout>}
   * @param disk another disk's name
   * @return that disk's: {@code <finalName>-<disk>-containerdisk.tar} (or {@code -oci}) for the
   *     default names, else the disk's name inserted before the extension
   */
  static Path besides(Path boot, String disk) {
    String name = boot.getFileName().toString();
    for (String suffix : List.of("-containerdisk.tar", "-containerdisk-oci")) {
      if (name.endsWith(suffix)) {
        return boot.resolveSibling(name.substring(0, name.length() - suffix.length()) + "-" + disk + suffix);
      }
    }
    int dot = name.lastIndexOf('.');
    return boot.resolveSibling(dot > 0 ? name.substring(0, dot) + "-" + disk + name.substring(dot)
        : name + "-" + disk);
  }

  private void containerize(Path disk, String referenceText, ImageTarget imageTarget, Path tar, Path layout)
      throws MojoExecutionException, MojoFailureException {
    if (!Files.isRegularFile(disk)) {
      throw new MojoFailureException("The converted disk " + disk + " does not exist: run vm-packager:convert"
          + " first (it binds to the package phase before containerize)");
    }
    ImageReference reference = parsedImageReference(referenceText);
    ImageState state = imageState(reference);
    ContainerDiskSpec spec = spec(disk, state);
    claimOutputs(imageTarget, state, disk, reference, tar, layout);
    BuildRequest.Builder request = BuildRequest.builder()
        .spec(spec)
        .target(imageTarget)
        .reference(reference)
        .additionalTags(extraTags())
        .offline(session != null && session.isOffline())
        .listener(listener());
    switch (imageTarget) {
      case TAR -> request.output(tar);
      case OCI_LAYOUT -> request.output(layout);
      case REGISTRY -> request.access(registryAccess(reference.registry()));
    }
    try {
      BuildResult result = ContainerDiskBuilder.build(request.build());
      state.record(spec, result.digest());
      getLog().info("containerDisk image " + reference.written() + "@" + result.digest() + " (state in "
          + state.directory() + ")");
    } catch (ImageException e) {
      throw new MojoFailureException(e.getMessage(), e);
    } catch (IOException e) {
      throw new MojoExecutionException("Cannot write " + state.directory() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MojoExecutionException("Interrupted while building the image", e);
    }
  }

  ContainerDiskSpec spec(Path disk, ImageState state) throws MojoFailureException {
    Instant time = buildTimestamp();
    List<ImagePlatform> platforms = parse("vm.platform", () -> ImagePlatform.parseList(platform));
    ContainerDiskSpec.Builder b = ContainerDiskSpec.builder()
        .disk(disk)
        .diskFileName(disk.getFileName().toString())
        .platforms(platforms)
        .format(parse("imageFormat", () -> ManifestFormat.parse(imageFormat)))
        .compression(parse("vm.layerCompression", () -> LayerCompression.parse(layerCompression)))
        .creationTime(time)
        .cacheDirectory(state.directory());
    Map<String, String> all = new LinkedHashMap<>(projectLabels(time));
    if (labels != null) {
      for (Map.Entry<String, String> e : labels.entrySet()) {
        if (e.getKey() == null || e.getKey().isBlank()) {
          throw new MojoFailureException("<labels> holds a label without a name");
        }
        all.put(e.getKey(), e.getValue() == null ? "" : e.getValue());
      }
    }
    b.labels(all);
    all.forEach((k, v) -> {
      if (k.startsWith(OCI_ANNOTATION_PREFIX)) {
        b.annotation(k, v);
      }
    });
    if (!blank(defaultInstancetype)) {
      b.environment("INSTANCETYPE_KUBEVIRT_IO_DEFAULT_INSTANCETYPE", defaultInstancetype.trim());
    }
    if (!blank(defaultPreference)) {
      b.environment("INSTANCETYPE_KUBEVIRT_IO_DEFAULT_PREFERENCE", defaultPreference.trim());
    }
    return parse("the image settings", b::build);
  }

  private static final String OCI_ANNOTATION_PREFIX = "org.opencontainers.image.";

  /** The pre-defined OCI annotation keys from the project: manifest annotations and config labels. */
  private Map<String, String> projectLabels(Instant time) {
    Map<String, String> l = new LinkedHashMap<>();
    l.put("org.opencontainers.image.title", blank(project.getName()) ? project.getArtifactId() : project.getName());
    l.put("org.opencontainers.image.version", project.getVersion());
    l.put("org.opencontainers.image.created", time.toString());
    if (!blank(project.getDescription())) {
      l.put("org.opencontainers.image.description", project.getDescription().trim().replaceAll("\\s+", " "));
    }
    if (!blank(project.getUrl())) {
      l.put("org.opencontainers.image.url", project.getUrl());
    }
    if (project.getOrganization() != null && !blank(project.getOrganization().getName())) {
      l.put("org.opencontainers.image.vendor", project.getOrganization().getName());
    }
    Scm scm = project.getScm();
    if (scm != null) {
      if (!blank(scm.getUrl())) {
        l.put("org.opencontainers.image.source", scm.getUrl());
      }
      if (!blank(scm.getTag()) && !"HEAD".equals(scm.getTag())) {
        l.put("org.opencontainers.image.revision", scm.getTag());
      }
    }
    return l;
  }

  /**
   * Fails before anything is written when another execution of this build already built this image
   * from another disk, or wrote this tar or layout for another image: either would leave push with
   * a tag or a file that no longer holds what the first execution built.
   */
  private void claimOutputs(ImageTarget imageTarget, ImageState state, Path disk, ImageReference reference, Path tar,
      Path layout) throws MojoFailureException {
    BuildClaims.claim(project, "the image " + state.canonicalReference(), disk.toAbsolutePath().normalize().toString(),
        mojoExecution, (prior, priorDisk, me) -> "Execution " + me + " builds the image " + state.reference()
            + " from " + disk + ", which execution " + prior + " built from " + priorDisk + " in this build: one tag"
            + " cannot hold two disks. Give one of them its own <image> (vm.image)");
    if (imageTarget != ImageTarget.REGISTRY) {
      boolean isTar = imageTarget == ImageTarget.TAR;
      Path output = (isTar ? tar : layout).toAbsolutePath().normalize();
      BuildClaims.claim(project, "the image file " + output, state.canonicalReference(), mojoExecution,
          (prior, priorImage, me) -> "Execution " + me + " writes the image " + state.reference() + " to " + output
              + ", which execution " + prior + " wrote for the image " + priorImage + " in this build: the second"
              + " would replace the first before it is pushed. Give one of them its own "
              + (isTar ? "<imageTar> (vm.imageTar)" : "<imageLayout> (vm.imageLayout)"));
    }
  }

  /** @return where this execution's image keeps its state, {@code target/vm/containerdisk/<reference>/} */
  private ImageState imageState(ImageReference reference) throws MojoFailureException {
    try {
      return ImageState.of(buildDirectory().resolve("vm"), reference);
    } catch (ImageException e) {
      throw new MojoFailureException(e.getMessage(), e);
    }
  }

  private interface Parse<T> {
    T get();
  }

  private static <T> T parse(String parameter, Parse<T> p) throws MojoFailureException {
    try {
      return p.get();
    } catch (IllegalArgumentException e) {
      throw new MojoFailureException(parameter + ": " + e.getMessage(), e);
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
