package dev.vmpackager.image;

import com.google.cloud.tools.jib.api.CacheDirectoryCreationException;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InsecureRegistryException;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.RegistryAuthenticationFailedException;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.RegistryUnauthorizedException;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.api.buildplan.Platform;
import dev.vmpackager.event.BuildListener;
import dev.vmpackager.io.DiskFullException;
import dev.vmpackager.publish.RegistryAccess;
import dev.vmpackager.publish.RegistryCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Builds the KubeVirt containerDisk image with Jib core: a scratch image with one layer holding
 * {@code /disk/} and {@code /disk/<vm>.<format>} (owned by 107:107), no entrypoint, the spec's
 * labels and environment, and one fixed timestamp, so the same disk gives the same digest.
 *
 * <p>The layer is compressed by {@link LayerCache} on every core and handed to Jib through its
 * application-layer cache; Jib then writes the config, manifest(s) and index, and writes the tar
 * or pushes the blobs (skipping those the registry already has) exactly as it always does.
 */
public final class ContainerDiskBuilder {

  /** The tool name Jib records in the config's history ({@code created_by}). */
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
    ContainerDiskSpec spec = request.spec();
    BuildListener listener = request.listener();
    ImageReference reference = parseReference(request.reference());
    if (spec.platforms().size() > 1 && request.target() != ImageTarget.REGISTRY) {
      throw new ImageException("vm.platform lists " + spec.platforms().size() + " platforms " + spec.platforms()
          + ": Jib writes a multi-platform index only to a registry; use vm.containerize.target=registry"
          + " (or push), or give one platform for the " + request.target().name().toLowerCase() + " target");
    }
    if (spec.platforms().size() > 1 && spec.format() == ManifestFormat.OCI) {
      throw new ImageException("vm.platform lists " + spec.platforms().size() + " platforms " + spec.platforms()
          + ", but Jib core 0.28.1 writes a multi-platform image only as a Docker manifest list, not as an OCI"
          + " index: set <imageFormat>Docker</imageFormat> (containerd, CRI-O and KubeVirt read both)");
    }
    if (request.target() == ImageTarget.OCI_LAYOUT && spec.format() == ManifestFormat.DOCKER) {
      throw new ImageException("An OCI image layout holds OCI manifests: use imageFormat OCI with"
          + " vm.containerize.target=oci-layout");
    }
    RegistryAccess access = request.access().orElse(RegistryAccess.anonymous(reference.getRegistry()));
    if (request.target() == ImageTarget.REGISTRY && request.offline()) {
      throw new ImageException("Maven is offline (-o): cannot push the image to " + access.registry());
    }
    for (String tag : request.additionalTags()) {
      if (!tag.matches("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}")) {
        throw new ImageException("'" + tag + "' in <tags> is not a valid image tag");
      }
    }

    LayerCache.Layer layer;
    try {
      layer = LayerCache.ensure(spec, request.threads(), listener);
    } catch (IOException e) {
      throw new ImageException("Writing the image layer of " + spec.disk() + " failed: " + e.getMessage(), e);
    }

