package dev.vmpackager.image;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.tools.jib.image.json.ManifestTemplate;
import com.google.cloud.tools.jib.json.JsonTemplate;
import com.google.cloud.tools.jib.json.JsonTemplateMapper;
import dev.vmpackager.io.Digests;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The image's JSON documents: one config and one manifest per platform (all over the one layer),
 * and for several platforms an OCI image index (or, in Docker format, a manifest list).
 *
 * <p>The documents are Jib {@link JsonTemplate}s serialised by Jib's own {@link JsonTemplateMapper}:
 * the bytes written into a tar or an OCI layout are exactly the bytes Jib's registry client sends
 * ({@code RegistryClient.pushManifest} serialises the same template with the same mapper), so the
 * digest in {@code target/vm/image.digest} is the digest the registry reports. Field order is fixed
 * ({@link JsonPropertyOrder}) and maps are sorted, so the same spec gives the same bytes on every
 * build. Jib's own manifest templates are not used because they have no {@code annotations} and
 * always say {@code tar+gzip}.
 */
final class ImageJson {

  static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
  static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
  /** The annotation that names an image in an OCI layout's {@code index.json}. */
  static final String REF_NAME = "org.opencontainers.image.ref.name";

  private ImageJson() {}

  /**
   * One JSON document and its digest.
   *
   * @param mediaType its media type
   * @param bytes its exact bytes
   * @param digest {@code sha256:...} of the bytes
   * @param template the template that serialises to {@code bytes} (manifests and index: what is pushed)
   * @param platform the platform of a config or manifest; null for an index
   */
  record Document(String mediaType, byte[] bytes, String digest, JsonTemplate template, ImagePlatform platform) {
    long size() {
      return bytes.length;
    }

    String hex() {
      return digest.substring(digest.indexOf(':') + 1);
    }

    ManifestTemplate manifest() {
      return (ManifestTemplate) template;
    }
  }

  /**
   * The image's documents.
   *
   * @param configs one config per platform, in the spec's platform order
   * @param manifests one manifest per platform
   * @param index the index / manifest list, for several platforms
   */
  record Image(List<Document> configs, List<Document> manifests, Optional<Document> index) {
    /** @return what the image reference points at: the index, or the one manifest */
    Document root() {
      return index.orElse(manifests.get(0));
    }

    /** @return the image's digest (of {@link #root()}) */
    String digest() {
      return root().digest();
    }
  }

  /**
   * @param spec the image spec
   * @param layer the layer blob
   * @return config(s), manifest(s) and index
   */
  static Image of(ContainerDiskSpec spec, LayerInfo layer) throws IOException {
    boolean oci = spec.format() == ManifestFormat.OCI;
    List<Document> configs = new ArrayList<>();
    List<Document> manifests = new ArrayList<>();
    for (ImagePlatform platform : spec.platforms()) {
      Config config = new Config(spec, platform, layer.diffId());
      Document c = document(oci ? OCI_CONFIG : DOCKER_CONFIG, config, platform);
      configs.add(c);
      Manifest m = new Manifest(oci ? OCI_MANIFEST : DOCKER_MANIFEST,
          new Descriptor(c.mediaType(), c.digest(), c.size(), null, null),
          List.of(new Descriptor(layer.mediaType(spec.format()), layer.digest(), layer.size(), null, null)),
          oci ? annotations(spec) : null);
      manifests.add(document(m.getManifestMediaType(), m, platform));
    }
    Optional<Document> index = Optional.empty();
    if (manifests.size() > 1) {
      List<Descriptor> entries = new ArrayList<>();
      for (Document m : manifests) {
        entries.add(new Descriptor(m.mediaType(), m.digest(), m.size(),
            new Platform(m.platform()), null));
      }
      Index i = new Index(oci ? OCI_INDEX : DOCKER_LIST, entries, oci ? annotations(spec) : null);
      index = Optional.of(document(i.getManifestMediaType(), i, null));
    }
    return new Image(List.copyOf(configs), List.copyOf(manifests), index);
  }

  private static SortedMap<String, String> annotations(ContainerDiskSpec spec) {
    return spec.annotations().isEmpty() ? null : new TreeMap<>(spec.annotations());
  }

  /**
   * @param root the image's root document (manifest or index)
   * @param refName the reference the layout names it by
   * @return the bytes of an OCI layout's {@code index.json} pointing at {@code root}
   */
  static byte[] layoutIndex(Document root, String refName) throws IOException {
    Index index = new Index(OCI_INDEX, List.of(new Descriptor(root.mediaType(), root.digest(), root.size(), null,
        new TreeMap<>(Map.of(REF_NAME, refName)))), null);
    return JsonTemplateMapper.toByteArray(index);
  }

  /** The {@code oci-layout} file. */
  static final byte[] OCI_LAYOUT_FILE = "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /**
   * @param configName the config's file name in the archive
   * @param layerName the layer's file name in the archive
   * @param repoTag the image reference
   * @return the bytes of a Docker archive's {@code manifest.json}
   */
  static byte[] dockerArchiveManifest(String configName, String layerName, String repoTag) throws IOException {
    Map<String, Object> entry = new java.util.LinkedHashMap<>();
    entry.put("Config", configName);
    entry.put("RepoTags", List.of(repoTag));
    entry.put("Layers", List.of(layerName));
    return new ObjectMapper().writeValueAsBytes(List.of(entry));
  }

  private static Document document(String mediaType, JsonTemplate template, ImagePlatform platform)
      throws IOException {
    byte[] bytes = JsonTemplateMapper.toByteArray(template);
    return new Document(mediaType, bytes, Digests.sha256(bytes), template, platform);
  }

  // ---- templates: fields only, in a fixed order, nulls left out ----

