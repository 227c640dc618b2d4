package dev.vmpackager.image;

import dev.vmpackager.event.BuildListener;
import dev.vmpackager.publish.RegistryAccess;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Pushes the containerDisk image that {@code containerize} built to its registry: the API of the
 * {@code push} goal. Typical use:
 *
 * <pre>{@code
 * ImageState state = ImageState.of(target.resolve("vm"), "registry.example.com/apps/vm:1.0");
 * ContainerDiskSpec spec = state.built(); // what containerize recorded for that image, checked
 * String digest = ImagePublisher.push(new ImagePublisher.PushRequest(spec,
 *     state.reference(), List.of("latest"), access, session.isOffline(), listener));
 * }</pre>
 *
 * <p>The push rebuilds nothing: the layer blob is read from where {@code containerize} wrote it (a
 * window of the image tar, the OCI layout's blob, or the registry target's blob file in the image's
 * state folder), as recorded in that folder's {@code layer.properties}. When that record is missing,
 * or the disk or the file holding the blob changed since (another build or execution wrote it
 * again), the push fails saying what changed, instead of compressing a disk that may not be the one
 * the tag was built from. Jib's registry client checks which blobs the registry already has and
 * uploads only the others, and the config, manifest(s) and index are the same bytes as in the tar,
 * so the pushed digest equals the one in the image's {@code image.digest}.
 */
public final class ImagePublisher {

  private ImagePublisher() {}

  /**
   * What to push and where.
   *
   * @param spec the image, as {@code containerize} stored it ({@link ContainerDiskSpec#load(Path)})
   * @param reference the target reference, e.g. {@code registry.example.com/apps/vm:1.0}
   * @param additionalTags more tags for the same manifest
   * @param access the registry's credentials and TLS policy ({@code allowInsecure} warns and turns
   *     off TLS verification and allows http; {@code caFile} is trusted on top of the JVM's CAs)
   * @param offline Maven's offline mode: fails before any connection
   * @param listener progress and the registry client's messages; credentials are never logged
   */
  public record PushRequest(ContainerDiskSpec spec, String reference, List<String> additionalTags,
      RegistryAccess access, boolean offline, BuildListener listener) {

    public PushRequest {
      Objects.requireNonNull(spec, "spec");
      Objects.requireNonNull(reference, "reference");
      additionalTags = List.copyOf(additionalTags);
      Objects.requireNonNull(access, "access");
      listener = listener == null ? BuildListener.NONE : listener;
    }
  }

  /**
   * @param request what to push and where
   * @return the pushed manifest's (or index's) digest, {@code sha256:...}
   * @throws ImageException with a message naming the registry (401/403, unreachable, TLS, offline),
   *     or saying why the recorded layer cannot be sent
   * @throws InterruptedException when interrupted
   */
  public static String push(PushRequest request) throws ImageException, InterruptedException {
    return pushWithResult(request).digest();
  }

  /**
   * As {@link #push(PushRequest)}, with the layer details (whether it was reused from the cache).
   *
   * @param request what to push and where
   * @return the build result of the registry target
   */
  public static BuildResult pushWithResult(PushRequest request) throws ImageException, InterruptedException {
    return ContainerDiskBuilder.pushRecorded(BuildRequest.builder()
        .spec(request.spec())
        .target(ImageTarget.REGISTRY)
        .reference(request.reference())
        .additionalTags(request.additionalTags())
        .access(request.access())
        .offline(request.offline())
        .listener(request.listener())
        .build());
  }
}
