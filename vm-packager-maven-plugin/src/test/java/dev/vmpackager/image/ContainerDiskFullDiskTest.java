package dev.vmpackager.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.io.DiskFullException;
import dev.vmpackager.testing.TinyTmpfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The containerDisk image hits a full disk (a 3 MiB tmpfs) either in Jib's layer cache or in the
 * tar target: a clear ImageException naming where, and no temp or partial file left there.
 */
class ContainerDiskFullDiskTest {

  private static final String REF = "example.org/apps/myvm-containerdisk:1.0";

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
    LayerCache.deleteRecursively(tmpfs.dir().resolve("jib-cache"));
  }

  static ContainerDiskSpec spec(Path cache) {
    return ContainerDiskSpec.builder().disk(disk).diskFileName("myvm.qcow2").creationTime(Instant.EPOCH)
        .cacheDirectory(cache).build();
  }

  @Test
  void fullLayerCache() throws Exception {
    Path cache = tmpfs.dir().resolve("jib-cache");
    Path tar = dir.resolve("image.tar");
    ImageException e = assertThrows(ImageException.class, () -> ContainerDiskBuilder.build(BuildRequest.builder()
        .spec(spec(cache)).target(ImageTarget.TAR).reference(REF).output(tar).build()));
    DiskFullException cause = assertInstanceOf(DiskFullException.class, e.getCause(), e::toString);
    assertEquals(LayerCache.applicationCache(spec(cache)).toString(), cause.getFile());
    assertEquals("Writing the image layer of " + disk + " failed: " + LayerCache.applicationCache(spec(cache))
        + ": the disk is full (No space left on device); free space on that file system or write the output"
        + " elsewhere, then run again", e.getMessage());
    assertEquals(List.of(), files(tmpfs.dir()), "no temp or partial layer left in the cache");
    assertTrue(Files.notExists(tar));
    assertArrayEquals(diskSha, sha(disk), "the disk is unchanged");
  }

  @Test
  void fullTarTarget() throws Exception {
    Path cache = dir.resolve("jib-cache");
    Path tar = tmpfs.dir().resolve("image.tar");
    ImageException e = assertThrows(ImageException.class, () -> ContainerDiskBuilder.build(BuildRequest.builder()
        .spec(spec(cache)).target(ImageTarget.TAR).reference(REF).output(tar).build()));
    DiskFullException cause = assertInstanceOf(DiskFullException.class, e.getCause(), e::toString);
    assertEquals(tar.toString(), cause.getFile());
    assertEquals("Writing the containerDisk image " + REF + " failed: " + tar
        + ": the disk is full (No space left on device); free space on that file system or write the output"
        + " elsewhere, then run again", e.getMessage());
    assertEquals(List.of(), files(tmpfs.dir()), "no temp or partial tar left");
    assertArrayEquals(diskSha, sha(disk), "the disk is unchanged");
  }

  /** @return the regular files under {@code root} (folders Jib creates for its cache may stay) */
  static List<Path> files(Path root) throws Exception {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).toList();
    }
  }

  static byte[] sha(Path f) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f));
  }
}
