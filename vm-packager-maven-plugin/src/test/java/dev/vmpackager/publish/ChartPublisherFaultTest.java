package dev.vmpackager.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.io.Digests;
import dev.vmpackager.registry.RegistryAccess;
import dev.vmpackager.registry.RegistryException;
import dev.vmpackager.registry.RetryPolicy;
import dev.vmpackager.testing.FaultProxy;
import dev.vmpackager.testing.LocalRegistry;
import dev.vmpackager.testing.RecordingListener;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Faults injected by a proxy in front of a real registry: the push retries, or fails cleanly. */
class ChartPublisherFaultTest {

  private static final Path WORK = Path.of("target", "publish-tests", "faults").toAbsolutePath();
  private static final Instant CREATED = Instant.EPOCH;
  private static final RetryPolicy FAST = new RetryPolicy(3, Duration.ofMillis(20));
  private static LocalRegistry registry;

  @BeforeAll
  static void start() throws Exception {
    registry = LocalRegistry.plain(WORK.resolve("registry-" + System.nanoTime()));
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  /**
   * Pushes with a 20 s answer timeout: the first call loads and compiles the ORAS client, which on
   * a loaded 2-core machine took more than 3 s, so a short timeout failed the retry tests for a
   * reason they do not test. Only the hang test needs a short one.
   */
  private static ChartPushResult pushThrough(FaultProxy proxy, String chart, RecordingListener log) throws Exception {
    return pushThrough(proxy, chart, log, Duration.ofSeconds(20));
  }

  private static ChartPushResult pushThrough(FaultProxy proxy, String chart, RecordingListener log, Duration answer)
      throws Exception {
    return new ChartPublisher(log, FAST, Duration.ofMillis(300), answer).push(TestCharts.chart(WORK, chart, "1.0.0"),
        OciChartRepository.parse("oci://" + proxy.hostPort() + "/charts"),
        new RegistryAccess(proxy.hostPort(), Optional.empty(), true, Optional.empty()), CREATED);
  }

  @Test
  void firstBlobUploadAnswering500IsRetried() throws Exception {
    try (FaultProxy proxy = new FaultProxy(registry.hostPort(), "POST", "/blobs/uploads/", FaultProxy.Fault.STATUS_500, 1)) {
      RecordingListener log = new RecordingListener();
      ChartPushResult r = pushThrough(proxy, "retried", log);
      assertTrue(proxy.seen.get(0).contains("-> STATUS_500") || proxy.seen.stream().anyMatch(s -> s.contains("STATUS_500")),
          proxy.seen.toString());
      assertTrue(log.all().contains("HTTP 500") && log.all().contains("trying again"), log.all());
      assertEquals(200, new RegistryReader(registry).manifest("charts/retried", "1.0.0").statusCode());
      assertEquals(r.digest(), Digests.sha256(new RegistryReader(registry).manifest("charts/retried", "1.0.0").body()));
    }
  }

  @Test
  void droppedConnectionOnManifestPushIsRetried() throws Exception {
    try (FaultProxy proxy = new FaultProxy(registry.hostPort(), "PUT", "/manifests/", FaultProxy.Fault.DROP, 1)) {
      RecordingListener log = new RecordingListener();
      pushThrough(proxy, "dropped", log);
      assertTrue(proxy.seen.stream().anyMatch(s -> s.contains("-> DROP")), proxy.seen.toString());
      assertTrue(log.all().contains("trying again"), log.all());
      assertEquals(200, new RegistryReader(registry).manifest("charts/dropped", "1.0.0").statusCode());
    }
  }

  @Test
  void persistent500GivesUpAfterThreeTriesAndPublishesNothing() throws Exception {
    try (FaultProxy proxy = new FaultProxy(registry.hostPort(), "POST", "/blobs/uploads/", FaultProxy.Fault.STATUS_500, 100)) {
      RecordingListener log = new RecordingListener();
      RegistryException e = assertThrows(RegistryException.class, () -> pushThrough(proxy, "broken", log));
      assertTrue(e.getMessage().contains("registry " + proxy.hostPort() + " answered HTTP 500"), e.getMessage());
      assertEquals(3, proxy.seen.stream().filter(s -> s.contains("STATUS_500")).count(), proxy.seen.toString());
      assertEquals(404, new RegistryReader(registry).manifest("charts/broken", "1.0.0").statusCode());
    }
  }

  @Test
  void registryThatNeverAnswersIsATimeoutNotAHang() throws Exception {
    // Warm up through a proxy that injects nothing (the ORAS client's first call loads and
    // compiles it), so the 3 s answer timeout measures the hung manifest, not class loading.
    try (FaultProxy clean = new FaultProxy(registry.hostPort(), "PUT", "/manifests/", FaultProxy.Fault.HANG, 0)) {
      pushThrough(clean, "warm", new RecordingListener());
    }
    try (FaultProxy proxy = new FaultProxy(registry.hostPort(), "PUT", "/manifests/", FaultProxy.Fault.HANG, 1)) {
      long start = System.nanoTime();
      RegistryException e = assertThrows(RegistryException.class,
          () -> pushThrough(proxy, "hung", new RecordingListener(), Duration.ofSeconds(3)));
      assertTrue(e.getMessage().contains("registry " + proxy.hostPort() + " did not answer within 3 s while pushing the"
          + " manifest"), e.getMessage());
      assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 15);
    }
  }
}
