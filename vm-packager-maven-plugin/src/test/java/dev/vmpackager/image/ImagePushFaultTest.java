package dev.vmpackager.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.registry.RegistryAccess;
import dev.vmpackager.registry.RetryPolicy;
import dev.vmpackager.testing.FaultProxy;
import dev.vmpackager.testing.LocalRegistry;
import dev.vmpackager.testing.RecordingListener;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Image pushes through an https proxy that injects registry faults in front of a real docker-registry:
 * passing faults (a 500, a dropped connection) are retried and the image lands with the built
 * digest; a registry that keeps failing stops after the policy's tries with nothing tagged.
 */
@Timeout(120)
class ImagePushFaultTest {

  private static final RetryPolicy FAST = new RetryPolicy(3, Duration.ofMillis(20));

  @TempDir static Path shared;
  static LocalRegistry registry;
  static ContainerDiskSpec spec;
  static String builtDigest;

  @BeforeAll
  static void start() throws Exception {
    registry = LocalRegistry.plain(shared.resolve("registry"));
    ContainerDiskBuilderTest.disk = ImageFixtures.qcow2(shared, "source", 29);
    spec = ContainerDiskBuilderTest.spec(shared.resolve("cache")).build();
    builtDigest = ContainerDiskBuilderTest.tar(spec, shared.resolve("built.tar")).digest();
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  private static BuildResult pushThrough(FaultProxy proxy, String repository, RecordingListener log)
      throws Exception {
    return ContainerDiskBuilder.build(BuildRequest.builder().spec(spec).target(ImageTarget.REGISTRY)
        .reference(ImageFixtures.ref(proxy.hostPort() + "/" + repository + ":1.0"))
        .access(new RegistryAccess(proxy.hostPort(), Optional.empty(), true, Optional.empty()))
        .retry(FAST).listener(log).build());
  }

  /** The registry's answer for a tag, straight from the registry (not through the proxy). */
  private static int tagStatus(String repository) throws Exception {
    HttpRequest head = HttpRequest.newBuilder(URI.create("http://" + registry.hostPort() + "/v2/" + repository
        + "/manifests/1.0")).method("HEAD", HttpRequest.BodyPublishers.noBody())
        .header("Accept", "application/vnd.oci.image.manifest.v1+json").build();
    return HttpClient.newHttpClient().send(head, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void firstLayerUploadAnswering500IsRetried() throws Exception {
    try (FaultProxy proxy = FaultProxy.tls(registry.hostPort(), "POST", "/blobs/uploads/", FaultProxy.Fault.STATUS_500, 1, shared.resolve("p1"))) {
      RecordingListener log = new RecordingListener();
      BuildResult r = pushThrough(proxy, "apps/retried", log);
      assertEquals(builtDigest, r.digest());
      assertEquals(1, proxy.seen.stream().filter(s -> s.endsWith("STATUS_500")).count(), () -> "" + proxy.seen);
      assertTrue(log.lines.stream().anyMatch(l -> l.startsWith("WARN") && l.contains("trying again")
          && l.contains("HTTP 500")), () -> "the retry is logged: " + log.lines);
      assertEquals(200, tagStatus("apps/retried"));
    }
  }

  @Test
  void droppedConnectionOnTheManifestIsRetried() throws Exception {
    try (FaultProxy proxy = FaultProxy.tls(registry.hostPort(), "PUT", "/manifests/", FaultProxy.Fault.DROP, 1, shared.resolve("p2"))) {
      RecordingListener log = new RecordingListener();
      BuildResult r = pushThrough(proxy, "apps/dropped", log);
      assertEquals(builtDigest, r.digest());
      assertEquals(1, proxy.seen.stream().filter(s -> s.endsWith("DROP")).count(), () -> "" + proxy.seen);
      // Jib's HTTP layer repeats a request whose connection dropped itself; ours would if it did not.
      assertTrue(log.lines.stream().anyMatch(l -> l.startsWith("WARN")
          && (l.contains("trying again") || l.contains("will be retried"))), () -> "the retry is logged: " + log.lines);
      assertEquals(200, tagStatus("apps/dropped"));
    }
  }

  @Test
  void persistent500StopsAfterThreeTriesAndTagsNothing() throws Exception {
    try (FaultProxy proxy = FaultProxy.tls(registry.hostPort(), "POST", "/blobs/uploads/", FaultProxy.Fault.STATUS_500, 100, shared.resolve("p3"))) {
      RecordingListener log = new RecordingListener();
      ImageException e = assertThrows(ImageException.class, () -> pushThrough(proxy, "apps/broken", log));
      assertTrue(e.getMessage().contains(proxy.hostPort()), e.getMessage());
      assertEquals(3, proxy.seen.stream().filter(s -> s.endsWith("STATUS_500")).count(), () -> "" + proxy.seen);
      assertEquals(404, tagStatus("apps/broken"));
      assertFalse(log.lines.stream().anyMatch(l -> l.contains("Pushed ")), () -> "" + log.lines);
    }
  }
}
