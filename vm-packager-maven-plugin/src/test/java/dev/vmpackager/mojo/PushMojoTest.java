package dev.vmpackager.mojo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vmpackager.testing.LocalRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.maven.execution.DefaultMavenExecutionRequest;
import org.apache.maven.execution.DefaultMavenExecutionResult;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.model.Build;
import org.apache.maven.model.Model;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.project.MavenProject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two containerize executions in one project (each its own disk, image and tar), then push: each
 * tag holds the disk it was built from, read back from a real docker-registry; a push whose
 * recorded layer is missing, changed or another image's is refused before anything is sent.
 */
class PushMojoTest {

  @TempDir Path base;
  private LocalRegistry registry;
  private MavenProject project;
  private final ObjectMapper json = new ObjectMapper();

  @BeforeEach
  void start() throws Exception {
    registry = LocalRegistry.plain(base.resolve("registry"));
    project = newBuild();
  }

  /** The project as a new Maven build sees it (its context empty). */
  private MavenProject newBuild() {
    Model model = new Model();
    model.setGroupId("dev.vmpackager.test");
    model.setArtifactId("two-disks");
    model.setVersion("1.0");
    Build build = new Build();
    build.setDirectory(base.resolve("target").toString());
    build.setFinalName("two-disks-1.0");
    model.setBuild(build);
    return new MavenProject(model);
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  private String ref(String name) {
    return registry.hostPort() + "/it/" + name + ":1.0";
  }

  private Path convertedDisk(String vmName, long seed) throws Exception {
    return TwoExecutions.convertedDisk(base, vmName, seed);
  }

  private ContainerizeMojo containerize(String vmName, String image, String tar) throws Exception {
    return TwoExecutions.containerize(project, vmName, image, tar);
  }

  @SuppressWarnings("deprecation")
  private PushMojo push(String image) {
    PushMojo m = new PushMojo(TwoExecutions.decrypter());
    m.project = project;
    m.image = image;
    m.outputTimestamp = "2026-01-01T00:00:00Z";
    m.allowInsecureRegistries = true;
    m.session = new MavenSession(null, null, new DefaultMavenExecutionRequest(), new DefaultMavenExecutionResult());
    return m;
  }

  private JsonNode inspect(String transport) throws Exception {
    return json.readTree(registry.skopeo("inspect", transport));
  }

  /** The registry's answer for a tag, straight over HTTP. */
  private int tagStatus(String repository, String tag) throws Exception {
    HttpRequest head = HttpRequest.newBuilder(URI.create("http://" + registry.hostPort() + "/v2/" + repository
        + "/manifests/" + tag)).method("HEAD", HttpRequest.BodyPublishers.noBody())
        .header("Accept", "application/vnd.oci.image.manifest.v1+json").build();
    return HttpClient.newHttpClient().send(head, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void twoExecutionsThenPushOfEachGiveEachTagItsOwnDisk() throws Exception {
    convertedDisk("os", 1);
    convertedDisk("data", 2);
    containerize("os", ref("os"), "os.tar").execute();
    containerize("data", ref("data"), "data.tar").execute();
    JsonNode osBuilt = inspect("oci-archive:" + base.resolve("target/os.tar"));
    JsonNode dataBuilt = inspect("oci-archive:" + base.resolve("target/data.tar"));
    assertNotEquals(osBuilt.get("Layers").get(0).asText(), dataBuilt.get("Layers").get(0).asText(),
        "two disks, two layers");

    push(ref("os")).execute();
    push(ref("data")).execute();

    JsonNode os = inspect("docker://" + ref("os"));
    JsonNode data = inspect("docker://" + ref("data"));
    assertEquals(osBuilt.get("Layers").get(0).asText(), os.get("Layers").get(0).asText(),
        "the os tag holds the layer containerize built for os");
    assertEquals(dataBuilt.get("Layers").get(0).asText(), data.get("Layers").get(0).asText(),
        "the data tag holds the layer containerize built for data");
    assertEquals(osBuilt.get("Digest").asText(), os.get("Digest").asText());
    assertEquals(dataBuilt.get("Digest").asText(), data.get("Digest").asText());

    // Each image keeps its state in a folder named after its reference.
    Path osState = base.resolve("target/vm/containerdisk/" + registry.hostPort().replace(':', '+') + "/it/os+1.0");
    assertEquals(osBuilt.get("Digest").asText(), Files.readString(osState.resolve("image.digest")).trim());
    assertTrue(Files.isRegularFile(osState.resolve("containerdisk.properties")));
    assertTrue(Files.readString(osState.resolve("layer.properties")).contains("os.tar"));
  }

  @Test
  void aLayerRewrittenByAnotherExecutionIsRefusedNamingTheImage() throws Exception {
    convertedDisk("os", 1);
    convertedDisk("data", 2);
    // A later build of the data image (e.g. another profile) into the same <imageTar> replaces the os
    // image's tar with the data disk. (Within one build, containerize itself refuses that.)
    containerize("os", ref("os"), "shared.tar").execute();
    project = newBuild();
    containerize("data", ref("data"), "shared.tar").execute();
    MojoFailureException e = assertThrows(MojoFailureException.class, push(ref("os"))::execute);
    String m = e.getMessage();
    assertTrue(m.contains(ref("os")) && m.contains(base.resolve("target/shared.tar").toString())
        && m.contains("changed") && m.contains("vm-packager:containerize") && m.contains("<imageTar>"), m);
    assertEquals(404, tagStatus("it/os", "1.0"), "nothing pushed under the os tag");
    // The data image is the one the tar holds now: it pushes.
    push(ref("data")).execute();
    assertEquals(inspect("oci-archive:" + base.resolve("target/shared.tar")).get("Digest").asText(),
        inspect("docker://" + ref("data")).get("Digest").asText());
  }

  @Test
  void twoExecutionsSharingATarOrAnImageFailBeforeWriting() throws Exception {
    convertedDisk("os", 1);
    convertedDisk("data", 2);
    containerize("os", ref("os"), "shared.tar").execute();
    byte[] osTar = Files.readAllBytes(base.resolve("target/shared.tar"));
    MojoFailureException tar = assertThrows(MojoFailureException.class,
        containerize("data", ref("data"), "shared.tar")::execute);
    assertTrue(tar.getMessage().contains(base.resolve("target/shared.tar").toString())
        && tar.getMessage().contains(ref("data")) && tar.getMessage().contains(ref("os"))
        && tar.getMessage().contains("<imageTar>"), tar.getMessage());
    assertArrayEquals(osTar, Files.readAllBytes(base.resolve("target/shared.tar")),
        "the first execution's tar is untouched");
    MojoFailureException tag = assertThrows(MojoFailureException.class,
        containerize("data", ref("os"), "data.tar")::execute);
    assertTrue(tag.getMessage().contains(ref("os")) && tag.getMessage().contains("data.qcow2")
        && tag.getMessage().contains("os.qcow2") && tag.getMessage().contains("<image>"), tag.getMessage());
    push(ref("os")).execute();
    assertEquals(inspect("oci-archive:" + base.resolve("target/shared.tar")).get("Digest").asText(),
        inspect("docker://" + ref("os")).get("Digest").asText());
  }

  @Test
  void aMissingTarAChangedDiskOrAnImageNeverBuiltIsRefused() throws Exception {
    convertedDisk("os", 1);
    convertedDisk("data", 2);
    containerize("os", ref("os"), "os.tar").execute();
    containerize("data", ref("data"), "data.tar").execute();

    Files.delete(base.resolve("target/data.tar"));
    MojoFailureException gone = assertThrows(MojoFailureException.class, push(ref("data"))::execute);
    assertTrue(gone.getMessage().contains(ref("data")) && gone.getMessage().contains("data.tar")
        && gone.getMessage().contains("gone") && gone.getMessage().contains("vm-packager:containerize"),
        gone.getMessage());
    assertEquals(404, tagStatus("it/data", "1.0"), "not compressed again and pushed");

    convertedDisk("os", 3); // converted again (a later build): no longer the disk the os tar was built from
    MojoFailureException changed = assertThrows(MojoFailureException.class, push(ref("os"))::execute);
    assertTrue(changed.getMessage().contains(ref("os")) && changed.getMessage().contains("os.qcow2")
        && changed.getMessage().contains("changed"), changed.getMessage());
    assertEquals(404, tagStatus("it/os", "1.0"));

    MojoFailureException never = assertThrows(MojoFailureException.class, push(ref("other"))::execute);
    assertTrue(never.getMessage().contains("No containerDisk image was built for " + ref("other"))
        && never.getMessage().contains(ref("os")) && never.getMessage().contains(ref("data")), never.getMessage());
    assertEquals(404, tagStatus("it/other", "1.0"));
  }

  @Test
  void aStateCopiedFromAnotherImageIsRefused() throws Exception {
    convertedDisk("os", 1);
    convertedDisk("data", 2);
    containerize("os", ref("os"), "os.tar").execute();
    containerize("data", ref("data"), "data.tar").execute();
    Path root = base.resolve("target/vm/containerdisk/" + registry.hostPort().replace(':', '+') + "/it");
    for (String f : new String[] {"layer.properties", "image.digest"}) {
      Files.copy(root.resolve("data+1.0").resolve(f), root.resolve("os+1.0").resolve(f),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    MojoFailureException e = assertThrows(MojoFailureException.class, push(ref("os"))::execute);
    assertTrue(e.getMessage().contains(ref("os")) && e.getMessage().contains("data.qcow2"), e.getMessage());
    assertEquals(404, tagStatus("it/os", "1.0"));
    String layer = Files.readString(root.resolve("os+1.0/layer.properties"), StandardCharsets.UTF_8);
    Files.writeString(root.resolve("os+1.0/layer.properties"), layer.replace("data.qcow2", "os.qcow2"));
    e = assertThrows(MojoFailureException.class, push(ref("os"))::execute);
    assertTrue(e.getMessage().contains(ref("os")), e.getMessage());
    assertEquals(404, tagStatus("it/os", "1.0"));
  }
}
