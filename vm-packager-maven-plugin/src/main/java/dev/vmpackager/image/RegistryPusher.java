package dev.vmpackager.image;

import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.api.DescriptorDigest;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.api.RegistryUnauthorizedException;
import com.google.cloud.tools.jib.blob.Blob;
import com.google.cloud.tools.jib.blob.BlobDescriptor;
import com.google.cloud.tools.jib.event.EventHandlers;
import com.google.cloud.tools.jib.global.JibSystemProperties;
import com.google.cloud.tools.jib.http.FailoverHttpClient;
import com.google.cloud.tools.jib.http.ResponseException;
import com.google.cloud.tools.jib.registry.RegistryClient;
import dev.vmpackager.event.BuildListener;
import dev.vmpackager.event.ProgressReporter;
import dev.vmpackager.publish.RegistryAccess;
import dev.vmpackager.publish.RegistryCredentials;
import dev.vmpackager.publish.RetryPolicy;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.security.DigestException;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Pushes the image with Jib core's registry client ({@link RegistryClient}), the way Jib's own
 * {@code AuthenticatePushStep}, {@code PushBlobStep} and {@code PushImageStep} use it: bearer-token
 * auth if the registry offers it, else basic auth with the credentials; then every blob the
 * registry does not have yet (the layer, read from where {@code containerize} wrote it, never
 * compressed again; the config(s)); then the manifest(s) (by digest when there is an index); and
 * last the index or manifest under the tag(s), so a tag never points at an incomplete image.
 */
final class RegistryPusher {

  private static final int READ_CHUNK = 1 << 20;

  private RegistryPusher() {}

  /**
   * @param reference the image reference (registry, repository, tag)
   * @param tags more tags for the same image
   * @param access credentials and TLS policy
   * @param image the JSON documents
   * @param layer where the layer blob is
   * @param listener progress; never the password
   * @param retry how often a call that failed in a passing way (HTTP 5xx/429, a dropped
   *     connection) is made again
   * @return the pushed digest (of the index or the manifest), as the registry reports it
   */
  static String push(ImageReference reference, List<String> tags, RegistryAccess access, ImageJson.Image image,
      LayerRecord layer, BuildListener listener, RetryPolicy retry)
      throws IOException, RegistryException, InterruptedException {
    EventHandlers handlers = EventHandlers.builder().add(LogEvent.class, e -> log(listener, e)).build();
    // As Jib: credentials go over plain http only with -DsendCredentialsOverHttp=true (allowInsecure
    // alone allows http and unverified TLS, but keeps the password off an unencrypted connection).
    FailoverHttpClient http = new FailoverHttpClient(access.allowInsecure(),
        JibSystemProperties.sendCredentialsOverHttp(), handlers::dispatch);
    try {
      Optional<RegistryCredentials> credentials = access.credentials();
      Credential credential = credentials.map(c -> Credential.from(c.username(), c.password())).orElse(null);
      RegistryClient client = RegistryClient.factory(handlers, reference.getRegistry(), reference.getRepository(), http)
          .setCredential(credential)
          .setUserAgent(ContainerDiskBuilder.TOOL_NAME)
          .newRegistryClient();
      Retrying calls = new Retrying(retry, listener, reference.getRegistry());
      boolean bearer = calls.call("authenticating", client::doPushBearerAuth);
      if (!bearer && credential != null && !credential.isOAuth2RefreshToken()) {
        client.configureBasicAuth(); // the registry answered "WWW-Authenticate: Basic"
      }

      LayerInfo l = layer.layer();
      DescriptorDigest layerDigest = digest(l.digest());
      if (calls.call("checking for the layer", () -> client.checkBlob(layerDigest)).isPresent()) {
        listener.info("The registry already has the layer " + l.digest());
      } else {
        calls.call("pushing the layer " + l.digest(), () -> {
          // A retry starts a new upload from the first byte, so its progress starts again too.
          ProgressReporter progress = ProgressReporter.start(listener, "Pushing the layer " + l.digest(), l.size());
          boolean mounted = client.pushBlob(layerDigest, new FileWindowBlob(layer), null, progress::advance);
          progress.finish();
          return mounted;
        });
      }
      for (ImageJson.Document config : image.configs()) {
        DescriptorDigest d = digest(config.digest());
        if (calls.call("checking for the config", () -> client.checkBlob(d)).isEmpty()) {
          calls.call("pushing the config " + d, () -> client.pushBlob(d, new BytesBlob(config.bytes(), d), null, n -> { }));
        }
      }
      String tag = reference.getTag().orElse(reference.getQualifier());
      if (image.index().isPresent()) {
        for (ImageJson.Document m : image.manifests()) {
          check(calls.call("pushing the manifest " + m.digest(), () -> client.pushManifest(m.manifest(), m.digest())), m);
        }
      }
      ImageJson.Document root = image.root();
      check(calls.call("pushing the image under the tag " + tag, () -> client.pushManifest(root.manifest(), tag)), root);
      for (String extra : tags) {
        check(calls.call("pushing the tag " + extra, () -> client.pushManifest(root.manifest(), extra)), root);
      }
      return root.digest();
    } finally {
      http.shutDown();
    }
  }

