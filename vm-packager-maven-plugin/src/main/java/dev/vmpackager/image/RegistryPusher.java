package dev.vmpackager.image;

import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.api.DescriptorDigest;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.blob.Blob;
import com.google.cloud.tools.jib.blob.BlobDescriptor;
import com.google.cloud.tools.jib.event.EventHandlers;
import com.google.cloud.tools.jib.global.JibSystemProperties;
import com.google.cloud.tools.jib.http.FailoverHttpClient;
import com.google.cloud.tools.jib.registry.RegistryClient;
import dev.vmpackager.event.BuildListener;
import dev.vmpackager.event.ProgressReporter;
import dev.vmpackager.publish.RegistryAccess;
import dev.vmpackager.publish.RegistryCredentials;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.security.DigestException;
import java.util.List;
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
   * @param reference the image reference (registry, repository, tag)
   * @param tags more tags for the same image
   * @param access credentials and TLS policy
   * @param image the JSON documents
   * @param layer where the layer blob is
   * @param listener progress; never the password
   * @return the pushed digest (of the index or the manifest), as the registry reports it
   */
  static String push(ImageReference reference, List<String> tags, RegistryAccess access, ImageJson.Image image,
      LayerRecord layer, BuildListener listener) throws IOException, RegistryException {
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
      if (!client.doPushBearerAuth() && credential != null && !credential.isOAuth2RefreshToken()) {
        client.configureBasicAuth(); // the registry answered "WWW-Authenticate: Basic"
      }

      LayerInfo l = layer.layer();
      DescriptorDigest layerDigest = digest(l.digest());
      if (client.checkBlob(layerDigest).isPresent()) {
        listener.info("The registry already has the layer " + l.digest());
      } else {
        ProgressReporter progress = ProgressReporter.start(listener, "Pushing the layer " + l.digest(), l.size());
        client.pushBlob(layerDigest, new FileWindowBlob(layer), null, progress::advance);
        progress.finish();
      }
      for (ImageJson.Document config : image.configs()) {
        DescriptorDigest d = digest(config.digest());
        if (client.checkBlob(d).isEmpty()) {
          client.pushBlob(d, new BytesBlob(config.bytes(), d), null, n -> { });
        }
      }
      String tag = reference.getTag().orElse(reference.getQualifier());
      if (image.index().isPresent()) {
        for (ImageJson.Document m : image.manifests()) {
          check(client.pushManifest(m.manifest(), m.digest()), m);
        }
      }
      ImageJson.Document root = image.root();
      check(client.pushManifest(root.manifest(), tag), root);
      for (String extra : tags) {
        check(client.pushManifest(root.manifest(), extra), root);
      }
      return root.digest();
    } finally {
      http.shutDown();
    }
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