    try {
      JibContainer container = switch (request.target()) {
        case TAR -> toTar(request, reference, request.output().orElseThrow());
        case OCI_LAYOUT -> toLayout(request, reference, request.output().orElseThrow());
        case REGISTRY -> toRegistry(request, reference, access);
      };
      if (!container.getDigest().toString().startsWith("sha256:")) {
        throw new ImageException("Jib returned no digest for " + reference);
      }
      return new BuildResult(container.getDigest().toString(), container.getImageId().toString(), layer.digest(),
          layer.size(), layer.reused(), request.target(), request.output());
    } catch (IOException e) {
      throw diskFull(e, request, reference).orElseGet(
          () -> new ImageException("Building the image " + reference + " failed: " + e.getMessage(), e));
    } catch (ImageException e) {
      throw diskFull(e, request, reference).orElse(e);
    }
  }

  /**
   * A full disk while Jib writes the tar or layout names that output; for a push, Jib writes only
   * its cache. (The layer itself was written, and a full cache reported, by {@link LayerCache}.)
   */
  private static Optional<ImageException> diskFull(Exception e, BuildRequest request, ImageReference reference) {
    Path written = request.target() == ImageTarget.REGISTRY
        ? request.spec().cacheDirectory() : request.output().orElse(request.spec().cacheDirectory());
    return DiskFullException.of(e, written).map(full -> new ImageException("Writing the containerDisk image "
        + reference + " failed: " + full.getMessage(), full));
  }

  /**
   * Writes {@code digest} (and a newline) to {@code file} atomically: {@code target/vm/image.digest},
   * read by the chart goal to pin the image by digest.
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

  private static ImageReference parseReference(String reference) throws ImageException {
    try {
      return ImageReference.parse(reference);
    } catch (InvalidImageReferenceException e) {
      throw new ImageException("'" + reference + "' (vm.image) is not an image reference such as"
          + " registry.example.com/apps/vm:1.0", e);
    }
  }

  private static JibContainerBuilder jibBuilder(ContainerDiskSpec spec) throws IOException {
    Set<Platform> platforms = new LinkedHashSet<>();
    for (ImagePlatform p : spec.platforms()) {
      platforms.add(new Platform(p.architecture(), p.os()));
    }
    return Jib.fromScratch()
        .setFormat(spec.format() == ManifestFormat.DOCKER ? ImageFormat.Docker : ImageFormat.OCI)
        .setPlatforms(platforms)
        .setCreationTime(spec.creationTime())
        .setEntrypoint((List<String>) null)
        .setLabels(spec.labels())
        .setEnvironment(spec.environment())
        .addFileEntriesLayer(LayerCache.jibLayer(spec));
  }

  private static Containerizer configure(Containerizer c, ContainerDiskSpec spec, BuildListener listener) {
    return c.setBaseImageLayersCache(LayerCache.baseCache(spec))
        .setApplicationLayersCache(LayerCache.applicationCache(spec))
        .setToolName(TOOL_NAME)
        .addEventHandler(LogEvent.class, e -> log(listener, e));
  }

  private static void log(BuildListener listener, LogEvent e) {
    switch (e.getLevel()) {
      case ERROR, WARN -> listener.warn(e.getMessage());
      case LIFECYCLE -> listener.info(e.getMessage());
      default -> listener.debug(e.getMessage());
    }
  }

  private static JibContainer toTar(BuildRequest request, ImageReference reference, Path output)
      throws IOException, ImageException, InterruptedException {
    Files.createDirectories(output.getParent());
    Path tmp = TempPaths.sibling(output);
    try {
      Containerizer c = configure(Containerizer.to(TarImage.at(tmp).named(reference)), request.spec(),
          request.listener()).setOfflineMode(true);
      JibContainer container = containerize(request, c, reference.getRegistry(), Optional.empty());
      Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      request.listener().info("Wrote the containerDisk image " + reference + " (" + container.getDigest() + ") to "
          + output + " (read it with skopeo "
          + (request.spec().format() == ManifestFormat.OCI ? "oci-archive:" : "docker-archive:") + output + ")");
      return container;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Jib's OCI tar is an OCI image layout; the folder target is that tar unpacked. */
  private static JibContainer toLayout(BuildRequest request, ImageReference reference, Path output)
      throws IOException, ImageException, InterruptedException {
    Files.createDirectories(output.getParent());
    Path tmpTar = TempPaths.sibling(request.spec().cacheDirectory().resolve("layout.tar"));
    Path tmpDir = Files.createDirectory(TempPaths.sibling(output));
    try {
      Containerizer c = configure(Containerizer.to(TarImage.at(tmpTar).named(reference)), request.spec(),
          request.listener()).setOfflineMode(true);
      JibContainer container = containerize(request, c, reference.getRegistry(), Optional.empty());
      unpack(tmpTar, tmpDir);
      LayerCache.deleteRecursively(output);
      Files.move(tmpDir, output, StandardCopyOption.ATOMIC_MOVE);
      request.listener().info("Wrote the containerDisk image " + reference + " (" + container.getDigest()
          + ") as an OCI image layout to " + output);
      return container;
    } finally {
      Files.deleteIfExists(tmpTar);
      LayerCache.deleteRecursively(tmpDir);
    }
  }

  private static void unpack(Path tar, Path dir) throws IOException {
    try (InputStream in = Files.newInputStream(tar); TarArchiveInputStream t = new TarArchiveInputStream(in)) {
      TarArchiveEntry e;
      while ((e = t.getNextEntry()) != null) {
        Path target = dir.resolve(e.getName()).normalize();
        if (!target.startsWith(dir)) {
          throw new IOException("Jib's tar holds an entry outside the layout: " + e.getName());
        }
        if (e.isDirectory()) {
          Files.createDirectories(target);
        } else if (e.isFile()) {
          Files.createDirectories(target.getParent());
          try (OutputStream out = Files.newOutputStream(target)) {
            t.transferTo(out);
          }
        }
      }
    }
  }

  private static JibContainer toRegistry(BuildRequest request, ImageReference reference, RegistryAccess access)
      throws IOException, ImageException, InterruptedException {
    RegistryImage image = RegistryImage.named(reference);
    Optional<RegistryCredentials> credentials = access.credentials();
    credentials.ifPresent(cr -> image.addCredential(cr.username(), cr.password()));
    Containerizer c = configure(Containerizer.to(image), request.spec(), request.listener());
    for (String tag : request.additionalTags()) {
      c.withAdditionalTag(tag);
    }
    if (access.allowInsecure()) {
      request.listener().warn("Talking to " + access.registry() + " without TLS verification (allowInsecureRegistries):"
          + " use this only for a test registry");
      c.setAllowInsecureRegistries(true);
    }
    request.listener().info("Pushing the containerDisk image " + reference
        + (request.additionalTags().isEmpty() ? "" : " (tags " + request.additionalTags() + ")")
        + (credentials.map(cr -> " as " + cr.username() + " (" + cr.source() + ")").orElse(" anonymously")));
    RegistryPreflight.check(access, request.listener());
    JibContainer container = containerize(request, c, access.registry(), credentials);
    request.listener().info("Pushed " + reference + "@" + container.getDigest());
    return container;
  }

  private static JibContainer containerize(BuildRequest request, Containerizer c, String registry,
      Optional<RegistryCredentials> credentials) throws ImageException, InterruptedException, IOException {
    JibContainerBuilder builder = jibBuilder(request.spec());
    Optional<Path> caFile = request.target() == ImageTarget.REGISTRY
        ? request.access().flatMap(RegistryAccess::caFile) : Optional.empty();
    try {
      if (caFile.isPresent()) {
        return RegistryTrust.withCaFile(caFile.get(), () -> builder.containerize(c));
      }
      return builder.containerize(c);
    } catch (InterruptedException e) {
      throw e;
    } catch (ImageException e) {
      throw e;
    } catch (Exception e) {
      throw failure(e, registry, credentials);
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
    } else if (root instanceof CacheDirectoryCreationException) {
      message = "Cannot create Jib's cache folder: " + root.getMessage();
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
