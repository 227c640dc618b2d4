package dev.vmpackager.publish;

import dev.vmpackager.event.BuildListener;
import dev.vmpackager.io.Digests;
import dev.vmpackager.registry.RegistryAccess;
import dev.vmpackager.registry.RegistryAuthenticationException;
import dev.vmpackager.registry.RegistryException;
import dev.vmpackager.registry.RegistryUnreachableException;
import dev.vmpackager.registry.RetryPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;
import land.oras.ContainerRef;
import land.oras.Manifest;
import land.oras.Registry;

/**
 * Pushes a packaged chart ({@code .tgz}) to an OCI registry exactly as {@code helm push} does
 * (Helm 3.8+ {@code pkg/registry}): a config blob {@value #CONFIG_MEDIA_TYPE} holding Chart.yaml
 * as Helm's JSON, one layer {@value #CHART_MEDIA_TYPE} holding the .tgz bytes, and an OCI image
 * manifest without a top-level {@code mediaType}, annotated as Helm annotates it, tagged with the
 * chart version ({@code +} written {@code _}) at {@code <host>/<path>/<chart name>}.
 *
 * <p>The {@code org.opencontainers.image.created} annotation is the given timestamp (the build's
 * {@code project.build.outputTimestamp}) rather than "now", so pushing the same chart twice gives
 * the same manifest digest. Blobs are uploaded first and the manifest last, so a failed push never
 * leaves a tag pointing at missing content. Calls that fail with HTTP 5xx or a dropped connection
 * are retried ({@link RetryPolicy#DEFAULT}).
 *
 * <p>Transport is the ORAS Java SDK. Its {@code pushManifest} would add a "now" creation time to a
 * manifest built from its model; a manifest made with {@link Manifest#fromJson(String)} is sent
 * byte for byte, so this class writes the manifest JSON itself (Go's encoding, as Helm's) and
 * hands ORAS only the bytes.
 *
 * <pre>{@code
 * ChartPushResult r = new ChartPublisher(listener).push(Path.of("target/app-1.0.0.tgz"),
 *     OciChartRepository.parse("oci://registry.example.com/charts"), access, Instant.EPOCH);
 * }</pre>
 */
public final class ChartPublisher {

  /** The media type of Helm's config blob. */
  public static final String CONFIG_MEDIA_TYPE = "application/vnd.cncf.helm.config.v1+json";
  /** The media type of the chart layer. */
  public static final String CHART_MEDIA_TYPE = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
  /** The content type the manifest is pushed with. */
  public static final String MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";

