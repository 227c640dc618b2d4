package dev.vmpackager.artifact;

import static dev.vmpackager.chart.ChartTesting.KUBE;
import static dev.vmpackager.chart.ChartTesting.assertManifestsValid;
import static dev.vmpackager.chart.ChartTesting.documents;
import static dev.vmpackager.chart.ChartTesting.only;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import dev.vmpackager.chart.ChartDisk;
import dev.vmpackager.chart.ChartGenerator;
import dev.vmpackager.chart.ChartSpec;
import dev.vmpackager.chart.ChartVirtualMachine;
import dev.vmpackager.chart.ExtraDisk;
import dev.vmpackager.event.BuildListener;
import dev.vmpackager.testing.PatternedDisk;
import dev.vmpackager.testing.QemuImg;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KubeVirt's VM artifact of a two-disk VM (a qcow2 boot disk, a raw data disk with a partial last
 * block, cloud-init user-data and network data), read by the two importers as the reference notes
 * describe them ({@link KubevirtImporters}): the disks decompressed by the {@code zstd} command are
 * the sources for {@code qemu-img compare}, the config is a VirtualMachine the strict schema accepts
 * whose domain is the chart's, and the bytes do not depend on the thread count.
 */
class VmArtifactTest {

  static final Instant CREATED = Instant.parse("2026-03-04T05:06:07Z");
  static final String USER_DATA = "#cloud-config\npassword: not-in-a-secret\n";
  static final String NETWORK_DATA = "version: 2\nethernets:\n  eth0: {dhcp4: true}\n";
  /** 24 MiB + 3 KiB: the boot disk's virtual size, a partial last block, whole KiB. */
  static final long BOOT_SIZE = (24L << 20) + 3 * 1024;
  /** 6 MiB + one sector: no whole KiB. */
  static final long DATA_SIZE = (6L << 20) + 512;

  @TempDir static Path dir;

  static Path bootRaw;
  static Path bootQcow2;
  static Path dataRaw;
  static ChartSpec spec;
  static Path tar;
  static ArtifactResult result;

  @BeforeAll
  static void build() throws Exception {
    bootRaw = PatternedDisk.create(dir.resolve("boot.raw"), BOOT_SIZE, 3);
    bootQcow2 = dir.resolve("boot.qcow2");
    QemuImg.convert(bootRaw, bootQcow2, "qcow2");
    dataRaw = PatternedDisk.create(dir.resolve("data.raw"), DATA_SIZE, 4);
    spec = twoDisks().build();
    tar = dir.resolve("myvm-1.0-vm.oci.tar");
    result = VmArtifact.build(request(spec, tar, 1));
  }

  static ChartSpec.Builder twoDisks() {
    return ChartSpec.builder().name("myvm").version("1.0.0").appVersion("1.0").description("d")
        .image("registry.example.com/vms/myvm-containerdisk:1.0").vmName("myvm").memory("2Gi")
        .addDisk(ChartDisk.named("data").withBus("sata"))
        .cloudInitUserData(USER_DATA).cloudInitNetworkData(NETWORK_DATA);
  }

  static ArtifactRequest request(ChartSpec spec, Path out, int threads) throws Exception {
    return ArtifactRequest.builder()
        .virtualMachine(ChartVirtualMachine.render(spec, spec.name()))
        .cloudInitUserData(spec.cloudInitUserData().orElse(null))
        .cloudInitNetworkData(spec.cloudInitNetworkData().orElse(null))
        .disk(new ArtifactDisk("rootdisk", bootQcow2))
        .disk(new ArtifactDisk("data", dataRaw))
        .output(out).created(CREATED).threads(threads).build();
  }

  @Test
  void ociImportShImportsEveryDiskByteForByte() throws Exception {
    Path work = Files.createDirectories(dir.resolve("oci-import"));
    KubevirtImporters.Imported imported = KubevirtImporters.ociImportShTar(tar, work, "imported");
    assertEquals(List.of("rootdisk", "data"), List.copyOf(imported.disks().keySet()));
    assertDisk(imported.disks().get("rootdisk"), bootQcow2, "qcow2", BOOT_SIZE);
    assertDisk(imported.disks().get("data"), dataRaw, "raw", DATA_SIZE);
    List<String> claims = new ArrayList<>();
    for (JsonNode v : imported.vm().at("/spec/template/spec/volumes")) {
      if (v.has("persistentVolumeClaim")) {
        claims.add(v.path("name").asText() + "=" + v.at("/persistentVolumeClaim/claimName").asText());
      }
    }
    assertEquals(List.of("rootdisk=rootdisk-imported", "data=data-imported"), claims,
        "the script points every claim at the PVC it uploaded");
  }

