package dev.vmpackager.edge;

import static dev.vmpackager.edge.EdgeTesting.*;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import dev.vmpackager.chart.ChartGenerator;
import dev.vmpackager.chart.ChartSpec;
import dev.vmpackager.chart.ChartTesting;
import dev.vmpackager.chart.UsbList;
import dev.vmpackager.chart.UsbResource;
import dev.vmpackager.event.BuildListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default profile as the Edge Orchestrator deploys it: the deployment manager replaces the
 * placeholders of the profile's values with the Application's image registry, then Helm renders the
 * chart with them. Real Helm (helm-java) renders; the VirtualMachine must pass the strict schemas,
 * boot the image the build made, be one the KubeVirt Helper can update, and use exactly the USB
 * resources the package tells the Virtualization package's {@code usbList} to declare.
 */
class DeploymentPackageHelmTest {

  @TempDir Path tmp;

  /** @return the rendered manifests of the package's profile, placeholders replaced as the deployment manager does */
  private List<JsonNode> render(ChartSpec spec, DeploymentPackage pkg, String... sets) throws Exception {
    Path chart = new ChartGenerator(BuildListener.NONE).generate(spec, tmp.resolve("helm"));
    Path archive = tmp.resolve("package.tar.gz");
    pkg.write(archive, DeploymentPackageCatalogTest.TIME);
    Map<String, EdgeTesting.Entry> files = read(archive);
    List<JsonNode> docs = catalogDocuments(files);
    JsonNode app = single(docs, "Application");
    JsonNode imageRegistry = ofKind(docs, "Registry").stream()
        .filter(r -> r.path("name").asText().equals(app.path("imageRegistry").asText())).findFirst().orElseThrow();
    String values = files.get(app.at("/profiles/0/valuesFileName").asText()).text();
    assertEquals(DeploymentPackage.IMAGE_REGISTRY_URL + "/" + spec.imageRepository().substring(spec.imageRepository()
        .lastIndexOf('/') + 1), ChartTesting.documents(values).get(0).at("/image/repository").asText(),
        "the profile names the image through the Application's image registry");
    // ADM (configgen.go): %ImageRegistryURL% is the image registry's rootUrl without its scheme.
    String host = imageRegistry.path("rootUrl").asText().replaceFirst("^[a-z]+://", "");
    Path profile = tmp.resolve("profile.yaml");
    Files.writeString(profile, values.replace(DeploymentPackage.IMAGE_REGISTRY_URL, host), StandardCharsets.UTF_8);
    TemplateCommand t = new Helm(chart).template().withName("librespeed").withNamespace("apps")
        .withKubeVersion(ChartTesting.KUBE).withValuesFile(profile);
    for (int i = 0; i + 1 < sets.length; i += 2) {
      t.set(sets[i], sets[i + 1]);
    }
    List<JsonNode> manifests = ChartTesting.documents(t.call());
    ChartTesting.assertManifestsValid(manifests);
    return manifests;
  }

  @Test
  void theProfileRendersTheReadmeExampleVmWithTheBuiltImageAndUsbDevices() throws Exception {
    ChartSpec spec = readmeUsbExample().build();
    DeploymentPackage pkg = packageOf(spec).build();
    JsonNode vm = ChartTesting.only(render(spec, pkg), "VirtualMachine");
    JsonNode t = vm.at("/spec/template/spec");
    assertEquals(IMAGE, t.at("/volumes/0/containerDisk/image").asText(), "the image the build pushed, through the IMAGE registry");
    assertEquals("2Gi", t.at("/domain/memory/guest").asText());
    assertEquals(2, t.at("/domain/cpu/cores").asInt());
    assertEquals("Always", vm.at("/spec/runStrategy").asText());
    assertKubevirtHelperCanUpdate(vm);

    // The usbList the package shows, read as the Virtualization package's KubeVirt template reads it
    // (split on ',', then ';': resource, vendor, product), declares exactly the VM's hostDevices' resources.
    String shown = pkg.usbList().orElseThrow();
    JsonNode dp = single(catalogDocuments(read(tmp.resolve("package.tar.gz"))), "DeploymentPackage");
    assertTrue(dp.path("description").asText().contains("usbList=" + shown + " "), dp.path("description").asText());
    Set<String> permitted = new LinkedHashSet<>();
    for (String tuple : shown.split(",")) {
      String[] parts = tuple.split(";");
      assertEquals(3, parts.length, tuple);
      permitted.add(parts[0]);
      UsbResource declared = spec.usbList().stream().filter(r -> r.resourceName().equals(parts[0])).findFirst().orElseThrow();
      assertEquals(declared.vendor(), parts[1], "vendor second, as the template reads it");
      assertEquals(declared.product(), parts[2]);
    }
    assertEquals(UsbList.parse(shown), UsbList.parse(shown).stream().distinct().toList());
    List<String> names = new ArrayList<>();
    Set<String> used = new LinkedHashSet<>();
    for (JsonNode d : t.at("/domain/devices/hostDevices")) {
      names.add(d.path("name").asText());
      used.add(d.path("deviceName").asText());
    }
    assertEquals(List.of("wifi-dongle-1", "wifi-dongle-2", "wifi-dongle-3", "gsm-dongle"), names);
    assertEquals(permitted, used, "every hostDevice's resource is permitted, and every permitted resource is used");
  }

