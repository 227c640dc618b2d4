package dev.vmpackager.artifact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a VM artifact the way KubeVirt's importers do, as the reference notes
 * ({@code shared/reference/kubevirt-vm-oci-artifact.md}, sections 5.1 and 5.3) describe them, with
 * the real tools the shell importer uses ({@code tar}, {@code zstd}) and none of the plugin's code:
 * {@link #ociImportSh} follows {@code hack/oci-import.sh} of KubeVirt 1.9 step by step, and
 * {@link #vep395Errors} applies the validation rules of VEP 395's {@code VirtualMachineImport}
 * (virt-import prototype {@code internal/artifact/validate.go}, {@code platform.go}, {@code rewrite.go}).
 */
final class KubevirtImporters {

  static final String VM_TYPE = "application/vnd.kubevirt.virtualmachine.v1";
  static final String VMT_TYPE = "application/vnd.kubevirt.virtualmachinetemplate.v1";
  static final String VM_CONFIG = "application/vnd.kubevirt.virtualmachine.config.v1+json";
  static final String VMT_CONFIG = "application/vnd.kubevirt.virtualmachinetemplate.config.v1+json";
  static final String RAW_ZSTD = "application/vnd.kubevirt.disk.raw+zstd";
  static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern QUANTITY = Pattern.compile("^([0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$");

  private KubevirtImporters() {}

  /**
   * What {@code hack/oci-import.sh} ends with: the disks it would upload, and the VirtualMachine it
   * would create.
   *
   * @param disks each disk's name ({@code io.kubevirt.disk.name}), in layer order, with the raw file
   *     {@code zstd -d} wrote and the size {@code virtctl image-upload --size} would get
   * @param vm the config with each claim the script matched rewritten to its new PVC
   */
  record Imported(Map<String, Disk> disks, JsonNode vm) {}

  /** One disk the script uploads. */
  record Disk(Path raw, String size) {}

  /**
   * {@code oci-import.sh --tar <tar> --name <name>}: {@code tar xf}, then as from a registry's
   * {@code skopeo copy ... oci:DIR}.
   */
  static Imported ociImportShTar(Path tar, Path work, String name) throws Exception {
    Path dir = Files.createDirectories(work.resolve("extracted"));
    run(work, "tar", "xf", tar.toString(), "-C", dir.toString());
    return ociImportSh(dir, work, name);
  }

  /**
   * The script's steps on an OCI layout folder (what {@code tar xf} or {@code skopeo copy
   * docker://REF oci:DIR} left): it needs {@code oci-layout} and {@code index.json}, reads
   * {@code manifests[0]}, takes the artifact type from the manifest, checks the config media type,
   * decompresses each {@code raw+zstd} layer with {@code zstd -d} to {@code <disk.name>.raw}, and
   * rewrites every {@code persistentVolumeClaim.claimName} equal (after {@code .} to {@code -}) to a
   * disk's name into the PVC it uploads, {@code <disk.name>-<name>}.
   */
  static Imported ociImportSh(Path dir, Path work, String name) throws Exception {
    assertTrue(Files.isRegularFile(dir.resolve("oci-layout")), "oci-import.sh: Missing oci-layout");
    assertTrue(Files.isRegularFile(dir.resolve("index.json")), "oci-import.sh: Missing index.json");
    JsonNode index = JSON.readTree(dir.resolve("index.json").toFile());
    String manifestDigest = index.path("manifests").path(0).path("digest").asText();
    JsonNode manifest = JSON.readTree(blob(dir, manifestDigest).toFile());
    String artifactType = manifest.path("artifactType").asText();
    String configType = manifest.path("config").path("mediaType").asText();
    if (artifactType.equals(VM_TYPE)) {
      assertEquals(VM_CONFIG, configType, "oci-import.sh: config media type of a VirtualMachine artifact");
    } else {
      throw new AssertionError("oci-import.sh: Unsupported artifact type: " + artifactType);
    }
    JsonNode config = JSON.readTree(blob(dir, manifest.path("config").path("digest").asText()).toFile());
    Map<String, Disk> disks = new LinkedHashMap<>();
    for (JsonNode layer : manifest.path("layers")) {
      if (!RAW_ZSTD.equals(layer.path("mediaType").asText())) {
        continue;
      }
      String diskName = layer.path("annotations").path("io.kubevirt.disk.name").asText();
      String size = layer.path("annotations").path("io.kubevirt.disk.size").asText();
      Path raw = work.resolve(diskName + ".raw");
      run(work, "zstd", "-d", "-q", "-f", blob(dir, layer.path("digest").asText()).toString(), "-o", raw.toString());
      disks.put(diskName, new Disk(raw, size));
    }
    ObjectNode vm = config.deepCopy();
    vm.with("metadata").put("name", name);
    for (JsonNode volume : vm.at("/spec/template/spec/volumes")) {
      JsonNode pvc = volume.path("persistentVolumeClaim");
      if (pvc.isObject()) {
        String claim = pvc.path("claimName").asText().replace('.', '-');
        if (disks.containsKey(claim)) {
          ((ObjectNode) pvc).put("claimName", claim + "-" + name);
        }
      }
    }
    return new Imported(disks, vm);
  }

  /**
   * VEP 395's validation of an artifact (index, then manifest and config): an empty list when
   * {@code VirtualMachineImport} would accept it.
   *
   * @param index the index's JSON, or null for a plain manifest at the tag
   */
  static List<String> vep395Errors(JsonNode index, JsonNode manifest, JsonNode config) {
    List<String> errors = new ArrayList<>();
    if (index != null) {
      // platform.go SelectManifest: entries with empty or unknown arch/os are ignored; without an
      // asked-for architecture exactly one usable entry must remain.
      int usable = 0;
      for (JsonNode m : index.path("manifests")) {
        String arch = m.path("platform").path("architecture").asText();
        String os = m.path("platform").path("os").asText();
        if (!arch.isEmpty() && !arch.equals("unknown") && !os.isEmpty() && !os.equals("unknown")) {
          usable++;
        }
      }
      if (usable != 1) {
        errors.add("the index has " + usable + " usable platform entries, not one");
      }
      if (!index.path("artifactType").asText().equals(manifest.path("artifactType").asText())) {
        errors.add("index and manifest artifactType differ");
      }
    }
    if (!OCI_MANIFEST.equals(manifest.path("mediaType").asText())) {
      errors.add("manifest mediaType is " + manifest.path("mediaType"));
    }
    String artifactType = manifest.path("artifactType").asText();
    if (!artifactType.equals(VM_TYPE) && !artifactType.equals(VMT_TYPE)) {
      errors.add("artifactType " + artifactType + " is not a KubeVirt one");
    }
    String expectedConfig = artifactType.equals(VMT_TYPE) ? VMT_CONFIG : VM_CONFIG;
    if (!expectedConfig.equals(manifest.path("config").path("mediaType").asText())) {
      errors.add("config mediaType " + manifest.path("config").path("mediaType"));
    }
    Set<String> layerNames = new HashSet<>();
    for (JsonNode layer : manifest.path("layers")) {
      if (!RAW_ZSTD.equals(layer.path("mediaType").asText())) {
        errors.add("layer media type " + layer.path("mediaType") + " is not supported");
      }
      String name = layer.path("annotations").path("io.kubevirt.disk.name").asText();
      if (name.isEmpty()) {
        errors.add("a layer has no io.kubevirt.disk.name");
      } else if (!layerNames.add(name)) {
        errors.add("duplicate disk name " + name);
      }
      JsonNode size = layer.path("annotations").path("io.kubevirt.disk.size");
      if (!size.isTextual() || bytes(size.asText()) == null || bytes(size.asText()).signum() <= 0) {
        errors.add("layer " + name + " has no io.kubevirt.disk.size quantity > 0: " + size);
      }
    }
    if (!"kubevirt.io/v1".equals(config.path("apiVersion").asText())
        || !"VirtualMachine".equals(config.path("kind").asText())) {
      errors.add("config is " + config.path("apiVersion") + " " + config.path("kind"));
    }
    Set<String> pvcVolumes = new HashSet<>();
    for (JsonNode v : config.at("/spec/template/spec/volumes")) {
      if (v.has("dataVolume")) {
        errors.add("a VirtualMachine artifact has PVC volumes only: " + v.path("name").asText() + " is a dataVolume");
      }
      if (v.has("persistentVolumeClaim")) {
        pvcVolumes.add(v.path("name").asText());
      }
    }
    for (String v : pvcVolumes) {
      if (!layerNames.contains(v)) {
        errors.add("the PVC volume " + v + " has no layer");
      }
    }
    for (String l : layerNames) {
      if (!pvcVolumes.contains(l)) {
        errors.add("the layer " + l + " names no PVC volume");
      }
    }
    return errors;
  }

  /** @return a Kubernetes quantity's bytes, or null when it is not one */
  static BigInteger bytes(String quantity) {
    Matcher m = QUANTITY.matcher(quantity);
    if (!m.matches()) {
      return null;
    }
    BigInteger n = new BigInteger(m.group(1));
    String unit = m.group(2) == null ? "" : m.group(2);
    int binary = List.of("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei").indexOf(unit);
    if (binary >= 0) {
      return n.shiftLeft(10 * binary);
    }
    return n.multiply(BigInteger.TEN.pow(3 * (1 + List.of("k", "M", "G", "T", "P", "E").indexOf(unit))));
  }

  static Path blob(Path dir, String digest) {
    assertTrue(digest.startsWith("sha256:"), digest);
    Path p = dir.resolve("blobs").resolve("sha256").resolve(digest.substring(7));
    assertTrue(Files.isRegularFile(p), "blob " + digest + " is missing");
    return p;
  }

  static String run(Path dir, String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IOException(List.of(cmd) + " timed out");
    }
    assertEquals(0, p.exitValue(), () -> List.of(cmd) + " failed:\n" + out);
    return out;
  }
}
