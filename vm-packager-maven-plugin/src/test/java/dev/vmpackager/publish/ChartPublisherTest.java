package dev.vmpackager.publish;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.Helm;
import dev.vmpackager.io.Digests;
import dev.vmpackager.registry.DockerCredentials;
import dev.vmpackager.registry.RegistryAccess;
import dev.vmpackager.registry.RegistryAuthenticationException;
import dev.vmpackager.registry.RegistryCredentials;
import dev.vmpackager.registry.RegistryUnreachableException;
import dev.vmpackager.registry.RetryPolicy;
import dev.vmpackager.testing.LocalRegistry;
import dev.vmpackager.testing.RecordingListener;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Pushes charts to real docker-registry instances and reads them back with HTTP, skopeo and Helm. */
class ChartPublisherTest {

  private static final Path WORK = Path.of("target", "publish-tests", "chart-publisher").toAbsolutePath();
  private static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static LocalRegistry plain;
  private static LocalRegistry secure;

  @BeforeAll
  static void startRegistries() throws Exception {
    plain = LocalRegistry.plain(WORK.resolve("plain-" + System.nanoTime()));
    secure = LocalRegistry.tlsWithAuth(WORK.resolve("tls-" + System.nanoTime()));
  }

  @AfterAll
  static void stopRegistries() {
    if (plain != null) {
      plain.close();
    }
    if (secure != null) {
      secure.close();
    }
  }

  private static RegistryAccess plainAccess() {
    return new RegistryAccess(plain.hostPort(), Optional.empty(), true, Optional.empty());
  }

  private static RegistryAccess secureAccess(String password, boolean insecure, boolean ca) {
    return new RegistryAccess(secure.hostPort(),
        Optional.of(new RegistryCredentials(LocalRegistry.USERNAME, password, "settings.xml server '" + secure.hostPort() + "'")),
        insecure, ca ? Optional.of(secure.certificate()) : Optional.empty());
  }

