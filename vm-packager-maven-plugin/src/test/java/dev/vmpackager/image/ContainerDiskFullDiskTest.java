package dev.vmpackager.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.io.DiskFullException;
import dev.vmpackager.io.FileTrees;
import dev.vmpackager.registry.ImageReference;
import dev.vmpackager.registry.RegistryAccess;
import dev.vmpackager.testing.LocalRegistry;
import dev.vmpackager.testing.TinyTmpfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The containerDisk image hits a full disk (a 3 MiB tmpfs) in the tar or OCI layout target, or in
 * the registry target's blob folder: a clear ImageException naming it, no temp or partial file left.
 */
class ContainerDiskFullDiskTest {

  private static final ImageReference REF = ImageFixtures.ref("example.org/apps/myvm-containerdisk:1.0");

  private static final String REASON = ": the disk is full (No space left on device); free space on that file"
      + " system or write the output elsewhere, then run again";

  @TempDir static Path shared;
  @TempDir Path dir;
  static TinyTmpfs tmpfs;
  static Path disk;
  static byte[] diskSha;

  @BeforeAll
  static void setUp() throws Exception {
    // Random bytes: gzip cannot shrink them below the tmpfs's 3 MiB.
    disk = TinyTmpfs.randomFile(shared.resolve("myvm.qcow2"), 16L << 20, 7);
    diskSha = sha(disk);
    tmpfs = TinyTmpfs.mount("containerdisk", "3m");
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (tmpfs != null) {
      tmpfs.close();
    }
  }

  @AfterEach
  void empty() throws Exception {
    FileTrees.deleteRecursively(tmpfs.dir().resolve("work"));
  }

  static ContainerDiskSpec spec(Path cache) {
    return ContainerDiskSpec.builder().disk(disk).diskFileName("myvm.qcow2").creationTime(Instant.EPOCH)
        .cacheDirectory(cache).build();
  }

  @Test
  void fullLayoutTarget() throws Exception {
    Path cache = dir.resolve("work");
    Path layout = tmpfs.dir().resolve("layout");
    ImageException e = assertThrows(ImageException.class, () -> ContainerDiskBuilder.build(BuildRequest.builder()
        .spec(spec(cache)).target(ImageTarget.OCI_LAYOUT).reference(REF).output(layout).build()));
    DiskFullException cause = assertInstanceOf(DiskFullException.class, e.getCause(), e::toString);
    assertEquals(layout.toString(), cause.getFile());
    assertEquals("Writing the containerDisk image " + REF + " failed: " + layout + REASON, e.getMessage());
    assertEquals(List.of(), tmpfs.names(), "no temp folder or partial blob left");
    assertArrayEquals(diskSha, sha(disk), "the disk is unchanged");
  }

  @Test
  void fullTarTarget() throws Exception {
    // gzip (the parallel writer thread hits ENOSPC) and none (the kernel copy hits it).
    for (LayerCompression compression : LayerCompression.values()) {
      Path cache = dir.resolve("work-" + compression);
      Path tar = tmpfs.dir().resolve("image.tar");
      ContainerDiskSpec spec = ContainerDiskSpec.builder().disk(disk).diskFileName("myvm.qcow2")
          .creationTime(Instant.EPOCH).compression(compression).cacheDirectory(cache).build();
      ImageException e = assertThrows(ImageException.class, () -> ContainerDiskBuilder.build(BuildRequest.builder()
          .spec(spec).target(ImageTarget.TAR).reference(REF).output(tar).build()));
      DiskFullException cause = assertInstanceOf(DiskFullException.class, e.getCause(), e::toString);
      assertEquals(tar.toString(), cause.getFile());
      assertEquals("Writing the containerDisk image " + REF + " failed: " + tar + REASON, e.getMessage());
      assertEquals(List.of(), files(tmpfs.dir()), "no temp or partial tar left");
      assertArrayEquals(diskSha, sha(disk), "the disk is unchanged");
    }
  }

  @Test
  void fullBlobFolderOfTheRegistryTarget() throws Exception {
    Path work = tmpfs.dir().resolve("work");
    try (LocalRegistry registry = LocalRegistry.plain(dir.resolve("registry"))) {
      RegistryAccess access = new RegistryAccess(registry.hostPort(), Optional.empty(), true, Optional.empty());
      ImageException e = assertThrows(ImageException.class, () -> ContainerDiskBuilder.build(BuildRequest.builder()
          .spec(spec(work)).target(ImageTarget.REGISTRY)
          .reference(ImageFixtures.ref(registry.hostPort() + "/apps/full:1"))
          .access(access).build()));
      DiskFullException cause = assertInstanceOf(DiskFullException.class, e.getCause(), e::toString);
      assertEquals(work.resolve("blobs").toString(), cause.getFile());
      assertEquals("Writing the image layer of " + disk + " failed: " + work.resolve("blobs") + REASON,
          e.getMessage());
      assertEquals(List.of(), files(tmpfs.dir()), "no temp or partial blob left");
      assertTrue(Files.readAllLines(registry.directory().resolve("registry.log")).stream()
          .noneMatch(l -> l.contains("PUT /v2/apps/full/manifests")), "nothing pushed");
    }
  }

  @Test
  void fullDiskForTheDigestAndSpecFiles() throws Exception {
    tmpfs.fill();
    try {
      Path digest = tmpfs.dir().resolve("image.digest");
      DiskFullException e = assertThrows(DiskFullException.class,
          () -> ContainerDiskBuilder.writeDigestFile(digest, "sha256:" + "0".repeat(64)));
      assertEquals(digest + REASON, e.getMessage());
      Path specFile = tmpfs.dir().resolve(ContainerDiskSpec.FILE_NAME);
      DiskFullException s = assertThrows(DiskFullException.class, () -> spec(dir).store(specFile));
      assertEquals(specFile + REASON, s.getMessage());
      assertEquals(List.of(), tmpfs.names(), "no temp file left");
    } finally {
      Files.delete(tmpfs.dir().resolve(".filler"));
    }
  }

  /** @return the regular files under {@code root} */
  static List<Path> files(Path root) throws Exception {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).toList();
    }
  }

  static byte[] sha(Path f) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f));
  }
}