  /** A registry call through Jib's client. */
  private interface Call<T> {
    T run() throws IOException, RegistryException;
  }

  /**
   * Makes each call again when it failed in a way that may pass. Jib's registry client does not
   * retry (its high-level builder did not either): a 500 from a busy registry or a connection a
   * proxy dropped halfway through a multi-gigabyte upload would otherwise fail the deploy.
   */
  private record Retrying(RetryPolicy policy, BuildListener listener, String registry) {

    <T> T call(String what, Call<T> call) throws IOException, RegistryException, InterruptedException {
      long backoff = policy.backoff().toMillis();
      for (int attempt = 1; ; attempt++) {
        try {
          return call.run();
        } catch (IOException | RegistryException e) {
          if (attempt >= policy.attempts() || !isTransient(e)) {
            throw e;
          }
          listener.warn("The registry " + registry + " failed while " + what + " (" + describe(e)
              + "); trying again in " + backoff + " ms (attempt " + (attempt + 1) + " of " + policy.attempts() + ")");
          Thread.sleep(backoff);
          backoff *= 2;
        }
      }
    }
  }

  /**
   * @return whether trying again may pass: an HTTP 5xx or 429 answer, or a connection that broke
   *     mid-request; never 4xx, refused connections, unknown hosts or TLS failures
   */
  static boolean isTransient(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ResponseException r) {
        return r.getStatusCode() >= 500 || r.getStatusCode() == 429;
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof NoRouteToHostException
          || t instanceof SSLException || t instanceof RegistryUnauthorizedException) {
        return false;
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IOException) {
        return true; // reset, EOF, no answer, read timeout
      }
    }
    return false;
  }

  private static String describe(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ResponseException r) {
        return "HTTP " + r.getStatusCode();
      }
    }
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
  }

  /** The digest Jib computed from the template it sent must be the one of the bytes we wrote. */
  private static void check(DescriptorDigest pushed, ImageJson.Document document) throws IOException {
    if (!pushed.toString().equals(document.digest())) {
      throw new IOException("Jib serialised the " + document.mediaType() + " as " + pushed + ", not as the "
          + document.digest() + " written to the tar: this jib-core is not the 0.28.1 vm-packager is built with");
    }
  }

  private static DescriptorDigest digest(String digest) throws IOException {
    try {
      return DescriptorDigest.fromDigest(digest);
    } catch (DigestException e) {
      throw new IOException("not a sha256 digest: " + digest, e);
    }
  }

  private static void log(BuildListener listener, LogEvent e) {
    switch (e.getLevel()) {
      case ERROR, WARN -> listener.warn(e.getMessage());
      case LIFECYCLE -> listener.info(e.getMessage());
      default -> listener.debug(e.getMessage());
    }
  }

  /**
   * The layer as a window of the file that holds it (the image tar, the layout's blob, the blob
   * file): read, not hashed again (the registry verifies the digest when the upload completes).
   */
  private static final class FileWindowBlob implements Blob {
    private final LayerRecord layer;

    FileWindowBlob(LayerRecord layer) {
      this.layer = layer;
    }

    @Override
    public BlobDescriptor writeTo(OutputStream out) throws IOException {
      long size = layer.layer().size();
      try (FileChannel ch = FileChannel.open(layer.file(), StandardOpenOption.READ)) {
        ByteBuffer buf = ByteBuffer.allocate(READ_CHUNK);
        long done = 0;
        while (done < size) {
          buf.clear();
          buf.limit((int) Math.min(READ_CHUNK, size - done));
          int n = ch.read(buf, layer.offset() + done);
          if (n < 0) {
            throw new IOException(layer.file() + " ended inside the layer blob (" + done + " of " + size
                + " bytes): run vm-packager:containerize again");
          }
          out.write(buf.array(), 0, n);
          done += n;
        }
      }
      return new BlobDescriptor(size, digest(layer.layer().digest()));
    }

    @Override
    public boolean isRetryable() {
      return true;
    }
  }

  /** A small blob in memory (a config). */
  private static final class BytesBlob implements Blob {
    private final byte[] bytes;
    private final DescriptorDigest digest;

    BytesBlob(byte[] bytes, DescriptorDigest digest) {
      this.bytes = bytes;
      this.digest = digest;
    }

    @Override
    public BlobDescriptor writeTo(OutputStream out) throws IOException {
      out.write(bytes);
      return new BlobDescriptor(bytes.length, digest);
    }

    @Override
    public boolean isRetryable() {
      return true;
    }
  }
}