  /** A content descriptor (manifest config/layers, index entries). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
      isGetterVisibility = JsonAutoDetect.Visibility.NONE)
  @JsonPropertyOrder({"mediaType", "digest", "size", "platform", "annotations"})
  static final class Descriptor implements JsonTemplate {
    private final String mediaType;
    private final String digest;
    private final long size;
    private final Platform platform;
    private final SortedMap<String, String> annotations;

    Descriptor(String mediaType, String digest, long size, Platform platform, SortedMap<String, String> annotations) {
      this.mediaType = Objects.requireNonNull(mediaType);
      this.digest = Objects.requireNonNull(digest);
      this.size = size;
      this.platform = platform;
      this.annotations = annotations;
    }
  }

  /** An index entry's platform. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
      isGetterVisibility = JsonAutoDetect.Visibility.NONE)
  @JsonPropertyOrder({"architecture", "os", "variant"})
  static final class Platform implements JsonTemplate {
    private final String architecture;
    private final String os;
    private final String variant;

    Platform(ImagePlatform platform) {
      this.architecture = platform.architecture();
      this.os = platform.os();
      this.variant = platform.variant().isEmpty() ? null : platform.variant();
    }
  }

  /**
   * What a manifest and an index share: {@code schemaVersion} 2 and the media type Jib sends as
   * Content-Type. The subclasses' {@code @JsonPropertyOrder} places these fields first.
   */
  @JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
      isGetterVisibility = JsonAutoDetect.Visibility.NONE)
  abstract static class TopLevel implements ManifestTemplate {
    private final int schemaVersion = 2;
    private final String mediaType;

    TopLevel(String mediaType) {
      this.mediaType = mediaType;
    }

    @Override
    public int getSchemaVersion() {
      return schemaVersion;
    }

    @Override
    public String getManifestMediaType() {
      return mediaType;
    }
  }

  /** An OCI image manifest or Docker V2.2 manifest (the latter without annotations). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
      isGetterVisibility = JsonAutoDetect.Visibility.NONE)
  @JsonPropertyOrder({"schemaVersion", "mediaType", "config", "layers", "annotations"})
  static final class Manifest extends TopLevel {
    private final Descriptor config;
    private final List<Descriptor> layers;
    private final SortedMap<String, String> annotations;

    Manifest(String mediaType, Descriptor config, List<Descriptor> layers, SortedMap<String, String> annotations) {
      super(mediaType);
      this.config = config;
      this.layers = List.copyOf(layers);
      this.annotations = annotations;
    }
  }

  /** An OCI image index or Docker manifest list (the latter without annotations). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
      isGetterVisibility = JsonAutoDetect.Visibility.NONE)
  @JsonPropertyOrder({"schemaVersion", "mediaType", "manifests", "annotations"})
  static final class Index extends TopLevel {
    private final List<Descriptor> manifests;
    private final SortedMap<String, String> annotations;

    Index(String mediaType, List<Descriptor> manifests, SortedMap<String, String> annotations) {
      super(mediaType);
      this.manifests = List.copyOf(manifests);
      this.annotations = annotations;
    }
  }

  /** The image config (OCI and Docker share this shape). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
      isGetterVisibility = JsonAutoDetect.Visibility.NONE)
  @JsonPropertyOrder({"created", "architecture", "variant", "os", "config", "rootfs", "history"})
  static final class Config implements JsonTemplate {
    private final String created;
    private final String architecture;
    private final String variant;
    private final String os;
    private final RunConfig config;
    private final RootFs rootfs;
    private final List<History> history;

    Config(ContainerDiskSpec spec, ImagePlatform platform, String diffId) {
      this.created = spec.creationTime().toString();
      this.architecture = platform.architecture();
      this.variant = platform.variant().isEmpty() ? null : platform.variant();
      this.os = platform.os();
      List<String> env = new ArrayList<>();
      spec.environment().forEach((k, v) -> env.add(k + "=" + v));
      this.config = new RunConfig(env.isEmpty() ? null : env,
          spec.labels().isEmpty() ? null : new TreeMap<>(spec.labels()));
      this.rootfs = new RootFs(List.of(diffId));
      this.history = List.of(new History(created, ContainerDiskBuilder.TOOL_NAME,
          "/disk/" + spec.diskFileName()));
    }
  }

  /** The config's {@code config}: environment and labels; no entrypoint (KubeVirt never runs it). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
      isGetterVisibility = JsonAutoDetect.Visibility.NONE)
  @JsonPropertyOrder({"Env", "Labels"})
  static final class RunConfig implements JsonTemplate {
    @JsonProperty("Env")
    private final List<String> env;
    @JsonProperty("Labels")
    private final SortedMap<String, String> labels;

    RunConfig(List<String> env, SortedMap<String, String> labels) {
      this.env = env;
      this.labels = labels;
    }
  }

  /** The config's {@code rootfs}. */
  @JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
      isGetterVisibility = JsonAutoDetect.Visibility.NONE)
  @JsonPropertyOrder({"type", "diff_ids"})
  static final class RootFs implements JsonTemplate {
    private final String type = "layers";
    @JsonProperty("diff_ids")
    private final List<String> diffIds;

    RootFs(List<String> diffIds) {
      this.diffIds = diffIds;
    }
  }

  /** One history entry, for the one layer. */
  @JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
      isGetterVisibility = JsonAutoDetect.Visibility.NONE)
  @JsonPropertyOrder({"created", "created_by", "comment"})
  static final class History implements JsonTemplate {
    private final String created;
    @JsonProperty("created_by")
    private final String createdBy;
    private final String comment;

    History(String created, String createdBy, String comment) {
      this.created = created;
      this.createdBy = createdBy;
      this.comment = comment;
    }
  }
}
