package dev.vmpackager.mojo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vmpackager.image.ContainerDiskSpec;
import dev.vmpackager.testing.LocalRegistry;
import dev.vmpackager.testing.PatternedDisk;
import dev.vmpackager.testing.QemuImg;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.maven.model.Build;
import org.apache.maven.model.Model;
import org.apache.maven.model.Scm;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.project.MavenProject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The containerize goal: the converted disk in, the tar, and the image's state (spec, layer, digest) out. */
class ContainerizeMojoTest {

  @TempDir Path base;

  private ContainerizeMojo mojo() {
    Model model = new Model();
    model.setGroupId("dev.vmpackager.test");
    model.setArtifactId("vm-cirros");
    model.setVersion("1.0-SNAPSHOT");
    model.setName("Cirros VM");
    model.setDescription("Cirros,\n  the classic KubeVirt demo");
    model.setUrl("https://example.com/vm-cirros");
    Scm scm = new Scm();
    scm.setUrl("https://github.com/example/vm-cirros");
    scm.setTag("v1.0");
    model.setScm(scm);
    Build build = new Build();
    build.setDirectory(base.resolve("target").toString());
    build.setFinalName("vm-cirros-1.0-SNAPSHOT");
    model.setBuild(build);
    ContainerizeMojo m = new ContainerizeMojo(TwoExecutions.decrypter());
    m.project = new MavenProject(model);
    m.image = "registry.example.com/apps/vm-cirros-containerdisk:1.0-SNAPSHOT";
    m.format = "qcow2";
    m.imageTar = base.resolve("target/vm-cirros-1.0-SNAPSHOT-containerdisk.tar").toFile();
    m.imageLayout = base.resolve("target/layout").toFile();
    m.target = "tar";
    m.imageFormat = "OCI";
    m.platform = "linux/amd64";
    m.layerCompression = "gzip";
    m.outputTimestamp = "2026-01-01T00:00:00Z";
    m.defaultInstancetype = "u1.small";
    m.labels = Map.of("team", "vm", "org.opencontainers.image.url", "https://override.example.com");
    return m;
  }

  private String run(String... cmd) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("TMPDIR", base.toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", cmd));
    return out;
  }

  private Path convertedDisk() throws Exception {
    Path raw = PatternedDisk.create(base.resolve("src.raw"), 64L << 20, 5);
    Path disk = Files.createDirectories(base.resolve("target/vm")).resolve("vm-cirros.qcow2");
    QemuImg.convert(raw, disk, "qcow2");
    return disk;
  }

  /** The state folder of registry.example.com/apps/vm-cirros-containerdisk:1.0-SNAPSHOT. */
  private Path state() {
    return base.resolve("target/vm/containerdisk/registry.example.com/apps/vm-cirros-containerdisk+1.0-SNAPSHOT");
  }

  @Test
  void writesTheTarTheDigestAndTheSpecForPush() throws Exception {
    convertedDisk();
    ContainerizeMojo m = mojo();
    m.execute();
    Path tar = m.imageTar.toPath();
    String digest = Files.readString(state().resolve("image.digest")).trim();
    assertTrue(digest.matches("sha256:[0-9a-f]{64}"), digest);
    assertTrue(Files.getPosixFilePermissions(tar).contains(java.nio.file.attribute.PosixFilePermission.GROUP_READ),
        "the tar gets the umask's permissions, not a temp file's 0600");
    JsonNode inspect = new ObjectMapper().readTree(run("skopeo", "inspect", "oci-archive:" + tar));
    assertEquals(digest, inspect.get("Digest").asText());
    JsonNode labels = inspect.get("Labels");
    assertEquals("Cirros VM", labels.get("org.opencontainers.image.title").asText());
    assertEquals("1.0-SNAPSHOT", labels.get("org.opencontainers.image.version").asText());
    assertEquals("Cirros, the classic KubeVirt demo", labels.get("org.opencontainers.image.description").asText());
    assertEquals("https://github.com/example/vm-cirros", labels.get("org.opencontainers.image.source").asText());
    assertEquals("v1.0", labels.get("org.opencontainers.image.revision").asText());
    assertEquals("https://override.example.com", labels.get("org.opencontainers.image.url").asText());
    assertEquals("vm", labels.get("team").asText());
    assertEquals("INSTANCETYPE_KUBEVIRT_IO_DEFAULT_INSTANCETYPE=u1.small", inspect.get("Env").get(0).asText());
    assertEquals(1, inspect.get("Env").size());
    // The same keys as OCI manifest annotations (Jib's own manifests have none).
    JsonNode annotations = new ObjectMapper().readTree(run("skopeo", "inspect", "--raw", "oci-archive:" + tar))
        .get("annotations");
    assertEquals("Cirros VM", annotations.get("org.opencontainers.image.title").asText());
    assertEquals("1.0-SNAPSHOT", annotations.get("org.opencontainers.image.version").asText());
    assertEquals("Cirros, the classic KubeVirt demo", annotations.get("org.opencontainers.image.description").asText());
    assertEquals("https://github.com/example/vm-cirros", annotations.get("org.opencontainers.image.source").asText());
    assertEquals("v1.0", annotations.get("org.opencontainers.image.revision").asText());
    assertEquals("https://override.example.com", annotations.get("org.opencontainers.image.url").asText());
    assertEquals("2026-01-01T00:00:00Z", annotations.get("org.opencontainers.image.created").asText());
    assertFalse(annotations.has("team"), "only org.opencontainers.image.* keys are annotations");

    ContainerDiskSpec spec = ContainerDiskSpec.load(state().resolve(ContainerDiskSpec.FILE_NAME));
    assertEquals("vm-cirros.qcow2", spec.diskFileName());
    assertEquals(state(), spec.cacheDirectory(), "the working folder is the image's state folder");
    assertTrue(Files.readString(state().resolve("layer.properties")).contains("image=" + m.image.replace(":", "\\:")),
        "the layer record names the image it was written for");
    assertFalse(Files.exists(base.resolve("target/vm/image.digest")), "no state shared by all images");
    assertFalse(Files.exists(base.resolve("target/vm/containerdisk.properties")), "no state shared by all images");

    // Built again: the same digest, and the spec is unchanged.
    m.execute();
    assertEquals(digest, Files.readString(state().resolve("image.digest")).trim());
    assertEquals(spec, ContainerDiskSpec.load(state().resolve(ContainerDiskSpec.FILE_NAME)));
  }

