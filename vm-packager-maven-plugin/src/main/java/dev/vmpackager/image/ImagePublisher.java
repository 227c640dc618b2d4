package dev.vmpackager.image;

import dev.vmpackager.event.BuildListener;
import dev.vmpackager.io.DiskFullException;
import dev.vmpackager.registry.ImageReference;
import dev.vmpackager.registry.RegistryAccess;
import dev.vmpackager.registry.RegistryCredentials;
import dev.vmpackager.registry.RegistryException;
import dev.vmpackager.registry.RegistryProbe;
import dev.vmpackager.registry.RegistryTrust;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;

/**
 * Pushes the containerDisk image to its registry: the API of the {@code push} goal, and the
 * registry target of {@code containerize}. Typical use:
 *
 * <pre>{@code
 * ImageReference ref = ImageReference.parse("registry.example.com/apps/vm:1.0", "vm.image");
 * ImageState state = ImageState.of(target.resolve("vm"), ref);
 * BuildResult pushed = ImagePublisher.push(BuildRequest.builder()
 *     .spec(state.built()) // what containerize recorded for that image, checked
 *     .target(ImageTarget.REGISTRY).reference(ref).additionalTags(List.of("latest"))
 *     .access(access).offline(session.isOffline()).listener(listener).build());
 * }</pre>
 *
 * <p>The push rebuilds nothing: the layer blob is read from where {@code containerize} wrote it (a
 * window of the image tar, the OCI layout's blob, or the registry target's blob file in the image's
 * state folder), as recorded in that folder's {@code layer.properties}. When that record is missing,
 * or the disk or the file holding the blob changed since (another build or execution wrote it
 * again), the push fails saying what changed, instead of compressing a disk that may not be the one
 * the tag was built from. Jib's registry client ({@link RegistryPusher}) checks which blobs the
 * registry already has and uploads only the others, and the config, manifest(s) and index are the
 * same bytes as in the tar, so the pushed digest equals the one in the image's {@code image.digest}.
 */
public final class ImagePublisher {

  /** How long the look before the push waits for a connection's TLS answer. */
  private static final Duration PREFLIGHT_TIMEOUT = Duration.ofSeconds(10);

  private ImagePublisher() {}

  /**
   * Pushes the image whose layer an earlier build recorded ({@link LayerRecord#require}): never
   * compresses the disk again, so what is pushed is what was built.
   *
   * @param request what to push and where: the {@link ImageTarget#REGISTRY} target, the spec as
   *     {@code containerize} stored it ({@link ImageState#built()}), the reference, more tags, the
   *     registry's credentials and TLS policy ({@code allowInsecure} warns and turns off TLS
   *     verification and allows http; {@code caFile} is trusted on top of the JVM's CAs)
   * @return the pushed image: its manifest's (or index's) digest and the layer's
   * @throws ImageException with a message naming the registry (401/403, unreachable, TLS, offline),
   *     or saying why the recorded layer cannot be sent
   * @throws InterruptedException when interrupted
   */
  public static BuildResult push(BuildRequest request) throws ImageException, InterruptedException {
    if (request.target() != ImageTarget.REGISTRY) {
      throw new IllegalArgumentException("a push has the registry target, not " + request.target());
    }
    ContainerDiskBuilder.check(request);
    LayerRecord recorded;
    try {
      recorded = LayerRecord.require(request.spec());
    } catch (ImageException e) {
      ImageReference reference = request.reference();
      throw new ImageException("Cannot push " + reference + ": " + e.getMessage() + ". The push sends only the layer"
          + " containerize wrote for the image, never compresses the disk again: run vm-packager:containerize for "
          + reference + " again", e);
    }
    return toRegistry(request, Optional.of(recorded));
  }

  /**
   * Sends the image to the request's registry.
   *
   * @param request a registry request, checked ({@link ContainerDiskBuilder#check})
   * @param reuse the layer an earlier build wrote; when empty, the layer is written to the image's
   *     blob folder first
   * @return digests and where the image went
   */
  static BuildResult toRegistry(BuildRequest request, Optional<LayerRecord> reuse)
      throws ImageException, InterruptedException {
    ContainerDiskSpec spec = request.spec();
    ImageReference reference = request.reference();
    RegistryAccess access = request.access();
    Optional<RegistryCredentials> credentials = access.credentials();
    request.listener().info("Pushing the containerDisk image " + reference
        + (request.additionalTags().isEmpty() ? "" : " (tags " + request.additionalTags() + ")")
        + (credentials.map(cr -> " as " + cr.username() + " (" + cr.source() + ")").orElse(" anonymously")));
    if (access.allowInsecure()) {
      request.listener().warn("Talking to " + access.registry() + " without TLS verification (allowInsecureRegistries):"
          + " use this only for a test registry");
    }
    SSLContext trust;
    try {
      trust = RegistryProbe.trust(access, true);
      preflight(access, trust, request.listener());
    } catch (RegistryException e) {
      throw new ImageException(e.getMessage(), e);
    }
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
      ContainerDiskBuilder.record(spec, layer, reference, request.listener());
    }
    ImageJson.Image image;
    try {
      image = ImageJson.of(spec, layer.layer());
    } catch (IOException e) {
      throw new ImageException("Cannot write the image's JSON: " + e.getMessage(), e);
    }
    Callable<String> push = () -> RegistryPusher.push(request, image, layer);
    try {
      // Jib trusts the JVM's default TLS context only (RegistryTrust says why this way).
      String digest = access.caFile().isPresent() ? RegistryTrust.withDefault(trust, push) : push.call();
      request.listener().info("Pushed " + reference + "@" + digest);
    } catch (InterruptedException | ImageException e) {
      throw e;
    } catch (RegistryException e) {
      throw new ImageException(e.getMessage(), e);
    } catch (Exception e) {
      throw new ImageException("Pushing the containerDisk image " + reference + " to " + access.registry()
          + " failed: " + e, e);
    }
    return ContainerDiskBuilder.result(image, layer, reuse.isPresent(), request);
  }

  /**
   * One quick look at the registry before Jib talks to it. Jib's HTTP layer retries every I/O
   * failure with an exponential back-off for about 50 seconds, including failures that cannot heal
   * (an unknown host, a closed port, a certificate nobody trusts); this turns those into an
   * immediate, clear error. It connects and, unless insecure registries are allowed (Jib may then
   * fall back to unverified TLS or plain http), completes a verified TLS handshake with the trust
   * Jib will use. It is skipped when a proxy is configured, since Jib then does not connect directly.
   */
  private static void preflight(RegistryAccess access, SSLContext trust, BuildListener listener)
      throws RegistryException {
    if (System.getProperty("https.proxyHost") != null || System.getProperty("http.proxyHost") != null) {
      listener.debug("A proxy is configured: not checking " + access.registry() + " directly");
      return;
    }
    if (access.allowInsecure()) {
      RegistryProbe.reach(access);
    } else {
      RegistryProbe.requireVerified(access, trust, PREFLIGHT_TIMEOUT);
    }
  }
}
