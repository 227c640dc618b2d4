package dev.vmpackager.artifact;

import dev.vmpackager.event.BuildListener;
import dev.vmpackager.publish.OciChartRepository;
import dev.vmpackager.publish.OrasSession;
import dev.vmpackager.publish.PublishException;
import dev.vmpackager.registry.RegistryAccess;
import dev.vmpackager.registry.RegistryException;
import dev.vmpackager.registry.RetryPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import land.oras.ContainerRef;
import land.oras.Index;
import land.oras.Manifest;
import land.oras.Registry;

/**
 * Pushes a VM artifact tar to a registry as KubeVirt's importers read it: every disk blob
 * (streamed from the tar, never compressed again) and the config, then the manifest by its digest,
 * then the index under the tag, so the tag names an index whose one entry is the manifest (VEP 256:
 * always an index) and a failed push never leaves a tag pointing at missing content. The bytes
 * sent are the tar's, so the pushed digests are the built ones. Credentials, TLS and retries are
 * those of every push ({@link OrasSession}).
 */
public final class ArtifactPublisher {

  /** One call may upload a disk of gigabytes. */
  private static final Duration CALL_TIMEOUT = Duration.ofHours(2);

  private final BuildListener listener;
  private final RetryPolicy retry;

  /** @param listener where progress, warnings and debug lines go (never a secret) */
  public ArtifactPublisher(BuildListener listener) {
    this(listener, RetryPolicy.DEFAULT);
  }

  /**
   * @param listener where progress, warnings and debug lines go
   * @param retry how often calls failing with 5xx or a dropped connection are tried
   */
  public ArtifactPublisher(BuildListener listener, RetryPolicy retry) {
    this.listener = Objects.requireNonNull(listener, "listener");
    this.retry = Objects.requireNonNull(retry, "retry");
  }

  /**
   * @param repository where the artifact goes, {@code oci://host[:port]/path}
   * @param name the repository's last component (the artifactId)
   * @param tag the tag (the project version)
   * @return {@code host[:port]/path/name:tag}
   * @throws PublishException naming {@code vm.artifact.repository} when that is no valid reference
   */
  public static String reference(OciChartRepository repository, String name, String tag) throws PublishException {
    String reference = repository.repositoryFor(name) + ":" + OciChartRepository.tagFor(tag);
    try {
      ContainerRef ref = ContainerRef.parse(reference);
      if (!repository.registry().equals(ref.getRegistry())) {
        throw new PublishException("Invalid VM artifact repository '" + repository + "' (vm.artifact.repository):"
            + " the host '" + repository.registry() + "' must contain a '.' or a ':port'");
      }
    } catch (RuntimeException e) {
      throw new PublishException("'" + reference + "' is not a valid OCI reference: " + e.getMessage(), e);
    }
    return reference;
  }

  /**
   * @param layout the artifact tar, read ({@link ArtifactLayout#read})
   * @param reference where to push, from {@link #reference}
   * @param access credentials and TLS policy for the reference's registry
   * @return the manifest's digest
   * @throws RegistryException when the push fails (authentication, an unreachable registry, a
   *     registry that kept failing)
   */
  public String push(ArtifactLayout layout, String reference, RegistryAccess access) throws RegistryException {
    ContainerRef ref = ContainerRef.parse(reference);
    Path tar = layout.tar();
    try (OrasSession oras = new OrasSession(listener, retry, access, CALL_TIMEOUT)) {
      Registry registry = oras.registry();
      listener.info("Pushing the VM artifact " + tar.getFileName() + " to " + reference);
      for (ArtifactLayout.Blob b : layout.layers()) {
        oras.call("uploading the disk blob " + b.digest() + " to " + reference,
            () -> registry.pushBlob(ref.withDigest(b.digest()), b.size(), () -> {
              try {
                return b.open(tar);
              } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + tar + ": " + e.getMessage(), e);
              }
            }, Map.of()));
      }
      oras.call("uploading the VirtualMachine config of " + reference, () -> registry.pushBlob(ref, layout.config()));
      String manifest = new String(layout.manifest(), StandardCharsets.UTF_8);
      oras.call("pushing the manifest of " + reference,
          () -> registry.pushManifest(ref.withDigest(layout.manifestDigest()), Manifest.fromJson(manifest)));
      String index = new String(layout.index(), StandardCharsets.UTF_8);
      oras.call("pushing the index of " + reference, () -> registry.pushIndex(ref, Index.fromJson(index)));
    }
    return layout.manifestDigest();
  }
}
