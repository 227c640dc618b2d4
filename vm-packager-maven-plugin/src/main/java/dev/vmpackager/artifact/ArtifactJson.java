package dev.vmpackager.artifact;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vmpackager.io.Digests;
import dev.vmpackager.vm.Quantities;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The manifest and the index of the artifact, as KubeVirt's {@code buildManifest} and
 * {@code buildIndex} write them: no manifest annotations, the index annotated only with its
 * creation time, annotation keys sorted. The manifest's fields are in the order of Go's
 * {@code ocispec} structs; the index's in the order the ORAS SDK writes an index when it pushes one
 * (it serializes its own model rather than sending the given bytes), so the pushed index is byte for
 * byte the tar's {@code index.json} and has its digest.
 */
final class ArtifactJson {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ArtifactJson() {}

  /**
   * @param config the config blob
   * @param layers the disk layers, in order
   * @return the manifest's bytes
   */
  static byte[] manifest(byte[] config, List<DiskLayerStep.Layer> layers) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("schemaVersion", 2);
    m.put("mediaType", VmArtifact.MANIFEST_MEDIA_TYPE);
    m.put("artifactType", VmArtifact.ARTIFACT_TYPE);
    m.put("config", descriptor(VmArtifact.CONFIG_MEDIA_TYPE, Digests.sha256(config), config.length));
    List<Object> ls = new ArrayList<>();
    for (DiskLayerStep.Layer l : layers) {
      Map<String, Object> d = descriptor(VmArtifact.DISK_MEDIA_TYPE, l.digest(), l.size());
      Map<String, String> annotations = new TreeMap<>();
      annotations.put(VmArtifact.DISK_NAME, l.name());
      annotations.put(VmArtifact.DISK_SIZE, Quantities.bytes(l.virtualSize()));
      annotations.put(VmArtifact.TITLE, l.name() + ".raw.zst");
      d.put("annotations", annotations);
      ls.add(d);
    }
    m.put("layers", ls);
    return bytes(m);
  }

  /**
   * @param manifest the manifest's bytes
   * @param architecture the VM's architecture
   * @param created the creation time
   * @return the index's bytes: one entry, {@code linux} on the VM's architecture, in the
   *     field order ORAS writes
   */
  static byte[] index(byte[] manifest, String architecture, Instant created) {
    Map<String, Object> entry = descriptor(VmArtifact.MANIFEST_MEDIA_TYPE, Digests.sha256(manifest), manifest.length);
    Map<String, Object> platform = new LinkedHashMap<>();
    platform.put("os", "linux");
    platform.put("architecture", architecture);
    entry.put("platform", platform);
    Map<String, Object> i = new LinkedHashMap<>();
    i.put("schemaVersion", 2);
    i.put("mediaType", VmArtifact.INDEX_MEDIA_TYPE);
    i.put("artifactType", VmArtifact.ARTIFACT_TYPE);
    Map<String, String> annotations = new TreeMap<>();
    annotations.put(VmArtifact.CREATED, DateTimeFormatter.ISO_INSTANT.format(created));
    i.put("annotations", annotations);
    i.put("manifests", List.of(entry));
    return bytes(i);
  }

  private static Map<String, Object> descriptor(String mediaType, String digest, long size) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("mediaType", mediaType);
    d.put("digest", digest);
    d.put("size", size);
    return d;
  }

  private static byte[] bytes(Object tree) {
    try {
      return JSON.writeValueAsBytes(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
