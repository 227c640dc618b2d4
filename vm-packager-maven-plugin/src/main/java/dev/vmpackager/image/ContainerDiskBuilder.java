package dev.vmpackager.image;

import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InsecureRegistryException;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.RegistryAuthenticationFailedException;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.api.RegistryUnauthorizedException;
import dev.vmpackager.event.BuildListener;
import dev.vmpackager.io.DiskFullException;
import dev.vmpackager.io.TempPaths;
import dev.vmpackager.publish.RegistryAccess;
import dev.vmpackager.publish.RegistryCredentials;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLException;

/**
 * Builds the KubeVirt containerDisk image: a scratch image with one layer holding {@code /disk/}
 * and {@code /disk/<vm>.<format>} (owned by 107:107), no entrypoint, the spec's labels, annotations
 * and environment, and one fixed timestamp, so the same disk gives the same digest.
 *
 * <p>We assemble the image ourselves ({@link LayerWriter}, {@link ImageJson}, {@link ImageArchive})
 * and use Jib core as the registry client ({@link RegistryPusher}) and for its JSON mapper: the
 * layer blob is written once, straight into the tar, the layout or (registry target) a blob file,
 * and the push sends those bytes.
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
    ImageReference reference = check(request);
    Optional<LayerRecord> reuse = LayerRecord.find(request.spec());
    return switch (request.target()) {
      case TAR, OCI_LAYOUT -> toFile(request, reference, reuse);
      case REGISTRY -> toRegistry(request, reference, access(request, reference), reuse);
    };
  }

  /**
   * Pushes the image whose layer an earlier build recorded ({@link LayerRecord#require}): never
   * compresses the disk again, so what is pushed is what was built.
   *
   * @param request a registry request
   * @return digests and where the image went
   * @throws ImageException when no valid layer is recorded (saying what changed), or as {@link #build}
   */
  static BuildResult pushRecorded(BuildRequest request) throws ImageException, InterruptedException {
    if (request.target() != ImageTarget.REGISTRY) {
      throw new IllegalArgumentException("a push has the registry target, not " + request.target());
    }
    ImageReference reference = check(request);
    LayerRecord recorded;
    try {
      recorded = LayerRecord.require(request.spec());
    } catch (ImageException e) {
      throw new ImageException("Cannot push " + reference + ": " + e.getMessage() + ". The push sends only the layer"
          + " containerize wrote for the image, never compresses the disk again: run vm-packager:containerize for "
          + reference + " again", e);
    }
    return toRegistry(request, reference, access(request, reference), Optional.of(recorded));
  }

  /** Checks what holds for every target; @return the parsed reference */
  private static ImageReference check(BuildRequest request) throws ImageException {
    ContainerDiskSpec spec = request.spec();
    ImageReference reference = parseReference(request.reference());
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
      throw new ImageException("Maven is offline (-o): cannot push the image to "
          + access(request, reference).registry());
    }
    for (String tag : request.additionalTags()) {
      if (!tag.matches("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}")) {
        throw new ImageException("'" + tag + "' in <tags> is not a valid image tag");
      }
    }
    if (!Files.isRegularFile(spec.disk())) {
      throw new ImageException("The disk " + spec.disk() + " does not exist: run vm-packager:convert first");
    }
    return reference;
  }

  private static RegistryAccess access(BuildRequest request, ImageReference reference) {
    return request.access().orElse(RegistryAccess.anonymous(reference.getRegistry()));
  }

  private static BuildResult toFile(BuildRequest request, ImageReference reference, Optional<LayerRecord> reuse)
      throws ImageException {
    ContainerDiskSpec spec = request.spec();
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
    record(spec, w.layer(), request.reference(), request.listener());
    request.listener().info("Wrote the containerDisk image " + reference + " (" + w.image().digest() + ") "
        + (tar ? "to " + output + " (read it with skopeo "
            + (spec.format() == ManifestFormat.OCI ? "oci-archive:" : "docker-archive:") + output + ")"
            : "as an OCI image layout to " + output));
    return result(w.image(), w.layer(), w.reused(), request);
  }

  private static BuildResult toRegistry(BuildRequest request, ImageReference reference, RegistryAccess access,
      Optional<LayerRecord> reuse) throws ImageException, InterruptedException {
    ContainerDiskSpec spec = request.spec();
    Optional<RegistryCredentials> credentials = access.credentials();
    request.listener().info("Pushing the containerDisk image " + reference
        + (request.additionalTags().isEmpty() ? "" : " (tags " + request.additionalTags() + ")")
        + (credentials.map(cr -> " as " + cr.username() + " (" + cr.source() + ")").orElse(" anonymously")));
    if (access.allowInsecure()) {
      request.listener().warn("Talking to " + access.registry() + " without TLS verification (allowInsecureRegistries):"
          + " use this only for a test registry");
    }
    RegistryPreflight.check(access, request.listener());
    LayerRecord layer;
    if (reuse.isPresent()) {
      layer = reuse.get();
      request.listener().info("Pushing the layer " + layer.layer().digest() + " from " + layer.file()
          + " (written by containerize; not compressed again)");
    } else {
      Path blobs = spec.cacheDirectory().resolve("blobs");
      try {
        layer = ImageArchive.writeBlob(spec, blobs, request.threads(), request.listener());
      } catch (IOException | RuntimeException e) {
        throw DiskFullException.of(e, blobs)
            .map(full -> new ImageException("Writing the image layer of " + spec.disk() + " failed: "
                + full.getMessage(), full))
            .orElseGet(() -> new ImageException("Writing the image layer of " + spec.disk() + " to " + blobs
                + " failed: " + e.getMessage(), e));
      }
      record(spec, layer, request.reference(), request.listener());
    }
    ImageJson.Image image;
    try {
      image = ImageJson.of(spec, layer.layer());
    } catch (IOException e) {
      throw new ImageException("Cannot write the image's JSON: " + e.getMessage(), e);
    }
    Optional<Path> caFile = access.caFile();
    try {
      String digest = caFile.isPresent()
          ? RegistryTrust.withCaFile(caFile.get(),
              () -> RegistryPusher.push(reference, request.additionalTags(), access, image, layer, request.listener(),
                  request.retry()))
          : RegistryPusher.push(reference, request.additionalTags(), access, image, layer, request.listener(),
              request.retry());
      request.listener().info("Pushed " + reference + "@" + digest);
    } catch (InterruptedException e) {
      throw e;
    } catch (ImageException e) {
      throw e;
    } catch (Exception e) {
      throw failure(e, access.registry(), credentials);
    }
    return result(image, layer, reuse.isPresent(), request);
  }

  /**
   * Records where the layer is and for which image, for push and the next build. A failure here
   * costs the next build's reuse, and push refuses the image until it is built again.
   */
  private static void record(ContainerDiskSpec spec, LayerRecord layer, String reference, BuildListener listener) {
    try {
      layer.store(spec, reference);
    } catch (IOException e) {
      listener.warn("Cannot record where the layer blob of " + reference + " is (" + e.getMessage() + "): push will"
          + " refuse the image until containerize records it");
    }
  }

  private static BuildResult result(ImageJson.Image image, LayerRecord layer, boolean reused, BuildRequest request) {
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

  /**
   * @param reference an image reference, e.g. {@code registry.example.com/apps/vm:1.0}
   * @return its registry host as Jib reads it ({@code registry.example.com}; Docker Hub for a bare name)
   * @throws ImageException when the reference is not valid
   */
  public static String registryHost(String reference) throws ImageException {
    return parseReference(reference).getRegistry();
  }

  static ImageReference parseReference(String reference) throws ImageException {
    try {
      return ImageReference.parse(reference);
    } catch (InvalidImageReferenceException e) {
      throw new ImageException("'" + reference + "' (vm.image) is not an image reference such as"
          + " registry.example.com/apps/vm:1.0", e);
    }
  }

  /** Turns Jib's failures into messages that name the registry and what to do; never the secret. */
  static ImageException failure(Throwable e, String registry, Optional<RegistryCredentials> credentials) {
    Throwable root = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    String message;
    if (root instanceof RegistryUnauthorizedException || root instanceof RegistryAuthenticationFailedException) {
      message = "The registry " + registry + " refused access (401/403 Unauthorized) "
          + credentials.map(cr -> "for user '" + cr.username() + "' from " + cr.source()
              + ": check that user's password or token and its push rights")
          .orElse("to an anonymous push: add a <server> with id '" + registry
              + "' to settings.xml or log in with docker login");
    } else if (root instanceof InsecureRegistryException || has(root, SSLException.class)) {
      message = "Cannot verify the TLS certificate of the registry " + registry + ": give the registry's CA"
          + " certificate file, or set <allowInsecureRegistries> (vm.allowInsecureRegistries) for a test registry";
    } else if (has(root, UnknownHostException.class)) {
      message = "The registry host " + registry + " is unknown (DNS lookup failed)";
    } else if (has(root, ConnectException.class) || has(root, NoRouteToHostException.class)
        || has(root, SocketTimeoutException.class)) {
      message = "Cannot reach the registry " + registry + ": " + deepest(root).getMessage();
    } else if (root instanceof RegistryException) {
      message = "The registry " + registry + " rejected the image: " + root.getMessage();
    } else {
      message = "Building the containerDisk image failed: " + root;
    }
    if (credentials.isPresent() && !credentials.get().password().isEmpty()) {
      message = message.replace(credentials.get().password(), "****");
    }
    return new ImageException(message, root);
  }

  private static boolean has(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  private static Throwable deepest(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c;
  }
}
