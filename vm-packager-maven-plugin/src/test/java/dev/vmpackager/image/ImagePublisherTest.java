package dev.vmpackager.image;

import static dev.vmpackager.image.ImageFixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmpackager.event.BuildListener;
import dev.vmpackager.registry.RegistryAccess;
import dev.vmpackager.registry.RegistryAuthenticationException;
import dev.vmpackager.registry.RegistryCredentials;
import dev.vmpackager.registry.RegistryUnreachableException;
import dev.vmpackager.testing.LocalRegistry;
import dev.vmpackager.testing.RecordingListener;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagePublisherTest {

  @TempDir static Path shared;
  static LocalRegistry plain;
  static LocalRegistry secure;
  static ContainerDiskSpec spec;
  static String builtDigest;
  static BuildResult built;
  static Path builtTar;

  @BeforeAll
  static void start() throws Exception {
    plain = LocalRegistry.plain(shared.resolve("plain"));
    secure = LocalRegistry.tlsWithAuth(shared.resolve("secure"));
    ContainerDiskBuilderTest.disk = ImageFixtures.qcow2(shared, "source", 23);
    spec = ContainerDiskBuilderTest.spec(shared.resolve("cache")).build();
    builtTar = shared.resolve("built.tar");
    built = ContainerDiskBuilderTest.tar(spec, builtTar);
    builtDigest = built.digest();
  }

  @AfterAll
  static void stop() {
    if (plain != null) {
      plain.close();
    }
    if (secure != null) {
      secure.close();
    }
  }

  /** Pushes what containerize recorded for the spec, as the push goal does. */
  static BuildResult push(ContainerDiskSpec spec, String reference, List<String> tags, RegistryAccess access,
      boolean offline, BuildListener listener) throws Exception {
    return ImagePublisher.push(BuildRequest.builder().spec(spec).target(ImageTarget.REGISTRY)
        .reference(ImageFixtures.ref(reference)).additionalTags(tags).access(access).offline(offline)
        .listener(listener).build());
  }

  static RegistryAccess secureAccess(String password, boolean insecure, boolean ca) {
    return secureAccessOf(secure, password, insecure, ca);
  }

  static RegistryAccess secureAccessOf(LocalRegistry secure, String password, boolean insecure, boolean ca) {
    return new RegistryAccess(secure.hostPort(),
        Optional.of(new RegistryCredentials(LocalRegistry.USERNAME, password, "test settings.xml")), insecure,
        ca ? Optional.of(secure.certificate()) : Optional.empty());
  }

  static long blobUploads(LocalRegistry registry, String repository) throws Exception {
    return Files.readAllLines(registry.directory().resolve("registry.log")).stream()
        .filter(l -> l.contains("POST /v2/" + repository + "/blobs/uploads/")).count();
  }

  @Test
  void pushToPlainRegistryGivesTheBuiltDigestAndSkipsKnownBlobs() throws Exception {
    RegistryAccess access = new RegistryAccess(plain.hostPort(), Optional.empty(), true, Optional.empty());
    String ref = plain.hostPort() + "/apps/myvm:1.0";
    RecordingListener log = new RecordingListener();
    java.nio.file.attribute.FileTime tarTime = Files.getLastModifiedTime(builtTar);
    BuildResult first = push(spec, ref, List.of("latest"), access, false, log);
    assertEquals(builtDigest, first.digest());
    assertTrue(first.layerReused(), "the push sends the layer containerize wrote into the tar");
    assertTrue(log.lines.stream().anyMatch(l -> l.contains("from " + builtTar)), () -> "pushed from the tar: " + log.lines);
    assertFalse(log.lines.stream().anyMatch(l -> l.contains("Compressing")), () -> "not compressed again: " + log.lines);
    assertEquals(tarTime, Files.getLastModifiedTime(builtTar), "the push does not touch the tar");
    assertFalse(Files.exists(spec.cacheDirectory().resolve("blobs")), "no second copy of the layer");
    // The registry holds the tar's layer bytes: same digest, and the manifest with the annotations.
    JsonNode manifest = json(plain.skopeo("inspect", "--raw", "docker://" + ref));
    assertEquals(built.layerDigest(), manifest.get("layers").get(0).get("digest").asText());
    assertEquals(builtDigest, ImageFixtures.sha256Of(plain.skopeo("inspect", "--raw", "docker://" + ref)));
    ContainerDiskBuilderTest.assertAnnotations(manifest);
    Path pulledBlob = shared.resolve("pulled");
    plain.skopeo("copy", "docker://" + ref, "oci:" + pulledBlob + ":x");
    assertEquals(built.layerDigest(), ImageFixtures.sha256(ImageFixtures.blob(pulledBlob, built.layerDigest())));
    ContainerDiskBuilderTest.assertContainerDiskLayer(ImageFixtures.blob(pulledBlob, built.layerDigest()),
        "myvm.qcow2", ContainerDiskBuilderTest.disk);
    JsonNode inspect = json(plain.skopeo("inspect", "docker://" + ref));
    assertEquals(builtDigest, inspect.get("Digest").asText());
    assertEquals(builtDigest, json(plain.skopeo("inspect", "docker://" + plain.hostPort() + "/apps/myvm:latest"))
        .get("Digest").asText());
    assertTrue(log.lines.stream().anyMatch(l -> l.startsWith("WARN") && l.contains("without TLS verification")));

    long uploads = blobUploads(plain, "apps/myvm");
    assertTrue(uploads >= 2, "layer and config were uploaded once: " + uploads);
    String again = push(spec, plain.hostPort() + "/apps/myvm:1.0.1", List.of(), access, false, BuildListener.NONE)
        .digest();
    assertEquals(builtDigest, again);
    assertEquals(uploads, blobUploads(plain, "apps/myvm"), "a second push uploads no blob again");
  }

  @Test
  void zstdImageIsPushedAsBuiltAndReadBackBySkopeo() throws Exception {
    ContainerDiskSpec zstd = ContainerDiskBuilderTest.spec(shared.resolve("zstd-cache"))
        .compression(LayerCompression.ZSTD).build();
    Path tar = shared.resolve("zstd.tar");
    BuildResult result = ContainerDiskBuilderTest.tar(zstd, tar);
    RegistryAccess access = new RegistryAccess(plain.hostPort(), Optional.empty(), true, Optional.empty());
    String ref = plain.hostPort() + "/apps/zstd:1.0";
    RecordingListener log = new RecordingListener();
    BuildResult pushed = push(zstd, ref, List.of(), access, false, log);
    assertEquals(result.digest(), pushed.digest());
    assertTrue(pushed.layerReused(), "the push sends the zstd layer containerize wrote into the tar");
    assertFalse(log.lines.stream().anyMatch(l -> l.contains("Compressing")), () -> "not compressed again: " + log.lines);
    JsonNode manifest = json(plain.skopeo("inspect", "--raw", "docker://" + ref));
    assertEquals("application/vnd.oci.image.layer.v1.tar+zstd", manifest.get("layers").get(0).get("mediaType").asText());
    assertEquals(result.digest(), ImageFixtures.sha256Of(plain.skopeo("inspect", "--raw", "docker://" + ref)));
    assertEquals(result.digest(), json(plain.skopeo("inspect", "docker://" + ref)).get("Digest").asText());
    // skopeo pulls it (checking every digest) and the layer is the disk, read by zstd -d.
    Path pulled = shared.resolve("zstd-pulled");
    plain.skopeo("copy", "docker://" + ref, "oci:" + pulled + ":x");
    Path blob = ImageFixtures.blob(pulled, result.layerDigest());
    assertEquals(result.layerDigest(), ImageFixtures.sha256(blob));
    ContainerDiskBuilderTest.assertContainerDiskLayer(blob, "myvm.qcow2", ContainerDiskBuilderTest.disk);
  }

  @Test
  void withoutABuiltLayerThePushRefusesAndCompressesNothing() throws Exception {
    ContainerDiskSpec fresh = ContainerDiskBuilderTest.spec(shared.resolve("fresh-cache")).build();
    RegistryAccess access = new RegistryAccess(plain.hostPort(), Optional.empty(), true, Optional.empty());
    String ref = plain.hostPort() + "/apps/fresh:1.0";
    RecordingListener log = new RecordingListener();
    ImageException e = assertThrows(ImageException.class, () -> push(fresh, ref, List.of(), access, false, log));
    assertTrue(e.getMessage().contains("Cannot push " + ref) && e.getMessage().contains("no layer is recorded")
        && e.getMessage().contains("vm-packager:containerize"), e.getMessage());
    assertFalse(Files.exists(fresh.cacheDirectory().resolve("blobs")), "not compressed at push time");
    assertFalse(log.lines.stream().anyMatch(l -> l.contains("Compressing") || l.contains("Pushed")),
        () -> "" + log.lines);
    assertEquals(0, blobUploads(plain, "apps/fresh"), "nothing sent");
  }

  @Test
  void theRegistryTargetWritesOneBlobFileThatThePushReuses() throws Exception {
    ContainerDiskSpec direct = ContainerDiskBuilderTest.spec(shared.resolve("direct-cache")).build();
    RegistryAccess access = new RegistryAccess(plain.hostPort(), Optional.empty(), true, Optional.empty());
    String ref = plain.hostPort() + "/apps/direct:1.0";
    BuildResult first = ContainerDiskBuilder.build(BuildRequest.builder().spec(direct).target(ImageTarget.REGISTRY)
        .reference(ImageFixtures.ref(ref)).access(access).build());
    assertFalse(first.layerReused());
    assertEquals(builtDigest, first.digest(), "reproducible: the same digest as the tar's");
    Path blob = direct.cacheDirectory().resolve("blobs").resolve(first.layerDigest().substring(7));
    assertEquals(first.layerDigest(), ImageFixtures.sha256(blob));
    java.nio.file.attribute.FileTime blobTime = Files.getLastModifiedTime(blob);
    BuildResult again = push(direct, ref, List.of("2"), access, false, BuildListener.NONE);
    assertTrue(again.layerReused(), "the blob file is pushed, not written again");
    assertEquals(blobTime, Files.getLastModifiedTime(blob));
    assertEquals(builtDigest, json(plain.skopeo("inspect", "docker://" + plain.hostPort() + "/apps/direct:2"))
        .get("Digest").asText());
  }

  @Test
  void dockerFormatTarThenPushGivesTheTarsDigest() throws Exception {
    ContainerDiskSpec docker = ContainerDiskBuilderTest.spec(shared.resolve("docker-cache")).format(ManifestFormat.DOCKER)
        .build();
    Path tar = shared.resolve("docker.tar");
    BuildResult result = ContainerDiskBuilderTest.tar(docker, tar);
    RegistryAccess access = new RegistryAccess(plain.hostPort(), Optional.empty(), true, Optional.empty());
    String ref = plain.hostPort() + "/apps/docker:1.0";
    BuildResult pushed = push(docker, ref, List.of(), access, false, BuildListener.NONE);
    assertTrue(pushed.layerReused(), "pushed from the Docker archive's layer");
    assertEquals(result.digest(), pushed.digest());
    String raw = plain.skopeo("inspect", "--raw", "docker://" + ref);
    assertEquals(result.digest(), ImageFixtures.sha256Of(raw));
    JsonNode manifest = json(raw);
    assertEquals("application/vnd.docker.distribution.manifest.v2+json", manifest.get("mediaType").asText());
    assertFalse(manifest.has("annotations"), "Docker V2.2 manifests have no annotations");
    assertEquals("application/vnd.docker.image.rootfs.diff.tar.gzip",
        manifest.get("layers").get(0).get("mediaType").asText());
    assertEquals("My VM", json(plain.skopeo("inspect", "docker://" + ref)).get("Labels")
        .get("org.opencontainers.image.title").asText(), "the labels carry the annotation keys");
  }

  @Test
  void severalPlatformsGiveAnIndexOverTheSameLayer() throws Exception {
    ContainerDiskSpec.Builder multi = ContainerDiskBuilderTest.spec(shared.resolve("cache"))
        .platforms(ImagePlatform.parseList("linux/amd64,linux/arm64"));
    RegistryAccess access = new RegistryAccess(plain.hostPort(), Optional.empty(), true, Optional.empty());
    // The OCI index (default) and the Docker manifest list.
    for (ManifestFormat format : ManifestFormat.values()) {
      String ref = plain.hostPort() + "/apps/multi-" + format.name().toLowerCase() + ":1.0";
      String digest = push(multi.format(format).build(), ref, List.of(), access, false, null).digest();
      String raw = plain.skopeo("inspect", "--raw", "docker://" + ref);
      assertEquals(digest, ImageFixtures.sha256Of(raw));
      JsonNode index = json(raw);
      assertEquals(format == ManifestFormat.OCI ? "application/vnd.oci.image.index.v1+json"
          : "application/vnd.docker.distribution.manifest.list.v2+json", index.get("mediaType").asText());
      assertEquals(2, index.get("manifests").size());
      if (format == ManifestFormat.OCI) {
        ContainerDiskBuilderTest.assertAnnotations(index);
      }
      List<String> archs = new ArrayList<>();
      List<String> layers = new ArrayList<>();
      for (JsonNode m : index.get("manifests")) {
        archs.add(m.get("platform").get("architecture").asText());
        String d = m.get("digest").asText();
        JsonNode manifest = json(plain.skopeo("inspect", "--raw", "docker://" + ref.substring(0, ref.lastIndexOf(':'))
            + "@" + d));
        assertEquals(1, manifest.get("layers").size());
        layers.add(manifest.get("layers").get(0).get("digest").asText());
      }
      assertEquals(List.of("amd64", "arm64"), archs);
      assertEquals(List.of(built.layerDigest(), built.layerDigest()), layers, "both manifests point to the one layer");
      String reported = json(plain.skopeo("inspect", "docker://" + ref)).get("Digest").asText();
      assertEquals(digest, reported);
      // skopeo picks arm64 from the registry's index.
      Path copy = shared.resolve("arm64-" + format);
      plain.skopeo("copy", "--override-arch", "arm64", "docker://" + ref, "oci:" + copy + ":x");
      assertEquals("arm64", json(ImageFixtures.run("skopeo", "inspect", "--config", "oci:" + copy + ":x"))
          .get("architecture").asText());
    }
  }

  @Test
  void pushToTlsRegistryWithCaFileOrInsecure() throws Exception {
    String ref = secure.hostPort() + "/apps/secure:1.0";
    RecordingListener log = new RecordingListener();
    javax.net.ssl.SSLContext before = javax.net.ssl.SSLContext.getDefault();
    String withCa = push(spec, ref, List.of(), secureAccess(LocalRegistry.PASSWORD, false, true), false, log).digest();
    assertEquals(builtDigest, withCa);
    assertTrue(before == javax.net.ssl.SSLContext.getDefault(), "the JVM's default TLS context is restored");
    assertEquals(builtDigest, json(secure.skopeo("inspect", "docker://" + ref)).get("Digest").asText());
    assertFalse(log.lines.stream().anyMatch(l -> l.contains(LocalRegistry.PASSWORD)), "the password is never logged");
    assertFalse(log.lines.stream().anyMatch(l -> l.startsWith("WARN")), () -> "verified TLS, no warning: " + log.lines);

    String insecure = push(spec, secure.hostPort() + "/apps/secure:2.0", List.of(),
        secureAccess(LocalRegistry.PASSWORD, true, false), false, BuildListener.NONE).digest();
    assertEquals(builtDigest, insecure);

    // Without the CA and without allowInsecure: a clear TLS error.
    ImageException tls = assertThrows(ImageException.class, () -> push(
        spec, ref, List.of(), secureAccess(LocalRegistry.PASSWORD, false, false), false, BuildListener.NONE));
    assertTrue(tls.getMessage().contains(secure.hostPort()) && tls.getMessage().contains("allowInsecureRegistries"),
        tls.getMessage());
  }

  @Test
  void wrongPasswordUnreachableAndOfflineFailClearly() throws Exception {
    String wrong = "not-the-Pa55word-" + System.nanoTime();
    RecordingListener log = new RecordingListener();
    ImageException denied = assertThrows(ImageException.class, () -> push(
        spec, secure.hostPort() + "/apps/denied:1.0", List.of(), secureAccess(wrong, false, true), false, log));
    assertTrue(denied.getMessage().contains(secure.hostPort()), denied.getMessage());
    assertTrue(denied.getMessage().contains("401"), denied.getMessage());
    assertTrue(denied.getMessage().contains(LocalRegistry.USERNAME), denied.getMessage());
    assertEquals(401, assertInstanceOf(RegistryAuthenticationException.class, denied.getCause()).status(),
        "the chart push's error model");
    for (Throwable t = denied; t != null; t = t.getCause()) {
      assertFalse(String.valueOf(t.getMessage()).contains(wrong), "no password in " + t);
    }
    assertFalse(log.lines.stream().anyMatch(l -> l.contains(wrong)));

    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    String host = "127.0.0.1:" + closedPort;
    ImageException unreachable = assertThrows(ImageException.class, () -> push(spec, host + "/apps/x:1", List.of(),
        RegistryAccess.anonymous(host), false, BuildListener.NONE));
    assertTrue(unreachable.getMessage().contains("The registry " + host + " is unreachable: connection to " + host
        + " refused"), unreachable.getMessage());
    assertInstanceOf(RegistryUnreachableException.class, unreachable.getCause());

    ImageException offline = assertThrows(ImageException.class, () -> push(spec, plain.hostPort() + "/apps/x:1",
        List.of(), RegistryAccess.anonymous(plain.hostPort()), true, BuildListener.NONE));
    assertTrue(offline.getMessage().contains("offline"), offline.getMessage());
  }
}
