package dev.vmpackager.edge;

import static dev.vmpackager.edge.KubevirtHelperRules.map;
import static dev.vmpackager.edge.KubevirtHelperRules.string;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.vmpackager.chart.ChartPackager;
import dev.vmpackager.chart.ChartSpec;
import dev.vmpackager.chart.UsbResource;
import dev.vmpackager.publish.OciChartRepository;
import dev.vmpackager.publish.PublishException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An Edge Orchestrator deployment package for the chart: the gzip tar the catalog imports as it is
 * (UI "Import From File", {@code orch-cli upload}, or the uploads API), holding
 * <ul>
 *   <li>{@code registry.yaml}: two Registry documents, {@code <chart>-helm} (HELM, the chart
 *       repository {@code push} sends the chart to) and {@code <chart>-images} (IMAGE, the containerDisk
 *       images' registry); no credentials, since the archive also goes to Maven repositories;</li>
 *   <li>{@code application.yaml}: the Application (the chart's name and version) with one profile,
 *       {@code default}, whose values file is in the archive, parameter templates for what a deployer
 *       sets at deploy time, and a {@code deploymentRequirements} entry on the Virtualization package;</li>
 *   <li>{@code <chart>-values.yaml}: the chart's values with each image under the image registry
 *       written {@code %ImageRegistryURL%/...}, which the deployment manager replaces;</li>
 *   <li>{@code deployment-package.yaml}: the DeploymentPackage of that one application.</li>
 * </ul>
 * Keys are the ones the catalog's loader reads where its documentation differs ({@code defaultProfile},
 * the plural {@code deploymentRequirements}), in a fixed order; strings are double-quoted. The catalog
 * gives one package no way to set another's values, so the {@code usbList} the Virtualization package
 * must be deployed with is in the package's description ({@link #usbList()}) instead.
 */
public final class DeploymentPackage {

  /** The Virtualization package's name in the catalog. */
  public static final String VIRTUALIZATION = "virtualization";
  /** The Virtualization package version {@code cluster-extensions} HEAD ({@code 4da3d3d}) ships. */
  public static final String DEFAULT_VIRTUALIZATION_VERSION = "0.8.0";
  /** The application's and the package's only profile. */
  public static final String PROFILE = "default";
  /** Replaced by the deployment manager with the image registry's host and path, in profile values only. */
  public static final String IMAGE_REGISTRY_URL = "%ImageRegistryURL%";
  /** Replaced by the deployment manager with a Secret of the image registry's credentials, in profile and deploy-time values. */
  public static final String GENERATED_DOCKER_CREDENTIAL = "%GeneratedDockerCredential%";
  /** The catalog documents' {@code $schema}. */
  static final String SCHEMA = "https://schema.intel.com/catalog.orchestrator/0.1/schema";
  /** The Registry documents' file in the archive. */
  public static final String REGISTRY_FILE = "registry.yaml";
  /** The Application document's file in the archive. */
  public static final String APPLICATION_FILE = "application.yaml";
  /** The DeploymentPackage document's file in the archive. */
  public static final String DEPLOYMENT_PACKAGE_FILE = "deployment-package.yaml";

  /**
   * The catalog's loader decodes every YAML file of an upload into its spec structure, values files
   * too: a top-level values key with one of these names but another YAML type fails the upload
   * ({@code document decode failed}), and {@code specSchema} would make it a catalog document.
   */
  private static final Set<String> SPEC_FIELDS = Set.of("filename", "specSchema", "schemaVersion", "name",
      "displayName", "version", "kind", "description", "helmRegistry", "type", "chartName", "chartVersion",
      "imageRegistry", "mimeType", "artifact", "rootUrl", "inventoryUrl", "apiType", "userName", "authToken",
      "caCerts", "profiles", "deploymentProfiles", "defaultProfile", "applications", "applicationDependencies",
      "extensions", "artifacts", "defaultNamespaces", "namespaces", "ignoredResources", "isVisible", "isDeployed",
      "forbidsMultipleDeployments", "registry", "artifactReferences", "registryType");

  private static final YAMLMapper DOCUMENTS = new YAMLMapper(YAMLFactory.builder()
      .disable(YAMLGenerator.Feature.SPLIT_LINES)
      .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
      .build());
  private static final YAMLMapper VALUES = new YAMLMapper(YAMLFactory.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .disable(YAMLGenerator.Feature.SPLIT_LINES)
      .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
      .build());

  private final String name;
  private final String version;
  private final String virtualizationVersion;
  private final String usbList;
  private final String requirement;
  private final List<String> warnings;
  private final Map<String, byte[]> files;

  private DeploymentPackage(Builder b, String usbList, String requirement, List<String> warnings,
      Map<String, byte[]> files) {
    this.name = b.chart.name();
    this.version = b.chart.version();
    this.virtualizationVersion = b.virtualizationPackageVersion;
    this.usbList = usbList;
    this.requirement = requirement;
    this.warnings = List.copyOf(warnings);
    this.files = files;
  }

  /** @return a builder */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * @param chartName the chart's name
   * @param chartVersion the chart's version
   * @return the archive's file name, {@code <chart>-<version>-deployment-package.tar.gz}
   */
  public static String fileName(String chartName, String chartVersion) {
    return chartName + "-" + chartVersion + "-deployment-package.tar.gz";
  }

  /**
   * @param chartName the chart's name
   * @return the profile's values file in the archive, {@code <chart>-values.yaml}
   */
  public static String valuesFileName(String chartName) {
    return chartName + "-values.yaml";
  }

  /** @return the Application's and the DeploymentPackage's name (the chart's) */
  public String name() {
    return name;
  }

  /** @return the Application's and the DeploymentPackage's version (the chart's) */
  public String version() {
    return version;
  }

  /** @return the Virtualization package version the application requires */
  public String virtualizationPackageVersion() {
    return virtualizationVersion;
  }

  /**
   * @return the {@code usbList} the Virtualization package must be deployed with for this VM: the
   *     tuples of the resources its USB host devices use, in {@code usbList}'s order; empty without USB devices
   */
  public Optional<String> usbList() {
    return usbList.isEmpty() ? Optional.empty() : Optional.of(usbList);
  }

  /** @return what the package needs deployed first, as its description says it */
  public String requirement() {
    return requirement;
  }

  /** @return what an update of the deployed VM runs into (the KubeVirt Helper's rules), and other doubts */
  public List<String> warnings() {
    return warnings;
  }

  /** @return the archive's files by name, in the order they are written */
  public Map<String, byte[]> files() {
    return new LinkedHashMap<>(files);
  }

  /**
   * Writes the gzip tar: regular files at its root in a fixed order, mode 0644, owner 0:0, one
   * mtime, so the same input gives the same bytes.
   *
   * @param out the archive, written to a temporary file beside it and renamed
   * @param mtime every entry's modification time
   * @throws IOException when it cannot be written
   */
  public void write(Path out, Instant mtime) throws IOException {
    List<ChartPackager.Entry> entries = new ArrayList<>();
    files.forEach((n, bytes) -> entries.add(ChartPackager.Entry.of(n, bytes)));
    Files.createDirectories(out.toAbsolutePath().getParent());
    ChartPackager.writeTarGz(entries, out, mtime);
  }

  /** The inputs: the chart's settings and values, where the chart and images are, the Virtualization version. */
  public static final class Builder {
    private ChartSpec chart;
    private byte[] chartValues;
    private String chartRepository;
    private String virtualizationPackageVersion = DEFAULT_VIRTUALIZATION_VERSION;

    private Builder() {}

    /** @param v the chart's checked settings @return this */
    public Builder chart(ChartSpec v) { this.chart = v; return this; }

    /** @param v the chart's {@code values.yaml} as the chart goal writes it (the user's values merged) @return this */
    public Builder chartValues(byte[] v) { this.chartValues = v.clone(); return this; }

    /** @param v {@code oci://host[:port]/path}, where {@code push} sends the chart @return this */
    public Builder chartRepository(String v) { this.chartRepository = v; return this; }

    /** @param v the Virtualization package version to require, or null/blank for the default @return this */
    public Builder virtualizationPackageVersion(String v) {
      this.virtualizationPackageVersion = v == null || v.isBlank() ? DEFAULT_VIRTUALIZATION_VERSION : v.trim();
      return this;
    }

    /**
     * @return the package, its documents written
     * @throws DeploymentPackageException naming the POM parameter when a name, version, URL or
     *     description breaks the catalog's limits, or the values cannot be a profile
     */
    public DeploymentPackage build() throws DeploymentPackageException {
      String name = chart.name();
      String version = chart.version();
      CatalogLimits.check(name, CatalogLimits.APPLICATION_NAME, CatalogLimits.APPLICATION_NAME_MAX,
          "<chartName> (vm.chart.name)", "an Application name");
      CatalogLimits.check(name, CatalogLimits.CHART_NAME, CatalogLimits.CHART_NAME_MAX,
          "<chartName> (vm.chart.name)", "an Application's chartName");
      CatalogLimits.check(version, CatalogLimits.VERSION, CatalogLimits.VERSION_MAX,
          "<chartVersion> (vm.chart.version)", "an Application and DeploymentPackage version");
      CatalogLimits.check(version, CatalogLimits.CHART_VERSION, CatalogLimits.CHART_VERSION_MAX,
          "<chartVersion> (vm.chart.version)", "an Application's chartVersion");
      CatalogLimits.check(virtualizationPackageVersion, CatalogLimits.VERSION, CatalogLimits.VERSION_MAX,
          "<virtualizationPackageVersion> (vm.virtualizationPackageVersion)", "a DeploymentPackage version");
      String helmRoot = helmRootUrl();
      Map<String, Object> values = values();
      ImageRegistry images = ImageRegistry.of(string(map(values.get("image")).get("repository")));
      images.rewrite(values);

      String used = requiredUsbList(values);
      String requirement = "Needs the Edge Orchestrator Virtualization package (" + VIRTUALIZATION + " "
          + virtualizationPackageVersion + ") deployed first"
          + (used.isEmpty() ? "." : ", with its kubevirt parameter usbList=" + used
              + " (the USB devices this VM is given).");
      String description = chart.description();
      String packageDescription = description + (description.matches(".*[.!?]$") ? " " : ". ") + requirement;
      checkDescription(packageDescription, "the DeploymentPackage's description (the chart's and the Virtualization note)");

      List<String> warnings = new ArrayList<>(KubevirtHelperRules.warnings(values,
          chart.userChartDirectory().map(d -> Files.isRegularFile(d.resolve("templates/virtualmachine.yaml"))).orElse(false)));
      if (version.indexOf('-') != version.lastIndexOf('-')) {
        warnings.add("<chartVersion> (vm.chart.version) '" + version + "' has more than one '-': the catalog's schema"
            + " accepts it, but the Edge Orchestrator documentation says such versions are rejected when created");
      }

      Map<String, byte[]> files = new LinkedHashMap<>();
      files.put(REGISTRY_FILE, documents(
          registry(name + "-helm", "Helm charts of " + name + " (the OCI repository the chart is pushed to)", "HELM", helmRoot),
          registry(name + "-images", "KubeVirt containerDisk images of " + name, "IMAGE", images.rootUrl())));
      files.put(APPLICATION_FILE, documents(application(name, version, description, requirement, values)));
      files.put(valuesFileName(name), profileValues(values, images));
      files.put(DEPLOYMENT_PACKAGE_FILE, documents(deploymentPackage(name, version, packageDescription)));
      return new DeploymentPackage(this, used, requirement, warnings, files);
    }

    private String helmRootUrl() throws DeploymentPackageException {
      String parameter = "<chartRepository> (vm.chart.repository)";
      if (chartRepository == null || chartRepository.isBlank()) {
        throw new DeploymentPackageException(parameter, parameter + " is not set: the deployment package's HELM"
            + " registry is the OCI repository push sends the chart to; set it, e.g. oci://registry.example.com/charts");
      }
      OciChartRepository repository;
      try {
        repository = OciChartRepository.parse(chartRepository);
      } catch (PublishException e) {
        throw new DeploymentPackageException(parameter, parameter + ": " + e.getMessage());
      }
      // Host names are case-insensitive; the catalog's rootUrl pattern takes lower case only.
      String root = "oci://" + repository.registry().toLowerCase(Locale.ROOT)
          + (repository.path().isEmpty() ? "" : "/" + repository.path());
      CatalogLimits.check(root, CatalogLimits.ROOT_URL, CatalogLimits.ROOT_URL_MAX, parameter,
          "a Registry rootUrl (a host with a domain or a port)");
      return root;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> values() throws DeploymentPackageException {
      String parameter = "src/main/helm/values.yaml";
      Object parsed;
      try {
        parsed = new ObjectMapper(new YAMLFactory()).readValue(chartValues, Object.class);
      } catch (JacksonException e) {
        throw new DeploymentPackageException(parameter, "The chart's values.yaml cannot be read back: " + e.getOriginalMessage());
      } catch (IOException e) {
        throw new DeploymentPackageException(parameter, "The chart's values.yaml cannot be read back: " + e.getMessage());
      }
      Map<String, Object> values = map(parsed);
      for (String key : values.keySet()) {
        if (SPEC_FIELDS.contains(key)) {
          throw new DeploymentPackageException(parameter, "The chart's top-level value '" + key + "' (from " + parameter
              + ") is also a field of the Edge Orchestrator catalog's documents, and the catalog decodes every YAML"
              + " file of an upload as one (a values file too), which can fail the import; rename it");
        }
      }
      return (Map<String, Object>) values;
    }

    /**
     * @return the usbList tuples of the resources the values' {@code vm.usbDevices} use, in usbList's order
     * @throws DeploymentPackageException when a device's resource is not in usbList (a user's values.yaml)
     */
    private String requiredUsbList(Map<String, Object> values) throws DeploymentPackageException {
      Set<String> resources = new LinkedHashSet<>();
      Object devices = map(values.get("vm")).get("usbDevices");
      if (devices instanceof List<?> l) {
        for (Object d : l) {
          resources.add(string(map(d).get("resource")));
        }
      }
      List<UsbResource> declared = chart.usbList();
      List<String> tuples = new ArrayList<>();
      for (UsbResource r : declared) {
        if (resources.remove(r.resourceName())) {
          tuples.add(r.toString());
        }
      }
      if (!resources.isEmpty()) {
        throw new DeploymentPackageException("<usbList> (vm.usbList)", "The chart's values give the VM USB devices of "
            + resources + ", which <usbList> (vm.usbList) does not declare, so the Virtualization package's usbList"
            + " for this VM is unknown; add a tuple '<resource>;<vendor id>;<product id>' for each to usbList");
      }
      return String.join(",", tuples);
    }

    private static void checkDescription(String text, String what) throws DeploymentPackageException {
      if (text.length() > CatalogLimits.DESCRIPTION_MAX) {
        String parameter = "<description> (vm.chart.description)";
        throw new DeploymentPackageException(parameter, what + " is " + text.length() + " characters, but the Edge"
            + " Orchestrator catalog takes at most " + CatalogLimits.DESCRIPTION_MAX + "; set a shorter " + parameter);
      }
    }

    private Map<String, Object> application(String name, String version, String description, String requirement,
        Map<String, Object> values) throws DeploymentPackageException {
      Map<String, Object> app = header("Application");
      app.put("name", name);
      app.put("version", version);
      app.put("description", description);
      app.put("kind", "normal");
      app.put("helmRegistry", name + "-helm");
      app.put("imageRegistry", name + "-images");
      app.put("chartName", name);
      app.put("chartVersion", version);
      app.put("defaultProfile", PROFILE);
      Map<String, Object> profile = new LinkedHashMap<>();
      profile.put("name", PROFILE);
      profile.put("displayName", "Default");
      String profileDescription = "The chart's values as built. " + requirement;
      checkDescription(profileDescription, "the profile's description (the Virtualization note)");
      profile.put("description", profileDescription);
      profile.put("valuesFileName", valuesFileName(name));
      profile.put("parameterTemplates", parameterTemplates(values));
      Map<String, Object> requirementEntry = new LinkedHashMap<>();
      // The catalog's loader reads the plural key; its schema and documentation spell the singular,
      // which passes the schema and is ignored. No deploymentProfileName: the Virtualization
      // package's own default profile, whatever an older version calls its profiles.
      requirementEntry.put("name", VIRTUALIZATION);
      requirementEntry.put("version", virtualizationPackageVersion);
      profile.put("deploymentRequirements", List.of(requirementEntry));
      app.put("profiles", List.of(profile));
      return app;
    }

    /**
     * What a deployer typically sets at deploy time. Each name is a value the profile has (the
     * catalog's UI offers only those), and a secret's default is empty, as the catalog requires.
     */
    private static List<Object> parameterTemplates(Map<String, Object> values) {
      Map<String, Object> vm = map(values.get("vm"));
      List<Object> out = new ArrayList<>();
      String instancetype = string(map(vm.get("instancetype")).get("name"));
      if (instancetype.isEmpty()) {
        out.add(parameter("vm.memory", "Guest memory (e.g. 4Gi)", "string", string(vm.get("memory")), null, false));
        out.add(parameter("vm.cpuCores", "CPU cores", "number", string(vm.get("cpuCores")), null, false));
      } else {
        // An instancetype sizes the VM; the chart writes no CPU or memory then.
        out.add(parameter("vm.instancetype.name", "Instancetype (CPU and memory)", "string", instancetype, null, false));
      }
      if (Boolean.TRUE.equals(map(values.get("cloudInit")).get("enabled"))) {
        out.add(parameter("cloudInit.existingSecret", "cloud-init Secret (keys userdata, networkdata)", "string", "",
            null, true));
      }
      Map<String, Object> storage = map(vm.get("storage"));
      if ("dataVolume".equals(storage.get("type")) && "pod".equals(storage.get("pullMethod"))) {
        // Replaced in deploy-time values too: the image registry's credentials, with the accessKeyId and
        // secretKey keys CDI's importer reads.
        out.add(parameter("vm.storage.secretRef", "Registry Secret for CDI's import", "string",
            string(storage.get("secretRef")), GENERATED_DOCKER_CREDENTIAL, false));
      }
      return out;
    }

    private static Map<String, Object> parameter(String name, String displayName, String type, String defaultValue,
        String suggested, boolean secret) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("name", name);
      p.put("displayName", displayName);
      p.put("type", type);
      if (!defaultValue.isEmpty()) {
        p.put("default", defaultValue);
      }
      if (suggested != null) {
        p.put("suggestedValues", List.of(suggested));
      }
      if (secret) {
        p.put("secret", true);
      }
      return p;
    }

    private static Map<String, Object> deploymentPackage(String name, String version, String description) {
      Map<String, Object> dp = header("DeploymentPackage");
      dp.put("name", name);
      dp.put("version", version);
      dp.put("description", description);
      dp.put("kind", "normal");
      // Omitted, the catalog stores false, the flag of auxiliary packages deployed only as another's requirement.
      dp.put("isVisible", true);
      Map<String, Object> app = new LinkedHashMap<>();
      app.put("name", name);
      app.put("version", version);
      dp.put("applications", List.of(app));
      Map<String, Object> binding = new LinkedHashMap<>();
      binding.put("application", name);
      binding.put("profile", PROFILE);
      Map<String, Object> profile = new LinkedHashMap<>();
      profile.put("name", PROFILE);
      profile.put("displayName", "Default");
      profile.put("applicationProfiles", List.of(binding));
      dp.put("deploymentProfiles", List.of(profile));
      dp.put("defaultProfile", PROFILE);
      return dp;
    }

    private static Map<String, Object> registry(String name, String description, String type, String rootUrl) {
      Map<String, Object> r = header("Registry");
      r.put("name", name);
      r.put("description", description);
      r.put("type", type);
      r.put("rootUrl", rootUrl);
      return r;
    }

    private static Map<String, Object> header(String kind) {
      Map<String, Object> h = new LinkedHashMap<>();
      h.put("specSchema", kind);
      h.put("schemaVersion", "0.1");
      h.put("$schema", SCHEMA);
      return h;
    }

    @SafeVarargs
    private static byte[] documents(Map<String, Object>... docs) throws DeploymentPackageException {
      StringBuilder out = new StringBuilder();
      for (Map<String, Object> d : docs) {
        out.append(yaml(DOCUMENTS, d));
      }
      return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private byte[] profileValues(Map<String, Object> values, ImageRegistry images) throws DeploymentPackageException {
      String head = "# The values of chart " + chart.name() + " " + chart.version() + " as the Edge Orchestrator"
          + " profile \"" + PROFILE + "\".\n"
          + "# " + IMAGE_REGISTRY_URL + " is replaced with the image registry " + images.rootUrl()
          + " (the Application's imageRegistry) at deployment.\n";
      return (head + yaml(VALUES, values)).getBytes(StandardCharsets.UTF_8);
    }

    private static String yaml(YAMLMapper mapper, Object tree) throws DeploymentPackageException {
      try {
        return mapper.writeValueAsString(tree);
      } catch (JacksonException e) {
        throw new IllegalStateException("an ordered map of strings, numbers and lists cannot fail to be YAML", e);
      }
    }
  }
}
