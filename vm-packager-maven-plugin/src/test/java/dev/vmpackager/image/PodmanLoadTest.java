package dev.vmpackager.image;

import static dev.vmpackager.image.ImageFixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image tar is what users hand to {@code podman load} (the README's offline route): both the
 * OCI archive (default) and the Docker archive load into a real podman (Debian's, vfs storage in a
 * private folder) under their reference, with the config the build wrote.
 */
@Timeout(120)
class PodmanLoadTest {

  @TempDir static Path dir;
  /** podman refuses a run root longer than 50 characters, which target/ paths are: a short one in /tmp. */
  static Path runRoot;

  @BeforeAll
  static void disk() throws Exception {
    ContainerDiskBuilderTest.disk = ImageFixtures.qcow2(dir, "source", 31);
    runRoot = Files.createTempDirectory(Path.of("/tmp"), "vmp-podman-");
  }

  @AfterAll
  static void removeRunRoot() throws Exception {
    if (runRoot != null) {
      try (Stream<Path> s = Files.walk(runRoot)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** podman with its own storage under the test folder, so nothing touches the machine's images. */
  private static String podman(String store, String... args) throws Exception {
    String[] cmd = new String[args.length + 7];
    cmd[0] = "podman";
    cmd[1] = "--root";
    cmd[2] = dir.resolve(store).resolve("root").toString();
    cmd[3] = "--runroot";
    cmd[4] = runRoot.resolve(store).toString();
    cmd[5] = "--storage-driver";
    cmd[6] = "vfs";
    System.arraycopy(args, 0, cmd, 7, args.length);
    return ImageFixtures.run(cmd);
  }

  private static void assertLoaded(String store, String reference, String digest) throws Exception {
    JsonNode image = json(podman(store, "image", "inspect", reference)).get(0);
    assertEquals("amd64", image.get("Architecture").asText());
    assertEquals("linux", image.get("Os").asText());
    assertEquals("platform", image.get("Labels").get("team").asText());
    assertTrue(image.get("Config").get("Env").toString().contains("INSTANCETYPE_KUBEVIRT_IO_DEFAULT_INSTANCETYPE=u1.small"),
        () -> image.get("Config").toString());
    assertEquals(1, image.get("RootFS").get("Layers").size(), () -> image.get("RootFS").toString());
    if (digest != null) {
      assertEquals(digest, image.get("Digest").asText(), "podman keeps the manifest the build wrote");
    }
  }

  @Test
  void ociArchiveLoadsWithItsDigest() throws Exception {
    Path tar = dir.resolve("oci.tar");
    BuildResult built = ContainerDiskBuilderTest.tar(ContainerDiskBuilderTest.spec(dir.resolve("oci-cache")).build(), tar);
    String out = podman("oci-store", "load", "-i", tar.toString());
    assertTrue(out.contains("Loaded image: example.org/apps/myvm-containerdisk:1.0"), out);
    assertLoaded("oci-store", "example.org/apps/myvm-containerdisk:1.0", built.digest());
  }

  @Test
  void zstdOciArchiveLoadsWithItsDigestAndItsDisk() throws Exception {
    Path tar = dir.resolve("zstd.tar");
    BuildResult built = ContainerDiskBuilderTest.tar(ContainerDiskBuilderTest.spec(dir.resolve("zstd-cache"))
        .compression(LayerCompression.ZSTD).build(), tar);
    String out = podman("zstd-store", "load", "-i", tar.toString());
    assertTrue(out.contains("Loaded image: example.org/apps/myvm-containerdisk:1.0"), out);
    assertLoaded("zstd-store", "example.org/apps/myvm-containerdisk:1.0", built.digest());
    // Without running anything: podman decompressed the zstd layer into its store; the disk is there.
    Path exported = dir.resolve("zstd-export.tar");
    String container = podman("zstd-store", "create", "example.org/apps/myvm-containerdisk:1.0", "none").trim();
    podman("zstd-store", "export", "-o", exported.toString(), container);
    Path unpacked = Files.createDirectories(dir.resolve("zstd-export"));
    ImageFixtures.run("tar", "-xf", exported.toString(), "-C", unpacked.toString(), "disk");
    assertEquals(ImageFixtures.sha256(ContainerDiskBuilderTest.disk),
        ImageFixtures.sha256(unpacked.resolve("disk/myvm.qcow2")));
  }

  @Test
  void dockerArchiveLoads() throws Exception {
    Path tar = dir.resolve("docker.tar");
    ContainerDiskBuilderTest.tar(ContainerDiskBuilderTest.spec(dir.resolve("docker-cache"))
        .format(ManifestFormat.DOCKER).build(), tar);
    String out = podman("docker-store", "load", "-i", tar.toString());
    assertTrue(out.contains("example.org/apps/myvm-containerdisk:1.0"), out);
    // A docker-archive carries no manifest: podman writes its own, so only the config is compared.
    assertLoaded("docker-store", "example.org/apps/myvm-containerdisk:1.0", null);
  }
}
