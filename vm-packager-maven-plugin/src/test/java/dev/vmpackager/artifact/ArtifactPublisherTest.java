package dev.vmpackager.artifact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vmpackager.publish.OciChartRepository;
import dev.vmpackager.publish.PublishException;
import dev.vmpackager.registry.RegistryAccess;
import dev.vmpackager.registry.RegistryAuthenticationException;
import dev.vmpackager.registry.RegistryCredentials;
import dev.vmpackager.testing.LocalRegistry;
import dev.vmpackager.testing.RecordingListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The VM artifact pushed to real registries (plain http; TLS with a private CA and basic auth, the
 * credentials as the image push gets them) and read back as {@code hack/oci-import.sh --registry}
 * reads it: {@code skopeo copy docker://... oci:DIR} keeps the manifest digest, every disk read back
 * decompresses ({@code zstd}) to its source, and the tag names the index.
 */
class ArtifactPublisherTest {

  private static final Path WORK = Path.of("target", "publish-tests", "vm-artifact").toAbsolutePath();
  private static LocalRegistry plain;
  private static LocalRegistry secure;
  private static Path tar;
  private static ArtifactResult built;

  @BeforeAll
  static void start() throws Exception {
    Files.createDirectories(WORK);
    plain = LocalRegistry.plain(WORK.resolve("plain-" + System.nanoTime()));
    secure = LocalRegistry.tlsWithAuth(WORK.resolve("tls-" + System.nanoTime()));
    VmArtifactTest.dir = Files.createTempDirectory(WORK, "build");
    VmArtifactTest.build();
    tar = VmArtifactTest.tar;
    built = VmArtifactTest.result;
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

  @Test
  void pushedArtifactReadsBackAsOciImportShReadsIt() throws Exception {
    String reference = ArtifactPublisher.reference(OciChartRepository.parse("oci://" + plain.hostPort() + "/vms",
        "vm.artifact.repository"), "myvm", "1.0-SNAPSHOT");
    assertEquals(plain.hostPort() + "/vms/myvm:1.0-SNAPSHOT", reference);
    RecordingListener log = new RecordingListener();
    ArtifactLayout layout = ArtifactLayout.read(tar);
    String digest = new ArtifactPublisher(log).push(layout, reference,
        new RegistryAccess(plain.hostPort(), Optional.empty(), true, Optional.empty()));
    assertEquals(built.manifestDigest(), digest);

    // The tag names the index, byte for byte the tar's index.json.
    assertEquals(new String(layout.index(), StandardCharsets.UTF_8), plain.skopeo("inspect", "--raw",
        "docker://" + reference).strip());
    assertReadsBack(plain, reference, Files.createTempDirectory(WORK, "plain-read"));
  }

  @Test
  void pushesOverTlsWithTheImagesCredentials() throws Exception {
    String reference = secure.hostPort() + "/kubevirt/vms/myvm:2.0";
    RegistryAccess access = new RegistryAccess(secure.hostPort(), Optional.of(new RegistryCredentials(
        LocalRegistry.USERNAME, LocalRegistry.PASSWORD, "settings.xml server")), false,
        Optional.of(secure.certificate()));
    new ArtifactPublisher(new RecordingListener()).push(ArtifactLayout.read(tar), reference, access);
    assertReadsBack(secure, reference, Files.createTempDirectory(WORK, "tls-read"));

    RegistryAccess wrong = new RegistryAccess(secure.hostPort(), Optional.of(new RegistryCredentials(
        LocalRegistry.USERNAME, "wrong", "settings.xml server")), false, Optional.of(secure.certificate()));
    assertThrows(RegistryAuthenticationException.class,
        () -> new ArtifactPublisher(new RecordingListener()).push(ArtifactLayout.read(tar), reference, wrong));
  }

  @Test
  void aRepositoryThatIsNoOciUrlNamesTheParameter() {
    PublishException e = assertThrows(PublishException.class,
        () -> OciChartRepository.parse("https://registry.example.com/vms", "vm.artifact.repository"));
    assertTrue(e.getMessage().contains("(vm.artifact.repository)"), e.getMessage());
    assertTrue(e.getMessage().startsWith("Invalid OCI repository"), e.getMessage());
  }

  /** {@code oci-import.sh --registry REF}: skopeo copy into an OCI layout, then the script's steps. */
  private static void assertReadsBack(LocalRegistry registry, String reference, Path work) throws Exception {
    Path layout = work.resolve("layout");
    registry.skopeo("copy", "docker://" + reference, "oci:" + layout);
    JsonNode index = new ObjectMapper().readTree(layout.resolve("index.json").toFile());
    assertEquals(built.manifestDigest(), index.at("/manifests/0/digest").asText(), "the same manifest digest");
    KubevirtImporters.Imported imported = KubevirtImporters.ociImportSh(layout, work, "pulled");
    assertEquals(List.of("rootdisk", "data"), List.copyOf(imported.disks().keySet()));
    VmArtifactTest.assertDisk(imported.disks().get("rootdisk"), VmArtifactTest.bootQcow2, "qcow2",
        VmArtifactTest.BOOT_SIZE);
    VmArtifactTest.assertDisk(imported.disks().get("data"), VmArtifactTest.dataRaw, "raw", VmArtifactTest.DATA_SIZE);
  }
}