  @Test
  void pushesToPlainHttpAsHelmDoesAndHelmReadsIt() throws Exception {
    Path tgz = TestCharts.chartWithYaml(WORK, "demo", """
        apiVersion: v2
        name: demo
        description: A demo chart & <more>
        home: https://example.com/demo
        sources: [https://git.example.com/demo, https://mirror.example.com/demo]
        maintainers:
          - {name: Ada, email: ada@example.com}
          - {name: Bob}
        annotations:
          org.opencontainers.image.title: not-allowed
          example.com/team: vm
        type: application
        version: 1.2.3
        appVersion: "4.5"
        """);
    RecordingListener log = new RecordingListener();
    ChartPushResult r = new ChartPublisher(log).push(tgz, OciChartRepository.parse("oci://" + plain.hostPort() + "/charts"),
        plainAccess(), CREATED);
    assertEquals(plain.hostPort() + "/charts/demo:1.2.3", r.reference());
    assertEquals("1.2.3", r.tag());

    HttpResponse<byte[]> m = new RegistryReader(plain).manifest("charts/demo", "1.2.3");
    assertEquals(200, m.statusCode());
    assertEquals(r.digest(), m.headers().firstValue("Docker-Content-Digest").orElseThrow());
    assertEquals(r.digest(), Digests.sha256(m.body()));
    JsonNode manifest = JSON.readTree(m.body());
    assertFalse(manifest.has("mediaType"), "Helm's manifest has no top-level mediaType");
    assertFalse(manifest.has("artifactType"));
    assertEquals(2, manifest.get("schemaVersion").asInt());
    assertEquals(ChartPublisher.CONFIG_MEDIA_TYPE, manifest.at("/config/mediaType").asText());
    assertEquals(1, manifest.get("layers").size());
    assertEquals(ChartPublisher.CHART_MEDIA_TYPE, manifest.at("/layers/0/mediaType").asText());
    assertEquals(Files.size(tgz), manifest.at("/layers/0/size").asLong());
    assertEquals(Digests.sha256(tgz), manifest.at("/layers/0/digest").asText());
    Map<String, String> expected = new TreeMap<>(Map.of(
        "org.opencontainers.image.title", "demo",
        "org.opencontainers.image.version", "1.2.3",
        "org.opencontainers.image.description", "A demo chart & <more>",
        "org.opencontainers.image.url", "https://example.com/demo",
        "org.opencontainers.image.source", "https://git.example.com/demo",
        "org.opencontainers.image.authors", "Ada (ada@example.com), Bob",
        "org.opencontainers.image.created", "2026-01-01T00:00:00Z",
        "example.com/team", "vm"));
    assertEquals(expected, new TreeMap<>(JSON.convertValue(manifest.get("annotations"), Map.class)));
    // Go escapes <, > and & in JSON strings; the stored bytes are Helm's bytes.
    assertTrue(new String(m.body(), StandardCharsets.UTF_8).contains("A demo chart \\u0026 \\u003cmore\\u003e"));

    byte[] config = new RegistryReader(plain).blob("charts/demo", manifest.at("/config/digest").asText());
    assertEquals("{\"name\":\"demo\",\"home\":\"https://example.com/demo\",\"sources\":[\"https://git.example.com/demo\","
        + "\"https://mirror.example.com/demo\"],\"version\":\"1.2.3\",\"description\":\"A demo chart \\u0026 \\u003cmore\\u003e\","
        + "\"maintainers\":[{\"name\":\"Ada\",\"email\":\"ada@example.com\"},{\"name\":\"Bob\"}],\"apiVersion\":\"v2\","
        + "\"appVersion\":\"4.5\",\"annotations\":{\"example.com/team\":\"vm\",\"org.opencontainers.image.title\":\"not-allowed\"},"
        + "\"type\":\"application\"}", new String(config, StandardCharsets.UTF_8));

    // skopeo reads the same manifest bytes.
    String raw = plain.skopeo("inspect", "--raw", "docker://" + r.reference());
    assertEquals(new String(m.body(), StandardCharsets.UTF_8), raw.strip());

    // Real Helm (3.21 via helm-java) shows and renders it.
    String shown = Helm.show("oci://" + plain.hostPort() + "/charts/demo").chart().withVersion("1.2.3").plainHttp().call();
    assertTrue(shown.contains("name: demo"), shown);
    String rendered = Helm.template("oci://" + plain.hostPort() + "/charts/demo").withVersion("1.2.3")
        .withName("rel").plainHttp().call();
    assertTrue(rendered.contains("kind: ConfigMap") && rendered.contains("name: rel-cm"), rendered);
  }

