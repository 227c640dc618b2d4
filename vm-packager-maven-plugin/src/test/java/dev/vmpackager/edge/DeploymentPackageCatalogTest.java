package dev.vmpackager.edge;

import static dev.vmpackager.edge.EdgeTesting.*;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vmpackager.chart.ChartSpec;
import dev.vmpackager.chart.ChartTesting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive as the catalog's upload reads it (shared/reference/edge-orchestrator-deployment-package.md):
 * a gzip tar of regular files, every document valid for the catalog's schema, and what the loader then
 * resolves (registries, values files, profiles, the Virtualization requirement) found in it.
 */
class DeploymentPackageCatalogTest {

  static final Instant TIME = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path tmp;

  private Map<String, EdgeTesting.Entry> written(ChartSpec spec) throws Exception {
    Path out = tmp.resolve("target").resolve(DeploymentPackage.fileName(spec.name(), spec.version()));
    packageOf(spec).build().write(out, TIME);
    return read(out);
  }

  @Test
  void theArchiveIsAFlatGzipTarOfRegularFilesInAFixedOrder() throws Exception {
    ChartSpec spec = readmeUsbExample().build();
    Path out = tmp.resolve(DeploymentPackage.fileName("librespeed-vm", "0.0.1"));
    packageOf(spec).build().write(out, TIME);
    assertEquals("librespeed-vm-0.0.1-deployment-package.tar.gz", out.getFileName().toString());
    byte[] bytes = Files.readAllBytes(out);
    assertEquals(0x1f, bytes[0] & 0xff);
    assertEquals(0x8b, bytes[1] & 0xff);
    assertEquals(0, bytes[4] | bytes[5] | bytes[6] | bytes[7], "no gzip timestamp");
    Map<String, EdgeTesting.Entry> files = read(out);
    assertEquals(List.of("registry.yaml", "application.yaml", "librespeed-vm-values.yaml", "deployment-package.yaml"),
        new ArrayList<>(files.keySet()));
    for (EdgeTesting.Entry e : files.values()) {
      assertTrue(e.header().isFile(), e.header().getName() + " is a regular file (the catalog reads only those)");
      assertEquals(0644, e.header().getMode() & 07777);
      assertEquals(0, e.header().getLongUserId());
      assertEquals(0, e.header().getLongGroupId());
      assertEquals(TIME, e.header().getModTime().toInstant());
      assertTrue(e.bytes().length < 10 << 20, "the catalog cuts entries at 10 MiB");
    }
    // The same input, the same bytes.
    Path again = tmp.resolve("again.tar.gz");
    packageOf(readmeUsbExample().build()).build().write(again, TIME);
    assertArrayEquals(bytes, Files.readAllBytes(again));
  }

