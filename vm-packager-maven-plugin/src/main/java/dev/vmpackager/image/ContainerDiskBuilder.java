package dev.vmpackager.image;

import dev.vmpackager.event.BuildListener;
import dev.vmpackager.io.DiskFullException;
import dev.vmpackager.io.TempPaths;
import dev.vmpackager.registry.ImageReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Builds the KubeVirt containerDisk image: a scratch image with one layer holding {@code /disk/}
 * and {@code /disk/<vm>.<format>} (owned by 107:107), no entrypoint, the spec's labels, annotations
 * and environment, and one fixed timestamp, so the same disk gives the same digest.
 *
 * <p>We assemble the image ourselves ({@link LayerWriter}, {@link ImageJson}, {@link ImageArchive})
 * and use Jib core for its JSON mapper and, through {@link ImagePublisher}, as the registry client:
 * the layer blob is written once, straight into the tar, the layout or (registry target) a blob
 * file, and the push sends those bytes.
 */
public final class ContainerDiskBuilder {

  /** The tool name in the config's history and the registry client's user agent. */
  static final String TOOL_NAME = "vm-packager";

  private ContainerDiskBuilder() {}

  /**
   * Builds the image and writes it to the request's target.
   *
   * @param request what, where and how
   * @return digests and where the image went
   * @throws ImageException naming the file, parameter or registry when anything fails
   * @throws InterruptedException when the build thread is interrupted
   */
  public static BuildResult build(BuildRequest request) throws ImageException, InterruptedException {
    check(request);
    Optional<LayerRecord> reuse = LayerRecord.find(request.spec());
    return switch (request.target()) {
      case TAR, OCI_LAYOUT -> toFile(request, reuse);
      case REGISTRY -> ImagePublisher.toRegistry(request, reuse);
    };
  }

  /** Checks what holds for every target and for a push. */
  static void check(BuildRequest request) throws ImageException {
    ContainerDiskSpec spec = request.spec();
    if (spec.platforms().size() > 1 && request.target() == ImageTarget.TAR && spec.format() == ManifestFormat.DOCKER) {
      throw new ImageException("vm.platform lists " + spec.platforms().size() + " platforms " + spec.platforms()
          + ", but a Docker archive (imageFormat Docker, target tar) holds one image: use imageFormat OCI (an OCI"
          + " archive holds an image index), the registry target, or one platform");
    }
    if (request.target() == ImageTarget.OCI_LAYOUT && spec.format() == ManifestFormat.DOCKER) {
      throw new ImageException("An OCI image layout holds OCI manifests: use imageFormat OCI with"
          + " vm.containerize.target=oci-layout");
    }
    if (request.target() == ImageTarget.REGISTRY && request.offline()) {
      throw new ImageException("Maven is offline (-o): cannot push the image to " + request.access().registry());
    }
    for (String tag : request.additionalTags()) {
      if (!tag.matches("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}")) {
        throw new ImageException("'" + tag + "' in <tags> is not a valid image tag");
      }
    }
    if (!Files.isRegularFile(spec.disk())) {
      throw new ImageException("The disk " + spec.disk() + " does not exist: run vm-packager:convert first");
    }
  }

  private static BuildResult toFile(BuildRequest request, Optional<LayerRecord> reuse) throws ImageException {
    ContainerDiskSpec spec = request.spec();
    ImageReference reference = request.reference();
    Path output = request.output().orElseThrow();
    boolean tar = request.target() == ImageTarget.TAR;
    ImageArchive.Written w;
    try {
      w = tar
          ? ImageArchive.writeTar(spec, reference.toString(), output, reuse, request.threads(), request.listener())
          : ImageArchive.writeLayout(spec, reference.toString(), output, reuse, request.threads(), request.listener());
    } catch (IOException | RuntimeException e) {
      throw DiskFullException.of(e, output)
          .map(full -> new ImageException("Writing the containerDisk image " + reference + " failed: "
              + full.getMessage(), full))
          .orElseGet(() -> new ImageException("Writing the containerDisk image " + reference + " to " + output
              + " failed: " + e.getMessage(), e));
    }
    record(spec, w.layer(), reference, request.listener());
    request.listener().info("Wrote the containerDisk image " + reference + " (" + w.image().digest() + ") "
        + (tar ? "to " + output + " (read it with skopeo "
            + (spec.format() == ManifestFormat.OCI ? "oci-archive:" : "docker-archive:") + output + ")"
            : "as an OCI image layout to " + output));
    return result(w.image(), w.layer(), w.reused(), request);
  }

  /**
   * Records where the layer is and for which image, for push and the next build. A failure here
   * costs the next build's reuse, and push refuses the image until it is built again.
   */
  static void record(ContainerDiskSpec spec, LayerRecord layer, ImageReference reference, BuildListener listener) {
    try {
      layer.store(spec, reference.written());
    } catch (IOException e) {
      listener.warn("Cannot record where the layer blob of " + reference.written() + " is (" + e.getMessage()
          + "): push will refuse the image until containerize records it");
    }
  }

  static BuildResult result(ImageJson.Image image, LayerRecord layer, boolean reused, BuildRequest request) {
    return new BuildResult(image.digest(), image.configs().get(0).digest(), layer.layer().digest(),
        layer.layer().size(), reused, request.target(), request.output());
  }

  /**
   * Writes {@code digest} (and a newline) to {@code file} atomically: an image's {@code image.digest}
   * ({@link ImageState}), read by the chart goal to pin the image by digest and by push to check
   * that it sends the built image.
   *
   * @param file the digest file
   * @param digest {@code sha256:...}
   */
  public static void writeDigestFile(Path file, String digest) throws IOException {
    TempPaths.writeString(file, digest + "\n", StandardCharsets.US_ASCII);
  }
}