  /** The zstd command decompresses the layer to the source's guest bytes; the size annotation is the virtual size. */
  static void assertDisk(KubevirtImporters.Disk disk, Path source, String format, long virtualSize) throws Exception {
    QemuImg.assertIdentical(source, format, disk.raw(), "raw");
    assertEquals(virtualSize, Files.size(disk.raw()));
    assertEquals(BigInteger.valueOf(virtualSize), KubevirtImporters.bytes(disk.size()), disk.size());
  }

  @Test
  void vep395AcceptsIt() throws Exception {
    ArtifactLayout layout = ArtifactLayout.read(tar);
    ObjectMapper json = new ObjectMapper();
    JsonNode index = json.readTree(layout.index());
    JsonNode manifest = json.readTree(layout.manifest());
    JsonNode config = json.readTree(layout.config());
    assertEquals(List.of(), KubevirtImporters.vep395Errors(index, manifest, config));
    assertEquals(List.of(), KubevirtImporters.vep395Errors(null, manifest, config), "a plain manifest too");

    // The validator is the one that refuses what VEP 395 refuses.
    ObjectNode noSize = manifest.deepCopy();
    ((ObjectNode) noSize.at("/layers/1/annotations")).remove("io.kubevirt.disk.size");
    assertFalse(KubevirtImporters.vep395Errors(index, noSize, config).isEmpty());
    ObjectNode dataVolume = config.deepCopy();
    ObjectNode v = (ObjectNode) dataVolume.at("/spec/template/spec/volumes/0");
    v.remove("persistentVolumeClaim");
    v.putObject("dataVolume").put("name", "x");
    assertFalse(KubevirtImporters.vep395Errors(index, manifest, dataVolume).isEmpty());
  }

  @Test
  void layoutIsKubevirtsExporters() throws Exception {
    ArtifactLayout layout = ArtifactLayout.read(tar);
    JsonNode index = new ObjectMapper().readTree(layout.index());
    assertEquals("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
        + "\"artifactType\":\"application/vnd.kubevirt.virtualmachine.v1\","
        + "\"annotations\":{\"org.opencontainers.image.created\":\"2026-03-04T05:06:07Z\"},\"manifests\":[{\"mediaType\":"
        + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + result.manifestDigest() + "\",\"size\":"
        + layout.manifest().length + ",\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}",
        new String(layout.index(), StandardCharsets.UTF_8));
    assertEquals(1, index.path("manifests").size());
    JsonNode manifest = new ObjectMapper().readTree(layout.manifest());
    assertFalse(manifest.has("annotations"), "the exporter writes no manifest annotations");
    JsonNode layer = manifest.at("/layers/0");
    assertEquals(List.of("io.kubevirt.disk.name", "io.kubevirt.disk.size", "org.opencontainers.image.title"),
        fieldNames(layer.path("annotations")));
    assertEquals("rootdisk.raw.zst", layer.at("/annotations/org.opencontainers.image.title").asText());
    assertEquals("24579Ki", layer.at("/annotations/io.kubevirt.disk.size").asText(), "BinarySI, as Kubernetes writes it");
    assertEquals("6291968", manifest.at("/layers/1/annotations/io.kubevirt.disk.size").asText(), "plain bytes");

    // The tar: the exporter's order, regular files 0644 of root, no directories, the build's time.
    List<String> names = new ArrayList<>();
    try (InputStream in = Files.newInputStream(tar); TarArchiveInputStream t = new TarArchiveInputStream(in)) {
      for (TarArchiveEntry e; (e = t.getNextEntry()) != null; ) {
        names.add(e.getName());
        assertTrue(e.isFile(), e.getName());
        assertEquals(0644, e.getMode() & 07777, e.getName());
        assertEquals(0, e.getLongUserId());
        assertEquals(CREATED, e.getModTime().toInstant());
      }
    }
    String config = "blobs/sha256/" + manifest.at("/config/digest").asText().substring(7);
    assertEquals(List.of("oci-layout", "index.json", "blobs/sha256/" + result.manifestDigest().substring(7), config,
        "blobs/sha256/" + result.layers().get(0).digest().substring(7),
        "blobs/sha256/" + result.layers().get(1).digest().substring(7)), names);
  }

