package dev.vmpackager.publish;

import dev.vmpackager.testing.LocalRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Reads what a {@link LocalRegistry} stores, straight over the distribution API (java.net.http). */
final class RegistryReader {

  private final LocalRegistry registry;
  private final HttpClient client;

  RegistryReader(LocalRegistry registry) throws Exception {
    this.registry = registry;
    HttpClient.Builder b = HttpClient.newBuilder();
    if (registry.tls()) {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      try (InputStream in = Files.newInputStream(registry.certificate())) {
        ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      b.sslContext(ctx);
    }
    this.client = b.build();
  }

  HttpResponse<byte[]> get(String path, String accept) throws IOException, InterruptedException {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create((registry.tls() ? "https://" : "http://")
        + registry.hostPort() + path));
    if (accept != null) {
      r.header("Accept", accept);
    }
    if (registry.auth()) {
      r.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
          (LocalRegistry.USERNAME + ":" + LocalRegistry.PASSWORD).getBytes(StandardCharsets.UTF_8)));
    }
    return client.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** @return the manifest bytes of {@code repo:tag} as stored, asking for an OCI image manifest */
  HttpResponse<byte[]> manifest(String repo, String tag) throws IOException, InterruptedException {
    return get("/v2/" + repo + "/manifests/" + tag, ChartPublisher.MANIFEST_MEDIA_TYPE);
  }

  byte[] blob(String repo, String digest) throws IOException, InterruptedException {
    HttpResponse<byte[]> r = get("/v2/" + repo + "/blobs/" + digest, null);
    if (r.statusCode() != 200) {
      throw new IOException("GET blob " + digest + ": " + r.statusCode());
    }
    return r.body();
  }
}