  /** A TLS server answers a ClientHello at once; a plain HTTP server may wait for a request line. */
  private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);
  /**
   * ORAS sets only a connect timeout: a registry that accepts and then never answers would hang
   * the build. Each call gets this long (a chart is kilobytes; this is generous).
   */
  private static final Duration CALL_TIMEOUT = Duration.ofMinutes(5);

  private final BuildListener listener;
  private final RetryPolicy retry;
  private final Duration handshakeTimeout;
  private final Duration callTimeout;

  /** @param listener where progress, warnings and debug lines go (never a secret) */
  public ChartPublisher(BuildListener listener) {
    this(listener, RetryPolicy.DEFAULT);
  }

  /**
   * @param listener where progress, warnings and debug lines go
   * @param retry how often calls failing with 5xx or a dropped connection are tried
   */
  public ChartPublisher(BuildListener listener, RetryPolicy retry) {
    this(listener, retry, HANDSHAKE_TIMEOUT, CALL_TIMEOUT);
  }

  ChartPublisher(BuildListener listener, RetryPolicy retry, Duration handshakeTimeout, Duration callTimeout) {
    this.listener = Objects.requireNonNull(listener, "listener");
    this.retry = Objects.requireNonNull(retry, "retry");
    this.handshakeTimeout = Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
    this.callTimeout = Objects.requireNonNull(callTimeout, "callTimeout");
  }

  /**
   * Pushes the chart.
   *
   * @param chartTgz the packaged chart, {@code <name>-<version>.tgz}
   * @param repository where to push, from {@link OciChartRepository#parse(String)}
   * @param access credentials and TLS policy for {@code repository.registry()}
   * @param created the creation time written into the manifest (truncated to seconds); use the
   *     build's output timestamp, or {@link Instant#EPOCH}, for reproducible digests
   * @return the reference, tag and manifest digest
   * @throws RegistryAuthenticationException on HTTP 401/403
   * @throws RegistryUnreachableException when the registry cannot be connected to or TLS fails
   * @throws RegistryException when the push fails otherwise (the registry kept failing, did not answer)
   * @throws PublishException when the chart is unreadable or invalid
   */
  public ChartPushResult push(Path chartTgz, OciChartRepository repository, RegistryAccess access, Instant created)
      throws PublishException, RegistryException {
    if (!repository.registry().equals(access.registry())) {
      throw new IllegalArgumentException("access is for " + access.registry() + ", the repository is on "
          + repository.registry());
    }
    ChartMetadata meta = ChartArchive.readMetadata(chartTgz);
    Path provenance = chartTgz.resolveSibling(chartTgz.getFileName() + ".prov");
    if (Files.exists(provenance)) {
      listener.warn("The provenance file " + provenance + " is not pushed (helm push would add it as a layer);"
          + " signed charts are not supported yet");
    }
    String tag = OciChartRepository.tagFor(meta.version());
    String repo = repository.repositoryFor(meta.name());
    String reference = repo + ":" + tag;
    if (!tag.equals(meta.version())) {
      listener.info("Chart version " + meta.version() + " contains '+', which OCI tags do not allow: pushing as tag "
          + tag + " (helm pull --version " + meta.version() + " finds it)");
    }
    if (meta.isPrerelease()) {
      listener.info("Chart version " + meta.version() + " is a pre-release: helm install/pull pick it only when"
          + " asked for that version explicitly (--version " + meta.version() + ") or with --devel");
    }

    byte[] config = meta.configJson();
    String chartDigest;
    long chartSize;
    try {
      chartDigest = Digests.sha256(chartTgz);
      chartSize = Files.size(chartTgz);
    } catch (IOException e) {
      throw new PublishException("Cannot read the chart package " + chartTgz + ": " + e.getMessage(), e);
    }
    byte[] manifest = manifest(meta, config, chartDigest, chartSize, created);
    String manifestJson = new String(manifest, StandardCharsets.UTF_8);
    String digest = Digests.sha256(manifest);
    listener.debug("Chart manifest for " + reference + ": " + manifestJson);

    ContainerRef ref;
    try {
      ref = ContainerRef.parse(reference);
    } catch (RuntimeException e) {
      throw new PublishException("'" + reference + "' is not a valid OCI reference: " + e.getMessage(), e);
    }
    if (!access.registry().equals(ref.getRegistry())) {
      // ORAS (like Docker) takes a first component without '.' or ':' for a Docker Hub namespace.
      throw new PublishException("Invalid chart repository '" + repository + "' (" + OciChartRepository.PROPERTY
          + "): the host '" + access.registry() + "' must contain a '.' or a ':port'");
    }
    try (OrasSession oras = new OrasSession(listener, retry, access, handshakeTimeout, callTimeout)) {
      Registry registry = oras.registry();
      listener.info("Pushing chart " + meta.name() + " " + meta.version() + " to " + repository + " (" + reference
          + ")");
      // Blobs first, the manifest (which makes the tag visible) last.
      oras.call("uploading the chart config of " + reference, () -> registry.pushBlob(ref, config));
      oras.call("uploading the chart " + chartTgz.getFileName() + " to " + reference,
          () -> registry.pushBlob(ref, chartTgz, Map.of()));
      oras.call("pushing the manifest of " + reference,
          () -> registry.pushManifest(ref, Manifest.fromJson(manifestJson)));
    }
    listener.info("Pushed chart " + reference + " (digest " + digest + ")");
    return new ChartPushResult(reference, tag, digest, meta.name(), meta.version());
  }

  /**
   * The manifest {@code helm push} writes for a chart: a function of its inputs only (Go's JSON,
   * annotation keys sorted), so the same chart and time give the same manifest digest in every JVM.
   *
   * @param meta the chart's metadata
   * @param config the config blob, {@link ChartMetadata#configJson()}
   * @param chartDigest the {@code sha256:} digest of the .tgz
   * @param chartSize the size of the .tgz
   * @param created the creation time (truncated to seconds)
   * @return the manifest's bytes
   */
  static byte[] manifest(ChartMetadata meta, byte[] config, String chartDigest, long chartSize, Instant created) {
    String createdText = DateTimeFormatter.ISO_INSTANT.format(created.truncatedTo(ChronoUnit.SECONDS));
    Map<String, String> annotations = meta.ociAnnotations(createdText);
    return new GoJson().beginObject()
        .name("schemaVersion").value(2)
        .name("config").beginObject()
        .name("mediaType").value(CONFIG_MEDIA_TYPE).name("digest").value(Digests.sha256(config))
        .name("size").value(config.length)
        .endObject()
        .name("layers").beginArray().beginObject()
        .name("mediaType").value(CHART_MEDIA_TYPE).name("digest").value(chartDigest).name("size").value(chartSize)
        .endObject().endArray()
        .optional("annotations", annotations)
        .endObject().toBytes();
  }
}