  @Test
  void everyDocumentPassesTheCatalogSchemaAndResolvesAsTheLoaderResolvesIt() throws Exception {
    Map<String, EdgeTesting.Entry> files = written(readmeUsbExample().build());
    List<JsonNode> docs = catalogDocuments(files);
    assertEquals(4, docs.size(), "two registries, the application, the package: " + docs);
    docs.forEach(EdgeTesting::assertCatalogValid);

    List<JsonNode> registries = ofKind(docs, "Registry");
    assertEquals(2, registries.size());
    JsonNode helm = registries.stream().filter(r -> r.path("type").asText().equals("HELM")).findFirst().orElseThrow();
    JsonNode images = registries.stream().filter(r -> r.path("type").asText().equals("IMAGE")).findFirst().orElseThrow();
    assertEquals("oci://registry.example.com/charts", helm.path("rootUrl").asText());
    assertEquals("oci://registry.example.com/apps", images.path("rootUrl").asText());
    for (JsonNode r : registries) {
      assertFalse(r.has("authToken") || r.has("userName"), "no credentials in an archive that goes to Maven repositories");
    }

    JsonNode app = single(docs, "Application");
    assertEquals("librespeed-vm", app.path("name").asText());
    assertEquals("0.0.1", app.path("version").asText());
    assertEquals("librespeed-vm", app.path("chartName").asText());
    assertEquals("0.0.1", app.path("chartVersion").asText());
    assertEquals(helm.path("name").asText(), app.path("helmRegistry").asText(), "helmRegistry names the HELM registry");
    assertEquals(images.path("name").asText(), app.path("imageRegistry").asText(), "imageRegistry names the IMAGE registry");
    assertFalse(app.has("defaultProfileName"), "the documentation's key, which the schema rejects");
    JsonNode profile = app.path("profiles").get(0);
    assertEquals(1, app.path("profiles").size());
    assertEquals(app.path("defaultProfile").asText(), profile.path("name").asText());
    String valuesFile = profile.path("valuesFileName").asText();
    assertTrue(files.containsKey(valuesFile), "the loader finds the values file in the same archive: " + valuesFile);
    assertFalse(profile.has("deploymentRequirement"), "the singular passes the schema and is ignored by the loader");
    JsonNode requirement = profile.path("deploymentRequirements").get(0);
    assertEquals("virtualization", requirement.path("name").asText());
    assertEquals("0.8.0", requirement.path("version").asText());

    JsonNode values = ChartTesting.documents(files.get(valuesFile).text()).get(0);
    assertFalse(values.has("specSchema"), "a values file must not be taken for a catalog document");
    Set<String> names = new HashSet<>();
    for (JsonNode p : profile.path("parameterTemplates")) {
      String name = p.path("name").asText();
      assertTrue(names.add(name), "duplicate parameter " + name);
      assertFalse(values.at("/" + name.replace('.', '/')).isMissingNode(),
          "the catalog's UI offers only values the profile has: " + name);
      if (p.path("secret").asBoolean() || p.path("mandatory").asBoolean()) {
        assertTrue(p.path("default").asText().isEmpty(), "a secret or mandatory parameter has no default: " + p);
      }
    }
    assertEquals(Set.of("vm.memory", "vm.cpuCores", "cloudInit.existingSecret"), names);
    JsonNode memory = profile.path("parameterTemplates").get(0);
    assertEquals("2Gi", memory.path("default").asText());
    assertEquals("string", memory.path("type").asText());
    assertEquals("number", profile.path("parameterTemplates").get(1).path("type").asText());
    assertEquals("2", profile.path("parameterTemplates").get(1).path("default").asText());
    assertTrue(profile.path("parameterTemplates").get(2).path("secret").asBoolean());

    JsonNode dp = single(docs, "DeploymentPackage");
    assertEquals("librespeed-vm", dp.path("name").asText());
    assertEquals("0.0.1", dp.path("version").asText());
    assertEquals(1, dp.path("applications").size());
    assertEquals(app.path("name"), dp.at("/applications/0/name"));
    assertEquals(app.path("version"), dp.at("/applications/0/version"));
    JsonNode deploymentProfile = dp.path("deploymentProfiles").get(0);
    assertEquals(dp.path("defaultProfile").asText(), deploymentProfile.path("name").asText());
    assertEquals(app.path("name"), deploymentProfile.at("/applicationProfiles/0/application"));
    assertEquals(profile.path("name"), deploymentProfile.at("/applicationProfiles/0/profile"));
    assertTrue(dp.path("isVisible").asBoolean());
    assertTrue(dp.path("description").asText().startsWith("LibreSpeed in a VM. Needs "), dp.path("description").asText());
    assertTrue(dp.path("description").asText().contains("virtualization 0.8.0")
        && dp.path("description").asText().contains("usbList=" + USB_LIST), dp.path("description").asText());
  }

  @Test
  void theSchemaOfTheTestRejectsWhatTheCatalogRejects() throws Exception {
    JsonNode app = single(catalogDocuments(written(readmeUsbExample().build())), "Application");
    assertTrue(catalogErrors(app).isEmpty());
    for (String[] change : new String[][] {
        {"version", "0.0.1-SNAPSHOT"}, {"name", "a-name-of-twenty-seven-chars"}, {"defaultProfileName", "default"},
        {"registry", "legacy"}, {"chartVersion", "1.0.0+build"}}) {
      ObjectNode bad = app.deepCopy();
      bad.put(change[0], change[1]);
      assertFalse(catalogErrors(bad).isEmpty(), "the schema takes " + change[0] + "=" + change[1]);
    }
    ObjectNode noDescription = app.deepCopy();
    noDescription.remove("description");
    assertFalse(catalogErrors(noDescription).isEmpty(), "description is required at top level");
    ObjectNode singular = app.deepCopy();
    ((ObjectNode) singular.at("/profiles/0")).set("deploymentRequirement", singular.at("/profiles/0/deploymentRequirements"));
    assertFalse(catalogErrors(singular).isEmpty());
  }

  @Test
  void theVirtualizationVersionIsConfigurable() throws Exception {
    DeploymentPackage pkg = packageOf(readmeUsbExample().build()).virtualizationPackageVersion("0.7.0").build();
    JsonNode app = ChartTesting.documents(new String(pkg.files().get("application.yaml"), "UTF-8")).get(0);
    assertEquals("0.7.0", app.at("/profiles/0/deploymentRequirements/0/version").asText());
    assertTrue(pkg.requirement().contains("virtualization 0.7.0"), pkg.requirement());
    DeploymentPackageException e = assertThrows(DeploymentPackageException.class,
        () -> packageOf(readmeUsbExample().build()).virtualizationPackageVersion("0.8.0-RC1").build());
    assertTrue(e.getMessage().contains("<virtualizationPackageVersion> (vm.virtualizationPackageVersion)")
        && e.getMessage().contains("no upper case"), e.getMessage());
  }