  @Test
  void theShownUsbListHoldsOnlyWhatThisVmUses() throws Exception {
    ChartSpec spec = readmeUsbExample().usbList(USB_LIST + ",kubevirt.io/camera;046d;0825").build();
    DeploymentPackage pkg = packageOf(spec).build();
    assertEquals(USB_LIST, pkg.usbList().orElseThrow());
    JsonNode vm = ChartTesting.only(render(spec, pkg), "VirtualMachine");
    assertEquals(4, vm.at("/spec/template/spec/domain/devices/hostDevices").size());
  }

  @Test
  void deployTimeParametersRenderToo() throws Exception {
    ChartSpec spec = readmeUsbExample().build();
    JsonNode vm = ChartTesting.only(render(spec, packageOf(spec).build(), "vm.memory", "4Gi", "vm.cpuCores", "4",
        "cloudInit.existingSecret", "librespeed-secrets"), "VirtualMachine");
    JsonNode t = vm.at("/spec/template/spec");
    assertEquals("4Gi", t.at("/domain/memory/guest").asText());
    assertEquals(4, t.at("/domain/cpu/cores").asInt());
    assertEquals("librespeed-secrets", t.at("/volumes/1/cloudInitNoCloud/secretRef/name").asText());
  }

  @Test
  void aDataVolumeVmOfSeveralDisksImportsEveryImageThroughTheImageRegistry() throws Exception {
    ChartSpec spec = readmeUsbExample().storage("dataVolume").storageSize("20Gi").storagePullMethod("pod")
        .addDisk(dev.vmpackager.chart.ChartDisk.named("data").withImage("registry.example.com/apps/librespeed-vm-data:0.0.1")
            .withStorage("", "10Gi", ""))
        .build();
    DeploymentPackage pkg = packageOf(spec).build();
    String values = new String(pkg.files().get("librespeed-vm-values.yaml"), StandardCharsets.UTF_8);
    assertTrue(values.contains("\"%ImageRegistryURL%/librespeed-vm-data\""), values);
    JsonNode app = ChartTesting.documents(new String(pkg.files().get("application.yaml"), StandardCharsets.UTF_8)).get(0);
    JsonNode secretRef = app.at("/profiles/0/parameterTemplates/3");
    assertEquals("vm.storage.secretRef", secretRef.path("name").asText());
    assertEquals(DeploymentPackage.GENERATED_DOCKER_CREDENTIAL, secretRef.at("/suggestedValues/0").asText());
    // Two DataVolume templates: the KubeVirt Helper leaves their disks alone on an upgrade.
    assertTrue(pkg.warnings().isEmpty(), pkg.warnings().toString());
    JsonNode vm = ChartTesting.only(render(spec, pkg, "vm.storage.secretRef", "b-1234abcd"), "VirtualMachine");
    JsonNode dvts = vm.at("/spec/dataVolumeTemplates");
    assertEquals(2, dvts.size());
    assertEquals("docker://" + IMAGE, dvts.get(0).at("/spec/source/registry/url").asText());
    assertEquals("docker://registry.example.com/apps/librespeed-vm-data:0.0.1", dvts.get(1).at("/spec/source/registry/url").asText());
    assertEquals("b-1234abcd", dvts.get(1).at("/spec/source/registry/secretRef").asText());
    assertKubevirtHelperCanUpdate(vm);
  }

  /**
   * The KubeVirt Helper's rule (kubevirt-helper webhook.go): exactly one DataVolume template whose
   * source is not a registry URL makes every update fail; a VM must be running to be restarted.
   */
  private static void assertKubevirtHelperCanUpdate(JsonNode vm) {
    JsonNode dvts = vm.at("/spec/dataVolumeTemplates");
    if (dvts.size() == 1) {
      assertTrue(dvts.get(0).at("/spec/source/registry/url").isTextual(), "one DataVolume template needs a registry url: " + vm);
    }
    assertTrue(List.of("Always", "RerunOnFailure").contains(vm.at("/spec/runStrategy").asText()), vm.toPrettyString());
  }
}
