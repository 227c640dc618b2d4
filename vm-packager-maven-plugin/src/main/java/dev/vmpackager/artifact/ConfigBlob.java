package dev.vmpackager.artifact;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The config blob: the VirtualMachine the chart renders, made what KubeVirt's exporter makes of a
 * VM ({@code generateVMDefinitionFromVm} and {@code prepareVMConfig}): metadata reduced to the name
 * and labels (no namespace, no Helm release labels, which no importer's cluster has), no
 * {@code dataVolumeTemplates}, and every disk's volume a {@code persistentVolumeClaim} whose claim
 * name is the volume name, which is also its layer's {@code io.kubevirt.disk.name}. The cloud-init
 * data the chart keeps in a Secret is written inline ({@code userDataBase64},
 * {@code networkDataBase64}): an importer creates only the PVCs and the VM, so a Secret would be
 * missing. A Secret the deployer makes ({@code cloudInitExistingSecret}) stays a reference.
 */
final class ConfigBlob {

  /** Labels that name a Helm release; an imported VM belongs to none. */
  private static final Set<String> HELM_LABELS = Set.of("helm.sh/chart", "app.kubernetes.io/instance",
      "app.kubernetes.io/managed-by");

  private ConfigBlob() {}

  /**
   * @param request the artifact's VM and disks
   * @return the VirtualMachine's JSON
   * @throws ArtifactException when a volume would need a claim no layer fills, or a disk has no volume
   */
  static byte[] of(ArtifactRequest request) throws ArtifactException {
    Map<String, Object> chartVm = request.virtualMachine();
    Map<String, Object> vm = new LinkedHashMap<>();
    vm.put("apiVersion", "kubevirt.io/v1");
    vm.put("kind", "VirtualMachine");
    Map<String, Object> metadata = new LinkedHashMap<>();
    Map<String, Object> chartMetadata = map(chartVm.get("metadata"));
    metadata.put("name", chartMetadata.get("name"));
    Map<String, Object> labels = withoutHelm(map(chartMetadata.get("labels")));
    if (!labels.isEmpty()) {
      metadata.put("labels", labels);
    }
    vm.put("metadata", metadata);
    Map<String, Object> spec = copy(map(chartVm.get("spec")));
    spec.remove("dataVolumeTemplates");
    Map<String, Object> template = map(spec.get("template"));
    Map<String, Object> templateMetadata = map(template.get("metadata"));
    if (templateMetadata.get("labels") != null) {
      templateMetadata.put("labels", withoutHelm(map(templateMetadata.get("labels"))));
    }
    Map<String, Object> podSpec = map(template.get("spec"));
    podSpec.put("volumes", volumes(request, list(podSpec.get("volumes"))));
    vm.put("spec", spec);
    try {
      return new ObjectMapper().writeValueAsString(vm).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the VirtualMachine cannot be written as JSON", e);
    }
  }

  /**
   * @param vm the VirtualMachine
   * @return its {@code spec.template.spec.architecture}, {@code amd64} when unset, as the exporter
   *     writes the index entry's platform
   */
  static String architecture(Map<String, Object> vm) {
    Object arch = map(map(map(map(vm.get("spec")).get("template")).get("spec"))).get("architecture");
    return arch == null || arch.toString().isEmpty() ? "amd64" : arch.toString();
  }

  private static List<Object> volumes(ArtifactRequest request, List<Object> chartVolumes) throws ArtifactException {
    List<String> disks = request.disks().stream().map(ArtifactDisk::name).toList();
    List<String> seen = new ArrayList<>();
    List<Object> out = new ArrayList<>();
    for (Object o : chartVolumes) {
      Map<String, Object> v = map(o);
      String name = String.valueOf(v.get("name"));
      Map<String, Object> volume = new LinkedHashMap<>();
      volume.put("name", name);
      if (disks.contains(name)) {
        Map<String, Object> claim = new LinkedHashMap<>();
        claim.put("claimName", name);
        volume.put("persistentVolumeClaim", claim);
        seen.add(name);
      } else if (v.containsKey("persistentVolumeClaim")) {
        throw new ArtifactException("The VM's volume " + name + " is the existing claim "
            + map(v.get("persistentVolumeClaim")).get("claimName") + " (<vm><extraDisks>), which the VM artifact"
            + " has no disk for: KubeVirt's importers create a claim for every layer and refuse a claim without one."
            + " Remove the <persistentVolumeClaim> disk, or build without vm.artifact");
      } else if (v.containsKey("cloudInitNoCloud") || v.containsKey("cloudInitConfigDrive")) {
        String kind = v.containsKey("cloudInitNoCloud") ? "cloudInitNoCloud" : "cloudInitConfigDrive";
        volume.put(kind, cloudInit(request, map(v.get(kind))));
      } else {
        for (Map.Entry<String, Object> e : v.entrySet()) {
          if (!e.getKey().equals("name")) {
            volume.put(e.getKey(), copyAny(e.getValue()));
          }
        }
      }
      out.add(volume);
    }
    for (String d : disks) {
      if (!seen.contains(d)) {
        throw new IllegalArgumentException("the VirtualMachine has no volume named " + d + " for the disk " + d);
      }
    }
    return out;
  }

  /** The chart's own Secret becomes inline data; the deployer's Secret stays a reference. */
  private static Map<String, Object> cloudInit(ArtifactRequest request, Map<String, Object> chartSource) {
    if (request.cloudInitUserData().isEmpty() && request.cloudInitNetworkData().isEmpty()) {
      return copy(chartSource);
    }
    Map<String, Object> source = new LinkedHashMap<>();
    request.cloudInitUserData().ifPresent(u -> source.put("userDataBase64", base64(u)));
    request.cloudInitNetworkData().ifPresent(n -> source.put("networkDataBase64", base64(n)));
    return source;
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, Object> withoutHelm(Map<String, Object> labels) {
    Map<String, Object> out = new LinkedHashMap<>();
    labels.forEach((k, v) -> {
      if (!HELM_LABELS.contains(k)) {
        out.put(k, v);
      }
    });
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : new LinkedHashMap<>();
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return o instanceof List<?> l ? (List<Object>) l : List.of();
  }

  /** A deep copy in the same order, so the chart's tree is never changed. */
  private static Map<String, Object> copy(Map<String, Object> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, copyAny(v)));
    return out;
  }

  private static Object copyAny(Object o) {
    if (o instanceof Map<?, ?>) {
      return copy(map(o));
    }
    if (o instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(x -> out.add(copyAny(x)));
      return out;
    }
    return o;
  }
}