  @Test
  void sameChartTwiceGivesSameDigestAndHelmsOwnPushHasTheSameConfigAndManifest() throws Exception {
    // A Chart.yaml that exercises Helm's sanitizing and Go's JSON escaping, checked against Helm itself.
    Path tgz = TestCharts.chartWithYaml(WORK, "twice", """
        apiVersion: v2
        name: twice
        version: 0.1.0
        appVersion: 1.10
        description: |
          Grüße & <b>bold</b>
          second	line
        home: https://example.com/?a=1&b=2
        keywords: [vm, "kube virt"]
        maintainers:
          - name: Zoë
            email: zoe@example.com
            url: https://zoe.example.com
        annotations:
          category: "Virtualization ✓"
          org.opencontainers.image.version: "9"
        kubeVersion: ">=1.25.0-0"
        dependencies:
          - name: sub
            version: 1.x
            repository: oci://example.com/charts
            condition: sub.enabled
        """);
    OciChartRepository repo = OciChartRepository.parse("oci://" + plain.hostPort() + "/repeat");
    ChartPushResult a = new ChartPublisher(new RecordingListener()).push(tgz, repo, plainAccess(), CREATED);
    ChartPushResult b = new ChartPublisher(new RecordingListener()).push(tgz, repo, plainAccess(), CREATED);
    assertEquals(a.digest(), b.digest());

    // helm push of the same .tgz: same config blob bytes, same manifest but for the "now" creation time.
    String out = Helm.push().withChart(tgz).withRemote(java.net.URI.create("oci://" + plain.hostPort() + "/byhelm"))
        .plainHttp().call();
    assertTrue(out.contains("byhelm/twice:0.1.0"), out);
    RegistryReader reader = new RegistryReader(plain);
    HttpResponse<byte[]> oursResponse = reader.manifest("repeat/twice", "0.1.0");
    HttpResponse<byte[]> helmsResponse = reader.manifest("byhelm/twice", "0.1.0");
    assertEquals(200, oursResponse.statusCode());
    assertEquals(200, helmsResponse.statusCode());
    String ours = new String(oursResponse.body(), StandardCharsets.UTF_8);
    String helms = new String(helmsResponse.body(), StandardCharsets.UTF_8);
    assertTrue(helms.contains(ChartPublisher.CHART_MEDIA_TYPE) && helms.contains("org.opencontainers.image.created"), helms);
    assertFalse(helms.contains("2026-01-01T00:00:00Z"), "Helm wrote its own creation time: " + helms);
    String created = "\"org.opencontainers.image.created\":\"[^\"]*\"";
    JsonNode ourManifest = JSON.readTree(oursResponse.body());
    JsonNode helmManifest = JSON.readTree(helmsResponse.body());
    assertEquals(new String(reader.blob("byhelm/twice", helmManifest.at("/config/digest").asText()), StandardCharsets.UTF_8),
        new String(reader.blob("repeat/twice", ourManifest.at("/config/digest").asText()), StandardCharsets.UTF_8));
    assertEquals(helms.replaceAll(created, "CREATED"), ours.replaceAll(created, "CREATED"));
  }

  @Test
  void buildMetadataBecomesUnderscoreTagAndPrereleaseIsStated() throws Exception {
    RecordingListener log = new RecordingListener();
    ChartPushResult r = new ChartPublisher(log).push(TestCharts.chart(WORK, "meta", "1.0.0+build.1"),
        OciChartRepository.parse("oci://" + plain.hostPort()), plainAccess(), CREATED);
    assertEquals("1.0.0_build.1", r.tag());
    assertEquals(plain.hostPort() + "/meta:1.0.0_build.1", r.reference());
    assertEquals(200, new RegistryReader(plain).manifest("meta", "1.0.0_build.1").statusCode());
    assertTrue(log.all().contains("pushing as tag 1.0.0_build.1"), log.all());
    String shown = Helm.show("oci://" + plain.hostPort() + "/meta").chart().withVersion("1.0.0+build.1").plainHttp().call();
    assertTrue(shown.contains("version: 1.0.0+build.1"), shown);

    RecordingListener snap = new RecordingListener();
    ChartPushResult s = new ChartPublisher(snap).push(TestCharts.chart(WORK, "snap", "1.0.0-SNAPSHOT"),
        OciChartRepository.parse("oci://" + plain.hostPort() + "/charts"), plainAccess(), CREATED);
    assertEquals("1.0.0-SNAPSHOT", s.tag());
    assertTrue(snap.all().contains("1.0.0-SNAPSHOT is a pre-release"), snap.all());
    String rendered = Helm.template("oci://" + plain.hostPort() + "/charts/snap").withVersion("1.0.0-SNAPSHOT")
        .withName("s").plainHttp().call();
    assertTrue(rendered.contains("name: s-cm"), rendered);
  }