  @Test
  void failsClearlyWithoutTheConvertedDiskOrWithBadParameters() throws Exception {
    ContainerizeMojo m = mojo();
    MojoFailureException noDisk = assertThrows(MojoFailureException.class, m::execute);
    assertTrue(noDisk.getMessage().contains("vm-cirros.qcow2") && noDisk.getMessage().contains("vm-packager:convert"),
        noDisk.getMessage());
    convertedDisk();
    m.layerCompression = "brotli";
    MojoFailureException bad = assertThrows(MojoFailureException.class, m::execute);
    assertTrue(bad.getMessage().contains("vm.layerCompression") && bad.getMessage().contains("brotli")
        && bad.getMessage().contains("gzip, zstd or none"), bad.getMessage());
    m.layerCompression = "zstd";
    m.imageFormat = "Docker";
    bad = assertThrows(MojoFailureException.class, m::execute);
    assertTrue(bad.getMessage().contains("layerCompression=zstd") && bad.getMessage().contains("imageFormat=OCI"),
        bad.getMessage());
    m.imageFormat = "OCI";
    m.layerCompression = "none";
    m.target = "floppy";
    bad = assertThrows(MojoFailureException.class, m::execute);
    assertTrue(bad.getMessage().contains("vm.containerize.target"), bad.getMessage());
    m.target = "tar";
    m.outputTimestamp = "yesterday";
    bad = assertThrows(MojoFailureException.class, m::execute);
    assertTrue(bad.getMessage().contains("outputTimestamp"), bad.getMessage());
    assertFalse(Files.exists(m.imageTar.toPath()), "nothing written on failure");
  }

  @Test
  void registryTargetPushesWithTagsAndRecordsThePushedDigest() throws Exception {
    convertedDisk();
    try (LocalRegistry registry = LocalRegistry.plain(base.resolve("registry"))) {
      ContainerizeMojo m = mojo();
      m.target = "registry";
      m.image = registry.hostPort() + "/apps/vm-cirros:1.0";
      m.tags = List.of("latest");
      m.allowInsecureRegistries = true;
      m.execute();
      String digest = Files.readString(base.resolve("target/vm/containerdisk/"
          + registry.hostPort().replace(':', '+') + "/apps/vm-cirros+1.0/image.digest")).trim();
      for (String tag : List.of("1.0", "latest")) {
        JsonNode inspect = new ObjectMapper().readTree(
            registry.skopeo("inspect", "docker://" + registry.hostPort() + "/apps/vm-cirros:" + tag));
        assertEquals(digest, inspect.get("Digest").asText(), tag);
      }
      assertFalse(Files.exists(m.imageTar.toPath()), "the registry target writes no tar");
    }
  }

  @Test
  void skipWritesNothing() throws Exception {
    convertedDisk();
    ContainerizeMojo m = mojo();
    m.skipContainerize = true;
    m.execute();
    assertFalse(Files.exists(m.imageTar.toPath()));
    assertFalse(Files.exists(base.resolve("target/vm/containerdisk")));
    assertEquals(List.of(), List.of(new File(base.toFile(), "target/vm").list((d, n) -> n.endsWith(".tar"))));
  }
}
