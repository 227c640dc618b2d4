package dev.vmpackager.image;

import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.api.DescriptorDigest;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.blob.Blob;
import com.google.cloud.tools.jib.blob.BlobDescriptor;
import com.google.cloud.tools.jib.event.EventHandlers;
import com.google.cloud.tools.jib.global.JibSystemProperties;
import com.google.cloud.tools.jib.http.FailoverHttpClient;
import com.google.cloud.tools.jib.registry.RegistryClient;
import dev.vmpackager.event.BuildListener;
import dev.vmpackager.event.ProgressReporter;
import dev.vmpackager.registry.ImageReference;
import dev.vmpackager.registry.RegistryAccess;
import dev.vmpackager.registry.RegistryCredentials;
import dev.vmpackager.registry.RegistryException;
import dev.vmpackager.registry.RetryPolicy;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.security.DigestException;
import java.util.Optional;

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
   * @param request the reference (registry, repository, tag), more tags, the registry's access,
   *     the retry policy, and where progress goes (never the password)
   * @param image the JSON documents
   * @param layer where the layer blob is
   * @return the pushed digest (of the index or the manifest), as the registry reports it
   * @throws RegistryException when the registry refuses or keeps failing, as {@link RetryPolicy#call} reports it
   * @throws ImageException when Jib would send other bytes than the image's
   * @throws IOException when the connections cannot be closed
   */
  static String push(BuildRequest request, ImageJson.Image image, LayerRecord layer)
      throws ImageException, IOException, InterruptedException {
    ImageReference reference = request.reference();
    RegistryAccess access = request.access();
    BuildListener listener = request.listener();
    RetryPolicy retry = request.retry();
    EventHandlers handlers = EventHandlers.builder().add(LogEvent.class, e -> log(listener, e)).build();
    // As Jib: credentials go over plain http only with -DsendCredentialsOverHttp=true (allowInsecure
    // alone allows http and unverified TLS, but keeps the password off an unencrypted connection).
    FailoverHttpClient http = new FailoverHttpClient(access.allowInsecure(),
        JibSystemProperties.sendCredentialsOverHttp(), handlers::dispatch);
    try {
      Optional<RegistryCredentials> credentials = access.credentials();
      Credential credential = credentials.map(c -> Credential.from(c.username(), c.password())).orElse(null);
      RegistryClient client = RegistryClient.factory(handlers, reference.registry(), reference.repository(), http)
          .setCredential(credential)
          .setUserAgent(ContainerDiskBuilder.TOOL_NAME)
          .newRegistryClient();
      boolean bearer = retry.call("authenticating", access, listener, client::doPushBearerAuth);
      if (!bearer && credential != null && !credential.isOAuth2RefreshToken()) {
        client.configureBasicAuth(); // the registry answered "WWW-Authenticate: Basic"
      }

      LayerInfo l = layer.layer();
      DescriptorDigest layerDigest = digest(l.digest());
      if (retry.call("checking for the layer", access, listener, () -> client.checkBlob(layerDigest)).isPresent()) {
        listener.info("The registry already has the layer " + l.digest());
      } else {
        retry.call("pushing the layer " + l.digest(), access, listener, () -> {
          // A retry starts a new upload from the first byte, so its progress starts again too.
          ProgressReporter progress = ProgressReporter.start(listener, "Pushing the layer " + l.digest(), l.size());
          boolean mounted = client.pushBlob(layerDigest, new FileWindowBlob(layer), null, progress::advance);
          progress.finish();
          return mounted;
        });
      }
      for (ImageJson.Document config : image.configs()) {
        DescriptorDigest d = digest(config.digest());
        if (retry.call("checking for the config", access, listener, () -> client.checkBlob(d)).isEmpty()) {
          retry.call("pushing the config " + d, access, listener,
              () -> client.pushBlob(d, new BytesBlob(config.bytes(), d), null, n -> { }));
        }
      }
      String tag = reference.tag().orElse(reference.qualifier());
      if (image.index().isPresent()) {
        for (ImageJson.Document m : image.manifests()) {
          check(retry.call("pushing the manifest " + m.digest(), access, listener,
              () -> client.pushManifest(m.manifest(), m.digest())), m);
        }
      }
      ImageJson.Document root = image.root();
      check(retry.call("pushing the image under the tag " + tag, access, listener,
          () -> client.pushManifest(root.manifest(), tag)), root);
      for (String extra : request.additionalTags()) {
        check(retry.call("pushing the tag " + extra, access, listener,
            () -> client.pushManifest(root.manifest(), extra)), root);
      }
      return root.digest();
    } finally {
      http.shutDown();
    }
  }

  /** The digest Jib computed from the template it sent must be the one of the bytes we wrote. */
  private static void check(DescriptorDigest pushed, ImageJson.Document document) throws ImageException {
    if (!pushed.toString().equals(document.digest())) {
      throw new ImageException("Jib serialised the " + document.mediaType() + " as " + pushed + ", not as the "
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