  @Test
  void pushesOverTlsWithBasicAuthAndCaFileAndHelmReadsIt() throws Exception {
    RecordingListener log = new RecordingListener();
    ChartPushResult r = new ChartPublisher(log).push(TestCharts.chart(WORK, "secure", "2.0.0"),
        OciChartRepository.parse("oci://" + secure.hostPort() + "/apps/charts"), secureAccess(LocalRegistry.PASSWORD, false, true),
        CREATED);
    assertEquals(secure.hostPort() + "/apps/charts/secure:2.0.0", r.reference());
    HttpResponse<byte[]> m = new RegistryReader(secure).manifest("apps/charts/secure", "2.0.0");
    assertEquals(200, m.statusCode());
    assertEquals(r.digest(), Digests.sha256(m.body()));
    assertFalse(log.all().contains(LocalRegistry.PASSWORD));
    assertFalse(log.all().contains("WARN"), log.all());
    String raw = secure.skopeo("inspect", "--raw", "docker://" + r.reference());
    assertEquals(new String(m.body(), StandardCharsets.UTF_8), raw.strip());

    Helm.registry().login().withHost(secure.hostPort()).withUsername(LocalRegistry.USERNAME)
        .withPassword(LocalRegistry.PASSWORD).withCaFile(secure.certificate()).call();
    String shown = Helm.show("oci://" + secure.hostPort() + "/apps/charts/secure").chart().withVersion("2.0.0")
        .withCaFile(secure.certificate()).call();
    assertTrue(shown.contains("name: secure"), shown);
    String rendered = Helm.template("oci://" + secure.hostPort() + "/apps/charts/secure").withVersion("2.0.0")
        .withName("t").withCaFile(secure.certificate()).call();
    assertTrue(rendered.contains("name: t-cm"), rendered);
  }

