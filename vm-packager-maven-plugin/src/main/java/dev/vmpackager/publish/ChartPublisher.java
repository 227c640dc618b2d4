package dev.vmpackager.publish;

import dev.vmpackager.event.BuildListener;
import dev.vmpackager.io.Digests;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import land.oras.ContainerRef;
import land.oras.Manifest;
import land.oras.Registry;
import land.oras.auth.NoAuthProvider;
import land.oras.auth.UsernamePasswordProvider;

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

  private static final int CONNECT_TIMEOUT_MS = 10_000;
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
   * @throws PublishException when the chart is unreadable or invalid, or the push fails otherwise
   */
  public ChartPushResult push(Path chartTgz, OciChartRepository repository, RegistryAccess access, Instant created)
      throws PublishException {
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
      chartDigest = sha256(chartTgz);
      chartSize = Files.size(chartTgz);
    } catch (IOException e) {
      throw new PublishException("Cannot read the chart package " + chartTgz + ": " + e.getMessage(), e);
    }
    byte[] manifest = manifest(meta, config, chartDigest, chartSize, created);
    String manifestJson = new String(manifest, StandardCharsets.UTF_8);
    String digest = sha256(manifest);
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
    Registry registry = openRegistry(access);
    listener.info("Pushing chart " + meta.name() + " " + meta.version() + " to " + repository + " (" + reference + ")");
    ExecutorService calls = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "vm-packager-chart-push");
      t.setDaemon(true);
      return t;
    });
    try {
      // Blobs first, the manifest (which makes the tag visible) last.
      withRetries(calls, "uploading the chart config of " + reference, () -> registry.pushBlob(ref, config), access);
      withRetries(calls, "uploading the chart " + chartTgz.getFileName() + " to " + reference,
          () -> registry.pushBlob(ref, chartTgz, Map.of()), access);
      withRetries(calls, "pushing the manifest of " + reference,
          () -> registry.pushManifest(ref, Manifest.fromJson(manifestJson)), access);
    } finally {
      calls.shutdownNow();
      // ORAS makes a thread pool per client (used for parallel pulls); do not leave it behind.
      registry.getExecutorService().shutdownNow();
    }
    listener.info("Pushed chart " + reference + " (digest " + digest + ")");
    return new ChartPushResult(reference, tag, digest, meta.name(), meta.version());
  }


  private interface Call {
    Object run();
  }

  private void withRetries(ExecutorService calls, String what, Call call, RegistryAccess access)
      throws PublishException {
    long backoff = retry.backoff().toMillis();
    for (int attempt = 1; ; attempt++) {
      Future<Object> f = calls.submit(call::run);
      try {
        f.get(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
        return;
      } catch (TimeoutException e) {
        f.cancel(true);
        throw new PublishException("The registry " + access.registry() + " did not answer within "
            + callTimeout.toSeconds() + " s while " + what, e);
      } catch (InterruptedException e) {
        f.cancel(true);
        Thread.currentThread().interrupt();
        throw new PublishException("Interrupted while " + what, e);
      } catch (ExecutionException wrapped) {
        Throwable e = wrapped.getCause();
        if (e instanceof Error err) {
          throw err;
        }
        PublishException failure = RegistryFaults.map(e, what, access);
        if (attempt >= retry.attempts() || !RegistryFaults.isTransient(e)) {
          if (attempt > 1) {
            failure.addSuppressed(new PublishException("gave up after " + attempt + " attempts"));
          }
          throw failure;
        }
        listener.warn(failure.getMessage() + "; trying again in " + backoff + " ms (attempt " + (attempt + 1)
            + " of " + retry.attempts() + ")");
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new PublishException("Interrupted while " + what, ie);
        }
        backoff *= 2;
      }
    }
  }

  /**
   * Builds the ORAS client: https verified against the system trust store (or only the CA file, if
   * one is given); with {@code allowInsecure}, a registry whose certificate does not verify is used
   * without verification and one that does not speak TLS over plain http, each with a warning.
   */
  Registry openRegistry(RegistryAccess access) throws PublishException {
    Registry.Builder b = Registry.builder();
    if (access.credentials().isPresent()) {
      RegistryCredentials c = access.credentials().get();
      b.withAuthProvider(new UsernamePasswordProvider(c.username(), c.password()));
      listener.debug("Registry " + access.registry() + ": credentials for user '" + c.username() + "' from "
          + c.source());
    } else {
      b.withAuthProvider(new NoAuthProvider());
      listener.debug("Registry " + access.registry() + ": no credentials, pushing anonymously");
    }
    if (access.caFile().isPresent()) {
      Path ca = access.caFile().get();
      if (!Files.isReadable(ca)) {
        throw new PublishException("The CA certificate file " + ca + " (vm.registry.caFile) does not exist or"
            + " cannot be read");
      }
    }
    if (!access.allowInsecure()) {
      access.caFile().ifPresent(b::withCaFile);
      return b.build();
    }
    switch (probeTls(access)) {
      case VERIFIED -> access.caFile().ifPresent(b::withCaFile);
      case UNVERIFIED -> {
        listener.warn("The TLS certificate of registry " + access.registry() + " is not trusted; pushing without"
            + " verifying it because vm.allowInsecureRegistries is set. Prefer vm.registry.caFile.");
        b.withSkipTlsVerify(true);
      }
      case PLAIN -> {
        listener.warn("Registry " + access.registry() + " does not speak TLS; pushing over plain http because"
            + " vm.allowInsecureRegistries is set" + (access.credentials().isPresent()
                ? ". The credentials travel unencrypted." : "."));
        b.withInsecure(true);
      }
      default -> throw new IllegalStateException();
    }
    return b.build();
  }

  enum Tls { VERIFIED, UNVERIFIED, PLAIN }

  /** Finds out, with one TLS handshake, whether the registry speaks TLS and whether its certificate verifies. */
  Tls probeTls(RegistryAccess access) throws PublishException {
    String registry = access.registry();
    int colon = registry.lastIndexOf(':');
    boolean hasPort = colon > registry.lastIndexOf(']');
    String host = hasPort ? registry.substring(0, colon) : registry;
    if (host.startsWith("[")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = hasPort ? Integer.parseInt(registry.substring(colon + 1)) : 443;
    SSLContext ctx;
    try {
      ctx = access.caFile().isPresent() ? caContext(access.caFile().get()) : SSLContext.getDefault();
    } catch (GeneralSecurityException | IOException e) {
      throw new PublishException("The CA certificate file " + access.caFile().get() + " (vm.registry.caFile) is not"
          + " a PEM certificate: " + e.getMessage(), e);
    }
    try (Socket plain = new Socket()) {
      plain.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
      plain.setSoTimeout((int) handshakeTimeout.toMillis());
      try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, host, port, false)) {
        SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(p);
        s.startHandshake();
        listener.debug("Registry " + registry + ": TLS certificate verified");
        return Tls.VERIFIED;
      }
    } catch (SSLException e) {
      if (RegistryFaults.find(e, java.security.cert.CertificateException.class) != null
          || String.valueOf(e.getMessage()).contains("certif")) {
        listener.debug("Registry " + registry + ": TLS certificate not trusted: " + e.getMessage());
        return Tls.UNVERIFIED;
      }
      listener.debug("Registry " + registry + ": no TLS (" + e.getMessage() + ")");
      return port == 443 && !hasPort ? Tls.UNVERIFIED : Tls.PLAIN;
    } catch (java.net.SocketTimeoutException e) {
      // Connected, but no TLS answer: a plain HTTP server waiting for its request line.
      listener.debug("Registry " + registry + ": no answer to a TLS handshake, taking it for plain http");
      return Tls.PLAIN;
    } catch (IOException e) {
      throw RegistryFaults.map(e, "connecting to it", access);
    }
  }

  private static SSLContext caContext(Path caFile) throws GeneralSecurityException, IOException {
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    try (InputStream in = Files.newInputStream(caFile)) {
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        ks.setCertificateEntry("ca" + i++, c);
      }
      if (i == 0) {
        throw new GeneralSecurityException("no certificate in it");
      }
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
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
        .name("mediaType").value(CONFIG_MEDIA_TYPE).name("digest").value(sha256(config)).name("size").value(config.length)
        .endObject()
        .name("layers").beginArray().beginObject()
        .name("mediaType").value(CHART_MEDIA_TYPE).name("digest").value(chartDigest).name("size").value(chartSize)
        .endObject().endArray()
        .optional("annotations", annotations)
        .endObject().toBytes();
  }

  static String sha256(byte[] data) {
    return Digests.sha256(data);
  }

  static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = Digests.sha256();
      byte[] buf = new byte[65536];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
      return Digests.ociDigest(md.digest());
    }
  }
}
