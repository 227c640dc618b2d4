package dev.vmpackager.image;

import static dev.vmpackager.image.ImageFixtures.blob;
import static dev.vmpackager.image.ImageFixtures.json;
import static dev.vmpackager.image.ImageFixtures.layerEntries;
import static dev.vmpackager.image.ImageFixtures.run;
import static dev.vmpackager.image.ImageFixtures.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmpackager.image.ImageFixtures.Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerDiskBuilderTest {

  static final Instant TIME = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir static Path shared;
  static Path disk;

  @TempDir Path dir;

  @BeforeAll
  static void disk() throws Exception {
    disk = ImageFixtures.qcow2(shared, "source", 11);
  }

  static ContainerDiskSpec.Builder spec(Path cache) {
    return ContainerDiskSpec.builder()
        .disk(disk)
        .diskFileName("myvm.qcow2")
        .creationTime(TIME)
        .label("org.opencontainers.image.title", "My VM")
        .label("org.opencontainers.image.version", "1.0.0")
        .label("team", "platform")
        .annotation("org.opencontainers.image.title", "My VM")
        .annotation("org.opencontainers.image.version", "1.0.0")
        .annotation("org.opencontainers.image.source", "https://github.com/example/myvm")
        .annotation("org.opencontainers.image.revision", "v1.0.0")
        .annotation("org.opencontainers.image.created", TIME.toString())
        .environment("INSTANCETYPE_KUBEVIRT_IO_DEFAULT_INSTANCETYPE", "u1.small")
        .environment("INSTANCETYPE_KUBEVIRT_IO_DEFAULT_PREFERENCE", "fedora")
        .cacheDirectory(cache);
  }

  static BuildResult tar(ContainerDiskSpec spec, Path tar) throws Exception {
    return ContainerDiskBuilder.build(BuildRequest.builder().spec(spec).target(ImageTarget.TAR)
        .reference(ImageFixtures.ref("example.org/apps/myvm-containerdisk:1.0")).output(tar).build());
  }

  /** Exactly disk/ (0555) and disk/myvm.qcow2 (0444), both 107:107, the file the source's bytes. */
  static void assertContainerDiskLayer(Path layerBlob, String fileName, Path source) throws Exception {
    List<Entry> entries = layerEntries(layerBlob);
    assertEquals(2, entries.size(), () -> "exactly two entries: " + entries);
    Entry d = entries.get(0);
    assertEquals("disk/", d.name());
    assertTrue(d.directory());
    assertEquals(0555, d.mode(), "disk/ mode");
    assertEquals(107, d.uid());
    assertEquals(107, d.gid());
    Entry f = entries.get(1);
    assertEquals("disk/" + fileName, f.name());
    assertFalse(f.directory());
    assertEquals(0444, f.mode(), "disk file mode");
    assertEquals(107, f.uid());
    assertEquals(107, f.gid());
    assertEquals(Files.size(source), f.size());
    assertEquals(sha256(source), f.contentSha256());
  }

  @Test
  void ociTarReadBySkopeoAndUmociHoldsExactlyTheDisk() throws Exception {
    Path tar = dir.resolve("image.tar");
    BuildResult result = tar(spec(dir.resolve("cache")).build(), tar);
    assertTrue(result.digest().matches("sha256:[0-9a-f]{64}"), result.digest());

    JsonNode inspect = json(run("skopeo", "inspect", "oci-archive:" + tar));
    assertEquals(result.digest(), inspect.get("Digest").asText());
    assertEquals("amd64", inspect.get("Architecture").asText());
    assertEquals("linux", inspect.get("Os").asText());
    assertEquals("2026-01-01T00:00:00Z", inspect.get("Created").asText());
    assertEquals("My VM", inspect.get("Labels").get("org.opencontainers.image.title").asText());
    assertEquals("platform", inspect.get("Labels").get("team").asText());
    assertEquals(1, inspect.get("Layers").size());
    assertEquals(result.layerDigest(), inspect.get("Layers").get(0).asText());
    List<String> env = new ArrayList<>();
    inspect.get("Env").forEach(e -> env.add(e.asText()));
    assertEquals(List.of("INSTANCETYPE_KUBEVIRT_IO_DEFAULT_INSTANCETYPE=u1.small",
        "INSTANCETYPE_KUBEVIRT_IO_DEFAULT_PREFERENCE=fedora"), env);

    JsonNode config = json(run("skopeo", "inspect", "--config", "oci-archive:" + tar));
    assertTrue(config.path("config").path("Entrypoint").isMissingNode() || config.path("config").path("Entrypoint").isNull(),
        () -> "no entrypoint: " + config);
    assertTrue(config.path("config").path("Cmd").isMissingNode() || config.path("config").path("Cmd").isNull());

    JsonNode manifest = json(run("skopeo", "inspect", "--raw", "oci-archive:" + tar));
    assertEquals("application/vnd.oci.image.manifest.v1+json", manifest.get("mediaType").asText());
    assertEquals("application/vnd.oci.image.layer.v1.tar+gzip", manifest.get("layers").get(0).get("mediaType").asText());
    assertAnnotations(manifest);
    assertEquals(result.digest(), ImageFixtures.sha256Of(run("skopeo", "inspect", "--raw", "oci-archive:" + tar)),
        "the manifest's digest is the image digest");

    // skopeo copy to an OCI layout keeps the blobs: read the layer tar ourselves...
    Path layout = dir.resolve("layout");
    run("skopeo", "copy", "oci-archive:" + tar, "oci:" + layout + ":v1");
    assertContainerDiskLayer(blob(layout, result.layerDigest()), "myvm.qcow2", disk);
    // ...and let umoci unpack it as a runtime would.
    Path bundle = dir.resolve("bundle");
    run("umoci", "unpack", "--image", layout + ":v1", bundle.toString());
    Path rootfs = bundle.resolve("rootfs");
    try (Stream<Path> top = Files.list(rootfs)) {
      assertEquals(List.of(rootfs.resolve("disk")), top.toList());
    }
    try (Stream<Path> files = Files.list(rootfs.resolve("disk"))) {
      assertEquals(List.of(rootfs.resolve("disk/myvm.qcow2")), files.toList());
    }
    assertOwnedAndMode(rootfs.resolve("disk"), 0555);
    assertOwnedAndMode(rootfs.resolve("disk/myvm.qcow2"), 0444);
    assertEquals(sha256(disk), sha256(rootfs.resolve("disk/myvm.qcow2")));
  }

  static BuildResult tar(ContainerDiskSpec spec, Path tar, int threads) throws Exception {
    return ContainerDiskBuilder.build(BuildRequest.builder().spec(spec).target(ImageTarget.TAR).threads(threads)
        .reference(ImageFixtures.ref("example.org/apps/myvm-containerdisk:1.0")).output(tar).build());
  }

  @Test
  void zstdLayerIsReadBySkopeoUmociAndZstdTheSameForAnyWorkerCountAndReused() throws Exception {
    Path cache = dir.resolve("cache");
    ContainerDiskSpec spec = spec(cache).compression(LayerCompression.ZSTD).build();
    assertEquals(3, spec.compressionLevel(), "zstd's own default level");
    Path tar = dir.resolve("zstd.tar");
    BuildResult result = tar(spec, tar, 2);
    assertFalse(result.layerReused());

    JsonNode manifest = json(run("skopeo", "inspect", "--raw", "oci-archive:" + tar));
    assertEquals("application/vnd.oci.image.layer.v1.tar+zstd", manifest.get("layers").get(0).get("mediaType").asText());
    assertEquals(result.digest(), ImageFixtures.sha256Of(run("skopeo", "inspect", "--raw", "oci-archive:" + tar)));
    assertAnnotations(manifest);
    JsonNode inspect = json(run("skopeo", "inspect", "oci-archive:" + tar));
    assertEquals(result.digest(), inspect.get("Digest").asText());
    assertEquals(result.layerDigest(), inspect.get("Layers").get(0).asText());

    // skopeo copies the blob as it is (no recompression); zstd -d reads it; the diff id is its tar's digest.
    Path layout = dir.resolve("zstd-layout");
    run("skopeo", "copy", "oci-archive:" + tar, "oci:" + layout + ":v1");
    Path blob = blob(layout, result.layerDigest());
    assertEquals(result.layerDigest(), sha256(blob));
    assertContainerDiskLayer(blob, "myvm.qcow2", disk);
    Path plainTar = dir.resolve("layer.tar");
    run("zstd", "-q", "-d", blob.toString(), "-o", plainTar.toString());
    JsonNode config = json(run("skopeo", "inspect", "--config", "oci-archive:" + tar));
    assertEquals(sha256(plainTar), config.get("rootfs").get("diff_ids").get(0).asText(),
        "the diff id is the digest of the uncompressed tar");
    assertTrue(Files.size(blob) < Files.size(plainTar) * 0.9, "compressed: " + Files.size(blob));
    // umoci unpacks it as a runtime would: the disk inside equals the source. Debian's umoci 0.4.7
    // refuses zstd layers, so skopeo decompresses ours into a gzip copy first (checking our digest as
    // it reads), and umoci checks the diff id of what skopeo decompressed.
    Path gzipLayout = dir.resolve("zstd-as-gzip");
    run("skopeo", "copy", "--dest-compress-format", "gzip", "oci-archive:" + tar, "oci:" + gzipLayout + ":v1");
    Path bundle = dir.resolve("zstd-bundle");
    run("umoci", "unpack", "--image", gzipLayout + ":v1", bundle.toString());
    assertOwnedAndMode(bundle.resolve("rootfs/disk"), 0555);
    assertOwnedAndMode(bundle.resolve("rootfs/disk/myvm.qcow2"), 0444);
    assertEquals(sha256(disk), sha256(bundle.resolve("rootfs/disk/myvm.qcow2")));
    run("qemu-img", "compare", disk.toString(), bundle.resolve("rootfs/disk/myvm.qcow2").toString());

    // The same bytes with 1 and 4 workers, from an empty cache; the rebuild reuses the layer.
    for (int workers : new int[] {1, 4}) {
      Path other = dir.resolve("zstd-" + workers + ".tar");
      BuildResult r = tar(spec(dir.resolve("cache-" + workers)).compression(LayerCompression.ZSTD).build(), other,
          workers);
      assertFalse(r.layerReused());
      assertEquals(result.digest(), r.digest(), workers + " workers");
      assertArrayEquals(Files.readAllBytes(tar), Files.readAllBytes(other), workers + " workers");
    }
    BuildResult again = tar(spec, dir.resolve("zstd-again.tar"), 2);
    assertTrue(again.layerReused(), "an unchanged disk's zstd layer is copied, not compressed again");
    assertArrayEquals(Files.readAllBytes(tar), Files.readAllBytes(dir.resolve("zstd-again.tar")));
    // gzip and zstd are different layers: the record of one is never served for the other.
    BuildResult gzip = tar(spec(cache).build(), dir.resolve("gzip.tar"), 2);
    assertFalse(gzip.layerReused());
    assertFalse(gzip.layerDigest().equals(result.layerDigest()));
  }

  /** The OCI annotations from the project, on the manifest (or index). */
  static void assertAnnotations(JsonNode manifestOrIndex) {
    JsonNode a = manifestOrIndex.get("annotations");
    assertEquals("My VM", a.get("org.opencontainers.image.title").asText(), () -> "annotations: " + manifestOrIndex);
    assertEquals("1.0.0", a.get("org.opencontainers.image.version").asText());
    assertEquals("https://github.com/example/myvm", a.get("org.opencontainers.image.source").asText());
    assertEquals("v1.0.0", a.get("org.opencontainers.image.revision").asText());
    assertEquals("2026-01-01T00:00:00Z", a.get("org.opencontainers.image.created").asText());
  }

  private static void assertOwnedAndMode(Path p, int mode) throws Exception {
    assertEquals(107, Files.getAttribute(p, "unix:uid"), p + " uid");
    assertEquals(107, Files.getAttribute(p, "unix:gid"), p + " gid");
    assertEquals(mode, (Integer) Files.getAttribute(p, "unix:mode") & 07777, p + " mode");
  }

  @Test
  void sameDiskGivesTheSameDigestAndBytesBuildAfterBuild() throws Exception {
    Path cache = dir.resolve("cache");
    BuildResult first = tar(spec(cache).build(), dir.resolve("a.tar"));
    assertFalse(first.layerReused());
    BuildResult again = tar(spec(cache).build(), dir.resolve("b.tar"));
    assertTrue(again.layerReused(), "the compressed layer is reused, not compressed again");
    BuildResult fresh = tar(spec(dir.resolve("other-cache")).build(), dir.resolve("c.tar"));
    assertFalse(fresh.layerReused());
    assertEquals(first.digest(), again.digest());
    assertEquals(first.digest(), fresh.digest());
    assertEquals(first.layerDigest(), fresh.layerDigest());
    assertArrayEquals(Files.readAllBytes(dir.resolve("a.tar")), Files.readAllBytes(dir.resolve("c.tar")));
    assertArrayEquals(Files.readAllBytes(dir.resolve("a.tar")), Files.readAllBytes(dir.resolve("b.tar")),
        "the reused layer gives the same bytes");

    // A different timestamp or label is a different image.
    BuildResult later = tar(spec(cache).creationTime(TIME.plusSeconds(1)).build(), dir.resolve("d.tar"));
    assertFalse(later.digest().equals(first.digest()));
  }

  @Test
  void aChangedDiskIsCompressedAgainNeverServedStale() throws Exception {
    Path own = dir.resolve("vm.qcow2");
    Files.copy(disk, own);
    Path cache = dir.resolve("cache");
    ContainerDiskSpec spec = spec(cache).disk(own).build();
    BuildResult first = tar(spec, dir.resolve("a.tar"));
    Files.delete(own);
    Files.copy(ImageFixtures.qcow2(dir, "other", 99), own);
    BuildResult second = tar(spec, dir.resolve("b.tar"));
    assertFalse(second.layerReused(), "a new disk file is a new layer");
    assertFalse(first.layerDigest().equals(second.layerDigest()));
    assertContainerDiskLayer(blob(unpackedLayout(dir.resolve("b.tar")), second.layerDigest()), "myvm.qcow2", own);

    // Replaced again, this time keeping the old mtime (cp -p, rsync -t): still not served stale.
    java.nio.file.attribute.FileTime mtime = Files.getLastModifiedTime(own);
    Path third = ImageFixtures.qcow2(dir, "third", 1234);
    Files.move(third, own, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.setLastModifiedTime(own, mtime);
    BuildResult again = tar(spec, dir.resolve("c.tar"));
    assertFalse(again.layerReused(), "same path and mtime, different file");
    assertContainerDiskLayer(blob(unpackedLayout(dir.resolve("c.tar")), again.layerDigest()), "myvm.qcow2", own);
  }

  @Test
  void longFileNamesUseAPaxHeader() throws Exception {
    String name = "a-very-long-virtual-machine-name-".repeat(4) + "x.qcow2";
    Path tar = dir.resolve("long.tar");
    BuildResult r = tar(spec(dir.resolve("cache")).diskFileName(name).build(), tar);
    assertContainerDiskLayer(blob(unpackedLayout(tar), r.layerDigest()), name, disk);
  }

  @Test
  void severalPlatformsGiveAnOciIndexOverOneLayerInTarAndLayout() throws Exception {
    ContainerDiskSpec multi = spec(dir.resolve("cache"))
        .platforms(ImagePlatform.parseList("linux/amd64,linux/arm64,linux/arm/v7")).build();
    Path tar = dir.resolve("multi.tar");
    BuildResult result = tar(multi, tar);
    Path layout = dir.resolve("multi-layout");
    BuildResult fromLayout = ContainerDiskBuilder.build(BuildRequest.builder().spec(multi).target(ImageTarget.OCI_LAYOUT)
        .reference(ImageFixtures.ref("example.org/apps/myvm-containerdisk:1.0")).output(layout).build());
    assertEquals(result.digest(), fromLayout.digest(), "tar and layout hold the same index");
    assertTrue(fromLayout.layerReused(), "the layout copies the tar's layer");

    for (String source : List.of("oci-archive:" + tar, "oci:" + layout)) {
      String raw = run("skopeo", "inspect", "--raw", source);
      assertEquals(result.digest(), ImageFixtures.sha256Of(raw), source);
      JsonNode index = json(raw);
      assertEquals("application/vnd.oci.image.index.v1+json", index.get("mediaType").asText());
      assertAnnotations(index);
      assertEquals(3, index.get("manifests").size());
      List<String> archs = new ArrayList<>();
      for (JsonNode m : index.get("manifests")) {
        archs.add(m.get("platform").get("architecture").asText() + m.get("platform").path("variant").asText(""));
        JsonNode manifest = json(Files.readString(blob(layout, m.get("digest").asText())));
        assertEquals(result.layerDigest(), manifest.get("layers").get(0).get("digest").asText(),
            "every platform's manifest points at the one layer");
        assertAnnotations(manifest);
      }
      assertEquals(List.of("amd64", "arm64", "armv7"), archs);
    }
    // skopeo picks the platform from the index.
    for (String arch : List.of("arm64", "amd64", "arm/v7")) {
      Path copy = dir.resolve("copy-" + arch.replace('/', '-'));
      String[] av = arch.split("/");
      run("skopeo", "--override-arch", av[0], "--override-variant", av.length > 1 ? av[1] : "", "copy",
          "oci-archive:" + tar, "oci:" + copy + ":x");
      JsonNode config = json(run("skopeo", "inspect", "--config", "oci:" + copy + ":x"));
      assertEquals(av[0], config.get("architecture").asText());
      assertEquals(av.length > 1 ? av[1] : "", config.path("variant").asText(""));
      assertEquals(result.layerDigest(),
          json(run("skopeo", "inspect", "oci:" + copy + ":x")).get("Layers").get(0).asText());
    }
    // Exactly the two entries, modes and owners, as a runtime unpacks them.
    Path bundle = dir.resolve("multi-bundle");
    run("umoci", "unpack", "--image", dir.resolve("copy-arm64") + ":x", bundle.toString());
    Path rootfs = bundle.resolve("rootfs");
    try (Stream<Path> top = Files.list(rootfs)) {
      assertEquals(List.of(rootfs.resolve("disk")), top.toList());
    }
    assertOwnedAndMode(rootfs.resolve("disk"), 0555);
    assertOwnedAndMode(rootfs.resolve("disk/myvm.qcow2"), 0444);
    assertEquals(sha256(disk), sha256(rootfs.resolve("disk/myvm.qcow2")));
  }

  /** Unpacks an OCI archive to read its blobs. */
  private Path unpackedLayout(Path tar) throws Exception {
    Path out = Files.createDirectories(dir.resolve(tar.getFileName() + ".d"));
    run("tar", "-xf", tar.toString(), "-C", out.toString());
    return out;
  }

  @Test
  void dockerFormatTarIsADockerArchive() throws Exception {
    Path tar = dir.resolve("docker.tar");
    BuildResult result = tar(spec(dir.resolve("cache")).format(ManifestFormat.DOCKER).build(), tar);
    JsonNode raw = json(run("skopeo", "inspect", "--raw", "docker-archive:" + tar));
    assertEquals(2, raw.get("schemaVersion").asInt());
    assertEquals("application/vnd.docker.distribution.manifest.v2+json", raw.get("mediaType").asText());
    JsonNode inspect = json(run("skopeo", "inspect", "docker-archive:" + tar));
    assertEquals("amd64", inspect.get("Architecture").asText());
    assertEquals(1, inspect.get("Layers").size());
    assertEquals("My VM", inspect.get("Labels").get("org.opencontainers.image.title").asText());
    assertTrue(result.digest().startsWith("sha256:"));
    // (A Docker archive holds no manifest, skopeo makes one up: result.digest() is the manifest that push sends.)
    // skopeo reads the whole archive (layer checked against the config's diff id) and a runtime unpacks it.
    Path layout = dir.resolve("from-docker");
    run("skopeo", "copy", "docker-archive:" + tar, "oci:" + layout + ":x");
    Path bundle = dir.resolve("docker-bundle");
    run("umoci", "unpack", "--image", layout + ":x", bundle.toString());
    assertEquals(sha256(disk), sha256(bundle.resolve("rootfs/disk/myvm.qcow2")));
  }

  @Test
  void ociLayoutFolderAndUncompressedLayer() throws Exception {
    Path layout = dir.resolve("layout");
    Files.createDirectories(layout.resolve("stale"));
    ContainerDiskSpec spec = spec(dir.resolve("cache")).compression(LayerCompression.NONE)
        .platforms(ImagePlatform.parseList("linux/arm64")).build();
    BuildResult result = ContainerDiskBuilder.build(BuildRequest.builder().spec(spec).target(ImageTarget.OCI_LAYOUT)
        .reference(ImageFixtures.ref("example.org/apps/myvm-containerdisk:1.0")).output(layout).build());
    assertFalse(Files.exists(layout.resolve("stale")), "the folder is replaced, not merged");
    JsonNode inspect = json(run("skopeo", "inspect", "oci:" + layout));
    assertEquals(result.digest(), inspect.get("Digest").asText());
    assertEquals("arm64", inspect.get("Architecture").asText());
    Path layer = blob(layout, result.layerDigest());
    assertContainerDiskLayer(layer, "myvm.qcow2", disk);
    long size = Files.size(layer);
    // An uncompressed tar: two headers, the disk padded to 512, two zero blocks.
    assertEquals(512 + 512 + (Files.size(disk) + 511) / 512 * 512 + 1024, size, "a plain tar, not compressed");
    JsonNode manifest = json(run("skopeo", "inspect", "--raw", "oci:" + layout));
    assertEquals("application/vnd.oci.image.layer.v1.tar", manifest.get("layers").get(0).get("mediaType").asText());
    assertAnnotations(manifest);
    JsonNode config = json(run("skopeo", "inspect", "--config", "oci:" + layout));
    assertEquals(result.layerDigest(), config.get("rootfs").get("diff_ids").get(0).asText(),
        "uncompressed: the diff id is the digest");
  }

  @Test
  void badInputFailsNamingTheProblem() throws Exception {
    ContainerDiskSpec twoPlatforms = spec(dir.resolve("cache")).format(ManifestFormat.DOCKER)
        .platforms(ImagePlatform.parseList("linux/amd64,linux/arm64")).build();
    ImageException multi = assertThrows(ImageException.class, () -> tar(twoPlatforms, dir.resolve("x.tar")));
    assertTrue(multi.getMessage().contains("Docker archive") && multi.getMessage().contains("imageFormat OCI"),
        multi.getMessage());
    assertFalse(Files.exists(dir.resolve("x.tar")));

    ContainerDiskSpec missing = spec(dir.resolve("cache")).disk(dir.resolve("target/vm/nothing.qcow2")).build();
    ImageException noDisk = assertThrows(ImageException.class, () -> tar(missing, dir.resolve("y.tar")));
    assertTrue(noDisk.getMessage().contains("nothing.qcow2") && noDisk.getMessage().contains("convert"),
        noDisk.getMessage());
    assertFalse(Files.exists(dir.resolve("y.tar")));

    IllegalArgumentException dockerZstd = assertThrows(IllegalArgumentException.class,
        () -> spec(dir.resolve("cache")).format(ManifestFormat.DOCKER).compression(LayerCompression.ZSTD).build());
    assertTrue(dockerZstd.getMessage().contains("layerCompression=zstd")
        && dockerZstd.getMessage().contains("imageFormat=OCI"), dockerZstd.getMessage());
    IllegalArgumentException level = assertThrows(IllegalArgumentException.class,
        () -> spec(dir.resolve("cache")).compression(LayerCompression.ZSTD).compressionLevel(20).build());
    assertTrue(level.getMessage().contains("zstd compression level must be 1..19, not 20"), level.getMessage());
    assertEquals(LayerCompression.ZSTD, LayerCompression.parse(" ZSTD "));

    IllegalArgumentException variant = assertThrows(IllegalArgumentException.class,
        () -> ImagePlatform.parseList("linux/arm/v7/x"));
    assertTrue(variant.getMessage().contains("linux/arm/v7/x"));
    assertEquals(List.of(new ImagePlatform("linux", "arm", "v7")), ImagePlatform.parseList("linux/arm/v7"));
  }

  /** The registry target's copy of the layer blob, pushed from there, is an output like the others. */
  @Test
  void blobFolderHasTheUmasksModes() throws Exception {
    Path blobs = dir.resolve("target/vm/containerdisk/blobs");
    LayerRecord r = ImageArchive.writeBlob(spec(dir.resolve("cache")).build(), blobs, 2,
        dev.vmpackager.event.BuildListener.NONE);
    assertEquals(blobs.toAbsolutePath().resolve(r.layer().hex()), r.file());
    dev.vmpackager.testing.UmaskModes.assertAsCreated(blobs);
  }

  @Test
  void specRoundTripsThroughItsFile() throws Exception {
    ContainerDiskSpec spec = spec(dir.resolve("cache")).platforms(ImagePlatform.parseList("linux/amd64, linux/arm64"))
        .labels(Map.of("odd key=with:chars", "value with\nnewline", "trailing", "space ",
            // A project description with a dash or CJK text: not ISO 8859-1, written escaped.
            "org.opencontainers.image.description", "Rechnungs-VM \u2014 \u8acb\u6c42\u66f8 \u20ac")).build();
    Path file = dir.resolve("vm").resolve(ContainerDiskSpec.FILE_NAME);
    spec.store(file);
    assertEquals(spec, ContainerDiskSpec.load(file));
    String text = Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1);
    assertTrue(text.chars().allMatch(c -> c < 0x80), text);
    List<String> lines = text.lines().skip(1).toList();
    assertEquals(lines.stream().sorted().toList(), lines, "sorted, no date comment");
    ImageException missing = assertThrows(ImageException.class, () -> ContainerDiskSpec.load(dir.resolve("none")));
    assertTrue(missing.getMessage().contains("containerize"), missing.getMessage());
  }
}