  @Test
  void credentialsFromADockerCredentialHelperPushToTheAuthRegistry() throws Exception {
    Path dir = Files.createDirectories(WORK.resolve("docker-" + System.nanoTime()));
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path helper = Files.writeString(bin.resolve("docker-credential-test"), """
        #!/bin/sh
        read server
        [ "$server" = "%s" ] || { echo "credentials not found in native keychain"; exit 1; }
        echo '{"ServerURL":"%s","Username":"%s","Secret":"%s"}'
        """.formatted(secure.hostPort(), secure.hostPort(), LocalRegistry.USERNAME, LocalRegistry.PASSWORD));
    Files.setPosixFilePermissions(helper, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    Path config = Files.writeString(dir.resolve("config.json"),
        "{\"credHelpers\":{\"" + secure.hostPort() + "\":\"test\"}}");
    RecordingListener log = new RecordingListener();
    Optional<RegistryCredentials> creds = new DockerCredentials(config, java.util.List.of(bin), log).lookup(secure.hostPort());
    ChartPushResult r = new ChartPublisher(log).push(TestCharts.chart(WORK, "helped", "1.0.0"),
        OciChartRepository.parse("oci://" + secure.hostPort() + "/charts"),
        new RegistryAccess(secure.hostPort(), creds, false, Optional.of(secure.certificate())), CREATED);
    assertEquals(200, new RegistryReader(secure).manifest("charts/helped", "1.0.0").statusCode());
    assertTrue(log.all().contains("docker-credential-test"), log.all());
    assertFalse(log.all().contains(LocalRegistry.PASSWORD), log.all());
    assertTrue(r.pinnedReference().startsWith(secure.hostPort() + "/charts/helped@sha256:"), r.pinnedReference());
  }

  @Test
  void allowInsecureSkipsCertificateCheckWithAWarning() throws Exception {
    RecordingListener log = new RecordingListener();
    ChartPushResult r = new ChartPublisher(log).push(TestCharts.chart(WORK, "unverified", "1.0.0"),
        OciChartRepository.parse("oci://" + secure.hostPort() + "/charts"), secureAccess(LocalRegistry.PASSWORD, true, false),
        CREATED);
    assertEquals(200, new RegistryReader(secure).manifest("charts/unverified", "1.0.0").statusCode());
    assertTrue(log.all().contains("WARN The TLS certificate of registry " + secure.hostPort() + " is not trusted"), log.all());
    assertTrue(r.digest().startsWith("sha256:"));
  }

  @Test
  void untrustedCertificateWithoutAllowInsecureIsAClearError() throws Exception {
    RegistryUnreachableException e = assertThrows(RegistryUnreachableException.class,
        () -> new ChartPublisher(new RecordingListener()).push(TestCharts.chart(WORK, "untrusted", "1.0.0"),
            OciChartRepository.parse("oci://" + secure.hostPort() + "/charts"), secureAccess(LocalRegistry.PASSWORD, false, false), CREATED));
    assertTrue(e.getMessage().contains("TLS certificate of the registry " + secure.hostPort() + " is not trusted"), e.getMessage());
    assertTrue(e.getMessage().contains("vm.registry.caFile"), e.getMessage());
  }

  @Test
  void plainRegistryWithoutAllowInsecureSaysSo() throws Exception {
    RegistryUnreachableException e = assertThrows(RegistryUnreachableException.class,
        () -> new ChartPublisher(new RecordingListener()).push(TestCharts.chart(WORK, "nottls", "1.0.0"),
            OciChartRepository.parse("oci://" + plain.hostPort() + "/charts"), RegistryAccess.anonymous(plain.hostPort()), CREATED));
    assertTrue(e.getMessage().contains("does not speak TLS") && e.getMessage().contains("vm.allowInsecureRegistries=true"),
        e.getMessage());
  }

  @Test
  void wrongPasswordIsAClearErrorWithoutThePassword() throws Exception {
    String wrong = "wrong-Secret-123";
    RecordingListener log = new RecordingListener();
    RegistryAuthenticationException e = assertThrows(RegistryAuthenticationException.class, () -> new ChartPublisher(log,
        new RetryPolicy(3, Duration.ofMillis(10))).push(TestCharts.chart(WORK, "denied", "1.0.0"),
        OciChartRepository.parse("oci://" + secure.hostPort() + "/charts"), secureAccess(wrong, false, true), CREATED));
    assertEquals(401, e.status());
    assertTrue(e.getMessage().contains("registry " + secure.hostPort() + " refused the credentials"), e.getMessage());
    assertTrue(e.getMessage().contains("user '" + LocalRegistry.USERNAME + "' from settings.xml server '" + secure.hostPort()),
        e.getMessage());
    assertFalse(e.getMessage().contains(wrong));
    assertFalse(log.all().contains(wrong));
    assertFalse(log.all().contains("trying again"), "401 is not retried");
    assertEquals(404, new RegistryReader(secure).manifest("charts/denied", "1.0.0").statusCode());
  }

  @Test
  void missingCredentialsSayWhereTheyWereLookedFor() throws Exception {
    RegistryAuthenticationException e = assertThrows(RegistryAuthenticationException.class, () -> new ChartPublisher(
        new RecordingListener()).push(TestCharts.chart(WORK, "anon", "1.0.0"),
        OciChartRepository.parse("oci://" + secure.hostPort() + "/charts"),
        new RegistryAccess(secure.hostPort(), Optional.empty(), false, Optional.of(secure.certificate())), CREATED));
    assertTrue(e.getMessage().contains("settings.xml <server> with id '" + secure.hostPort() + "'"), e.getMessage());
  }

  @Test
  void stoppedRegistryIsUnreachable() throws Exception {
    LocalRegistry gone = LocalRegistry.plain(WORK.resolve("gone-" + System.nanoTime()));
    String hostPort = gone.hostPort();
    gone.close();
    Path tgz = TestCharts.chart(WORK, "nowhere", "1.0.0");
    for (boolean insecure : new boolean[] {true, false}) {
      long start = System.nanoTime();
      RegistryUnreachableException e = assertThrows(RegistryUnreachableException.class, () -> new ChartPublisher(
          new RecordingListener()).push(tgz, OciChartRepository.parse("oci://" + hostPort + "/charts"),
          new RegistryAccess(hostPort, Optional.empty(), insecure, Optional.empty()), CREATED));
      assertTrue(e.getMessage().contains("registry " + hostPort + " is unreachable"), e.getMessage());
      assertTrue(e.getMessage().contains("connection to " + hostPort + " refused"), e.getMessage());
      assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 10, "fails fast");
    }
  }
}