  @Test
  void namesAndVersionsBeyondTheCatalogsLimitsFailNamingTheParameterAndTheLimit() throws Exception {
    assertFails(readmeUsbExample().name("librespeed-speed-test-vm-xl").build(), null,
        "<chartName> (vm.chart.name)", "at most 26");
    assertFails(readmeUsbExample().version("1.0.0-SNAPSHOT").build(), null,
        "<chartVersion> (vm.chart.version)", "no upper case");
    assertFails(readmeUsbExample().version("2026.1.15-nightly.20260115").build(), null,
        "<chartVersion> (vm.chart.version)", "at most 20");
    assertFails(readmeUsbExample().build(), "", "<chartRepository> (vm.chart.repository)", "is not set");
    assertFails(readmeUsbExample().build(), "https://charts.example.com", "<chartRepository> (vm.chart.repository)", "oci://");
    assertFails(readmeUsbExample().description("x".repeat(950)).build(), null,
        "<description> (vm.chart.description)", "at most 1000");
    assertFails(readmeUsbExample().build(), "oci://[::1]:5000/charts", "<chartRepository> (vm.chart.repository)", "rootUrl");
  }

  private static void assertFails(ChartSpec spec, String chartRepository, String parameter, String limit) throws Exception {
    DeploymentPackage.Builder b = packageOf(spec);
    if (chartRepository != null) {
      b.chartRepository(chartRepository);
    }
    DeploymentPackageException e = assertThrows(DeploymentPackageException.class, b::build);
    assertEquals(parameter, e.parameter());
    assertTrue(e.getMessage().contains(parameter) && e.getMessage().contains(limit), e.getMessage());
  }

  @Test
  void aHostWithUpperCaseIsLowerCasedAndADockerHubImageIsUnderDockerIo() throws Exception {
    DeploymentPackage pkg = packageOf(readmeUsbExample().image("librespeed-vm-containerdisk:0.0.1").build())
        .chartRepository("oci://Registry.Example.com:5000/charts").build();
    List<JsonNode> docs = ChartTesting.documents(new String(pkg.files().get("registry.yaml"), "UTF-8"));
    docs.forEach(EdgeTesting::assertCatalogValid);
    assertEquals("oci://registry.example.com:5000/charts", docs.get(0).path("rootUrl").asText());
    assertEquals("oci://docker.io/library", docs.get(1).path("rootUrl").asText());
    String values = new String(pkg.files().get("librespeed-vm-values.yaml"), "UTF-8");
    assertTrue(values.contains("repository: \"%ImageRegistryURL%/librespeed-vm-containerdisk\""), values);
  }

  @Test
  void aValuesKeyTheCatalogWouldDecodeIsRefused() throws Exception {
    Path helm = Files.createDirectories(tmp.resolve("src/main/helm"));
    Files.writeString(helm.resolve("values.yaml"), "profiles: [a, b]\n");
    DeploymentPackageException e = assertThrows(DeploymentPackageException.class,
        () -> packageOf(readmeUsbExample().userChartDirectory(helm).build()).build());
    assertTrue(e.getMessage().contains("'profiles'") && e.getMessage().contains("src/main/helm/values.yaml"), e.getMessage());
  }

  @Test
  void aVmWithoutUsbDevicesNeedsNoUsbList() throws Exception {
    ChartSpec spec = ChartSpec.builder().name("plain-vm").version("1.2.3").appVersion("1.2.3").image(IMAGE)
        .vmName("plain").build();
    DeploymentPackage pkg = packageOf(spec).build();
    assertTrue(pkg.usbList().isEmpty());
    JsonNode dp = ChartTesting.documents(new String(pkg.files().get("deployment-package.yaml"), "UTF-8")).get(0);
    assertFalse(dp.path("description").asText().contains("usbList"), dp.path("description").asText());
    JsonNode app = ChartTesting.documents(new String(pkg.files().get("application.yaml"), "UTF-8")).get(0);
    assertCatalogValid(app);
    assertEquals(2, app.at("/profiles/0/parameterTemplates").size(), "memory and CPU; no cloud-init: " + app);
  }

  @Test
  void anInstancetypeIsTheSizingParameter() throws Exception {
    ChartSpec spec = ChartSpec.builder().name("sized-vm").version("1.0.0").appVersion("1.0.0").image(IMAGE)
        .vmName("sized").instancetype("u1.medium", null).build();
    JsonNode app = ChartTesting.documents(new String(packageOf(spec).build().files().get("application.yaml"), "UTF-8")).get(0);
    assertEquals("vm.instancetype.name", app.at("/profiles/0/parameterTemplates/0/name").asText());
    assertEquals("u1.medium", app.at("/profiles/0/parameterTemplates/0/default").asText());
    assertEquals(1, app.at("/profiles/0/parameterTemplates").size());
  }
}