  @Test
  void configIsAStrictVirtualMachineWithPvcVolumesAndInlineCloudInit() throws Exception {
    JsonNode vm = new ObjectMapper().readTree(ArtifactLayout.read(tar).config());
    assertManifestsValid(List.of(vm));
    assertEquals(List.of("name", "labels"), fieldNames(vm.path("metadata")));
    assertEquals("myvm", vm.at("/metadata/name").asText());
    assertFalse(vm.at("/metadata/labels").has("app.kubernetes.io/instance"), "no Helm release");
    assertFalse(vm.at("/metadata/labels").has("helm.sh/chart"));
    assertFalse(vm.at("/spec/template/metadata/labels").has("app.kubernetes.io/instance"));
    assertFalse(vm.path("spec").has("dataVolumeTemplates"));
    assertFalse(vm.has("status"));
    JsonNode volumes = vm.at("/spec/template/spec/volumes");
    assertEquals(3, volumes.size(), volumes.toString());
    for (int i = 0; i < 2; i++) {
      String name = volumes.get(i).path("name").asText();
      assertEquals(List.of("rootdisk", "data").get(i), name);
      assertEquals(List.of("name", "persistentVolumeClaim"), fieldNames(volumes.get(i)));
      assertEquals(name, volumes.get(i).at("/persistentVolumeClaim/claimName").asText(), "claim name = volume name");
    }
    JsonNode cloudInit = volumes.get(2).path("cloudInitNoCloud");
    assertEquals(List.of("userDataBase64", "networkDataBase64"), fieldNames(cloudInit), "inline, not a secretRef");
    assertEquals(USER_DATA, new String(Base64.getDecoder().decode(cloudInit.path("userDataBase64").asText()),
        StandardCharsets.UTF_8));
    assertEquals(NETWORK_DATA, new String(Base64.getDecoder().decode(cloudInit.path("networkDataBase64").asText()),
        StandardCharsets.UTF_8));
  }

  @Test
  void domainAndNetworksAreWhatTheChartRendersByDefault() throws Exception {
    Path chart = new ChartGenerator(BuildListener.NONE).generate(spec, Files.createDirectories(dir.resolve("helm")));
    JsonNode rendered = only(documents(new Helm(chart).template().withKubeVersion(KUBE).withName("x").call()),
        "VirtualMachine");
    JsonNode vm = new ObjectMapper().readTree(ArtifactLayout.read(tar).config());
    for (String p : List.of("/spec/runStrategy", "/spec/template/spec/domain", "/spec/template/spec/networks",
        "/spec/template/spec/terminationGracePeriodSeconds", "/metadata/name")) {
      assertEquals(rendered.at(p), vm.at(p), p);
    }
    List<String> names = new ArrayList<>();
    rendered.at("/spec/template/spec/volumes").forEach(v -> names.add(v.path("name").asText()));
    List<String> artifactNames = new ArrayList<>();
    vm.at("/spec/template/spec/volumes").forEach(v -> artifactNames.add(v.path("name").asText()));
    assertEquals(names, artifactNames);
  }

  @Test
  void theSameBytesForAnyThreadCount() throws Exception {
    Path other = dir.resolve("threads-3.tar");
    VmArtifact.build(request(spec, other, 3));
    assertArrayEquals(Files.readAllBytes(tar), Files.readAllBytes(other));
  }

  @Test
  void anExistingClaimTheArtifactHasNoDiskForIsRefused() throws Exception {
    ChartSpec withClaim = twoDisks().addExtraDisk(new ExtraDisk("shared", "", "", "shared-claim")).build();
    Path out = dir.resolve("refused.tar");
    ArtifactException e = assertThrows(ArtifactException.class, () -> VmArtifact.build(request(withClaim, out, 1)));
    assertTrue(e.getMessage().contains("shared-claim (<vm><extraDisks>)"), e.getMessage());
    assertFalse(Files.exists(out), "nothing written");
  }

  @Test
  void theDeployersSecretStaysAReference() throws Exception {
    ChartSpec secret = twoDisks().cloudInitUserData(null).cloudInitNetworkData(null)
        .cloudInitExistingSecret("vm-secrets").build();
    Path out = dir.resolve("secret.tar");
    VmArtifact.build(request(secret, out, 1));
    JsonNode vm = new ObjectMapper().readTree(ArtifactLayout.read(out).config());
    assertEquals("vm-secrets", vm.at("/spec/template/spec/volumes/2/cloudInitNoCloud/secretRef/name").asText());
    assertManifestsValid(List.of(vm));
  }

  static List<String> fieldNames(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }
}
