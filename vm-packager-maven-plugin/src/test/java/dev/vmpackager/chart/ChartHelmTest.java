package dev.vmpackager.chart;

import static dev.vmpackager.chart.ChartTesting.*;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.vmpackager.event.BuildListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated chart through real Helm (helm-java): lint, template, schema-valid manifests. */
class ChartHelmTest {

  @TempDir Path tmp;

  private final List<String> warnings = new ArrayList<>();
  private final BuildListener listener = new BuildListener() {
    @Override public void info(String m) {}
    @Override public void warn(String m) { warnings.add(m); }
    @Override public void debug(String m) {}
  };

  private Path generate(ChartSpec spec) throws Exception {
    return new ChartGenerator(listener).generate(spec, tmp.resolve("helm"));
  }

  private static void assertLintPasses(Path chart) {
    LintResult r = new Helm(chart).lint().strict().call();
    assertFalse(r.isFailed(), "helm lint --strict: " + r.getMessages());
  }

  @Test
  void cirrosChartLintsAndRendersTheClassicVm() throws Exception {
    Path chart = generate(cirros().build());
    assertLintPasses(chart);
    List<JsonNode> docs = documents(new Helm(chart).template().withKubeVersion(KUBE).withName("demo").call());
    assertManifestsValid(docs);

    JsonNode vm = only(docs, "VirtualMachine");
    assertEquals("vm-cirros", vm.at("/metadata/name").asText());
    assertEquals("vm-cirros", vm.at("/metadata/labels/kubevirt.io~1vm").asText());
    assertEquals("demo", vm.at("/metadata/labels/app.kubernetes.io~1instance").asText());
    assertEquals("Helm", vm.at("/metadata/labels/app.kubernetes.io~1managed-by").asText());
    assertEquals("Always", vm.at("/spec/runStrategy").asText());
    assertTrue(vm.at("/spec/running").isMissingNode(), "never the deprecated spec.running");
    JsonNode t = vm.at("/spec/template/spec");
    assertEquals("vm-cirros", vm.at("/spec/template/metadata/labels/kubevirt.io~1vm").asText());
    assertEquals(0, t.at("/terminationGracePeriodSeconds").asInt());
    assertTrue(t.at("/terminationGracePeriodSeconds").isInt());
    assertEquals("64M", t.at("/domain/resources/requests/memory").asText());
    assertEquals("64M", t.at("/domain/memory/guest").asText());
    assertEquals(1, t.at("/domain/cpu/cores").asInt());
    assertEquals(1, t.at("/domain/cpu").size(), "sockets, threads and model only when set: " + t.at("/domain/cpu"));
    assertTrue(t.at("/domain/firmware/bootloader/bios").isObject());
    assertTrue(t.at("/domain/machine").isMissingNode(), "empty machineType keeps KubeVirt's default");
    JsonNode disks = t.at("/domain/devices/disks");
    assertEquals(2, disks.size());
    assertEquals("rootdisk", disks.get(0).path("name").asText());
    assertEquals("virtio", disks.get(0).at("/disk/bus").asText());
    assertEquals("cloudinitdisk", disks.get(1).path("name").asText());
    assertEquals("virtio", disks.get(1).at("/disk/bus").asText());
    JsonNode iface = t.at("/domain/devices/interfaces/0");
    assertEquals("default", iface.path("name").asText());
    assertTrue(iface.path("masquerade").isObject());
    assertEquals("default", t.at("/networks/0/name").asText());
    assertTrue(t.at("/networks/0/pod").isObject());
    JsonNode volumes = t.at("/volumes");
    assertEquals(2, volumes.size());
    assertEquals("rootdisk", volumes.get(0).path("name").asText());
    assertEquals(CIRROS_IMAGE, volumes.get(0).at("/containerDisk/image").asText());
    assertEquals("IfNotPresent", volumes.get(0).at("/containerDisk/imagePullPolicy").asText());
    assertEquals("cloudinitdisk", volumes.get(1).path("name").asText());
    assertEquals("vm-cirros-cloudinit", volumes.get(1).at("/cloudInitNoCloud/secretRef/name").asText());
    assertTrue(volumes.get(1).at("/cloudInitNoCloud/userData").isMissingNode(), "never inline user-data");
    assertTrue(t.at("/domain/devices/hostDevices").isMissingNode());

    JsonNode secret = only(docs, "Secret");
    assertEquals("vm-cirros-cloudinit", secret.at("/metadata/name").asText());
    assertEquals(CIRROS_USER_DATA, new String(Base64.getDecoder().decode(secret.at("/data/userdata").asText()),
        StandardCharsets.UTF_8));
    assertTrue(docs.stream().noneMatch(d -> d.path("kind").asText().equals("Service")), "no ports, no Service");
    assertTrue(warnings.isEmpty(), warnings.toString());
  }

  @Test
  void usbExampleGivesNumberedHostDevicesAndTheOperatorSnippet() throws Exception {
    ChartSpec spec = cirros()
        .usbList(USB_LIST)
        .addUsbDevice(new UsbDeviceRequest("kubevirt.io/wifi-dongle", 3, null))
        .addUsbDevice(new UsbDeviceRequest("kubevirt.io/gsm-dongle", 1, null))
        .build();
    Path chart = generate(spec);
    assertLintPasses(chart);
    List<JsonNode> docs = documents(new Helm(chart).template().withKubeVersion(KUBE).withName("usb").call());
    assertManifestsValid(docs);
    JsonNode devices = only(docs, "VirtualMachine").at("/spec/template/spec/domain/devices/hostDevices");
    assertEquals(4, devices.size());
    String[][] expected = {
        {"wifi-dongle-1", "kubevirt.io/wifi-dongle"}, {"wifi-dongle-2", "kubevirt.io/wifi-dongle"},
        {"wifi-dongle-3", "kubevirt.io/wifi-dongle"}, {"gsm-dongle", "kubevirt.io/gsm-dongle"}};
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i][0], devices.get(i).path("name").asText());
      assertEquals(expected[i][1], devices.get(i).path("deviceName").asText());
    }

    // The operator's snippet is a valid KubeVirt CR fragment with the selectors and the feature gate.
    JsonNode kv = documents(Files.readString(chart.resolve(ChartGenerator.USB_FILE))).get(0);
    assertValid("kubevirt.io_kubevirt_v1.json", "", kv);
    assertEquals("HostDevices", kv.at("/spec/configuration/developerConfiguration/featureGates/0").asText());
    JsonNode usb = kv.at("/spec/configuration/permittedHostDevices/usb");
    assertEquals("kubevirt.io/wifi-dongle", usb.get(0).path("resourceName").asText());
    assertEquals("0bda", usb.get(0).at("/selectors/0/vendor").asText());
    assertEquals("0811", usb.get(0).at("/selectors/0/product").asText());
    assertEquals("kubevirt.io/gsm-dongle", usb.get(1).path("resourceName").asText());
    assertEquals("2838", usb.get(1).at("/selectors/0/product").asText());

    String notes = Files.readString(chart.resolve("templates/NOTES.txt"));
    assertTrue(notes.contains(USB_LIST), notes);
    assertTrue(notes.contains("permittedHostDevices") && notes.contains("HostDevices"), notes);
    assertTrue(notes.contains("virtctl console") && notes.contains("virtctl ssh"), notes);
    assertTrue(Files.readString(chart.resolve("README.md")).contains("vm.usbDevices"));
  }

  @Test
  void overridesRenderEfiDataVolumePortsUsbAndDigest() throws Exception {
    Path chart = generate(cirros().usbList(USB_LIST).build());
    String digest = "sha256:" + "ab".repeat(32);
    Path values = tmp.resolve("override.yaml");
    Files.writeString(values, String.join("\n",
        "image:",
        "  digest: " + digest,
        "vm:",
        "  firmware: efi",
        "  machineType: q35",
        "  cpuCores: 2",
        "  memory: 2Gi",
        "  runStrategy: RerunOnFailure",
        "  diskBus: sata",
        "  storage: {type: dataVolume, size: 20Gi, storageClass: fast-ssd}",
        "  usbDevices:",
        "    - {resource: kubevirt.io/wifi-dongle, name: wifi-dongle-1}",
        "cloudInit: {enabled: false}",
        "service:",
        "  type: NodePort",
        "  ports:",
        "    - {name: http, port: 8080, protocol: TCP}",
        "    - {name: dns, port: 53, protocol: UDP}",
        ""));
    List<JsonNode> docs = documents(new Helm(chart).template().withKubeVersion(KUBE).withName("over").withValuesFile(values).call());
    assertManifestsValid(docs);
    JsonNode vm = only(docs, "VirtualMachine");
    assertEquals("RerunOnFailure", vm.at("/spec/runStrategy").asText());
    JsonNode dom = vm.at("/spec/template/spec/domain");
    assertFalse(dom.at("/firmware/bootloader/efi/secureBoot").asBoolean(true));
    assertTrue(dom.at("/firmware/bootloader/bios").isMissingNode());
    assertEquals("q35", dom.at("/machine/type").asText());
    assertEquals(2, dom.at("/cpu/cores").asInt());
    assertEquals("2Gi", dom.at("/resources/requests/memory").asText());
    assertEquals("sata", dom.at("/devices/disks/0/disk/bus").asText());
    assertEquals(1, dom.at("/devices/disks").size(), "cloud-init disabled");
    assertEquals("wifi-dongle-1", dom.at("/devices/hostDevices/0/name").asText());
    JsonNode ports = dom.at("/devices/interfaces/0/ports");
    assertEquals(8080, ports.get(0).path("port").asInt());
    assertEquals("UDP", ports.get(1).path("protocol").asText());

    JsonNode dv = vm.at("/spec/dataVolumeTemplates/0");
    assertEquals("vm-cirros-rootdisk", dv.at("/metadata/name").asText());
    assertEquals("docker://quay.io/kubevirt/cirros-container-disk-demo@" + digest, dv.at("/spec/source/registry/url").asText());
    assertEquals("node", dv.at("/spec/source/registry/pullMethod").asText());
    assertEquals("20Gi", dv.at("/spec/storage/resources/requests/storage").asText());
    assertEquals("fast-ssd", dv.at("/spec/storage/storageClassName").asText());
    JsonNode volumes = vm.at("/spec/template/spec/volumes");
    assertEquals(1, volumes.size());
    assertEquals("vm-cirros-rootdisk", volumes.get(0).at("/dataVolume/name").asText());

    JsonNode svc = only(docs, "Service");
    assertEquals("NodePort", svc.at("/spec/type").asText());
    assertEquals("vm-cirros", svc.at("/spec/selector/kubevirt.io~1vm").asText());
    assertEquals(8080, svc.at("/spec/ports/0/targetPort").asInt());
    assertEquals("dns", svc.at("/spec/ports/1/name").asText());
    assertTrue(docs.stream().noneMatch(d -> d.path("kind").asText().equals("Secret")));

    // containerDisk with a digest pins the image by digest.
    List<JsonNode> pinned = documents(new Helm(chart).template().withKubeVersion(KUBE).withName("pin").set("image.digest", digest).call());
    assertEquals("quay.io/kubevirt/cirros-container-disk-demo@" + digest,
        only(pinned, "VirtualMachine").at("/spec/template/spec/volumes/0/containerDisk/image").asText());
  }

  @Test
  void dataVolumeEfiChartFromTheBuildLintsAndRenders() throws Exception {
    Path chart = generate(cirros().storage("dataVolume").storageSize("2Gi").firmware("efi").machineType("q35")
        .cpuCores(4).memory("1Gi").diskBus("scsi").addPort(new ServicePort("http", 80, "TCP"))
        .image("registry.example.com/apps/cirros@sha256:" + "12".repeat(32)).build());
    assertLintPasses(chart);
    List<JsonNode> docs = documents(new Helm(chart).template().withKubeVersion(KUBE).withName("dv").call());
    assertManifestsValid(docs);
    JsonNode vm = only(docs, "VirtualMachine");
    assertEquals("docker://registry.example.com/apps/cirros@sha256:" + "12".repeat(32),
        vm.at("/spec/dataVolumeTemplates/0/spec/source/registry/url").asText());
    assertTrue(vm.at("/spec/dataVolumeTemplates/0/spec/storage/storageClassName").isMissingNode(), "cluster default");
    assertEquals("2Gi", vm.at("/spec/dataVolumeTemplates/0/spec/storage/resources/requests/storage").asText());
    assertEquals("scsi", vm.at("/spec/template/spec/domain/devices/disks/0/disk/bus").asText());
    assertEquals(4, vm.at("/spec/template/spec/domain/cpu/cores").asInt());
    assertTrue(vm.at("/spec/template/spec/domain/firmware/bootloader/efi").isObject());
    assertEquals(80, only(docs, "Service").at("/spec/ports/0/port").asInt());
  }

  @Test
  void cpuTopologyAndModelRenderWhenSet() throws Exception {
    Path chart = generate(cirros().cpuCores(2).cpuSockets(2).cpuThreads(2).cpuModel("host-passthrough").build());
    assertLintPasses(chart);
    List<JsonNode> docs = documents(new Helm(chart).template().withKubeVersion(KUBE).withName("cpu").call());
    assertManifestsValid(docs);
    JsonNode cpu = only(docs, "VirtualMachine").at("/spec/template/spec/domain/cpu");
    assertEquals(2, cpu.path("cores").asInt());
    assertEquals(2, cpu.path("sockets").asInt());
    assertEquals(2, cpu.path("threads").asInt());
    assertTrue(cpu.path("sockets").isInt() && cpu.path("threads").isInt());
    assertEquals("host-passthrough", cpu.path("model").asText());
    String values = Files.readString(chart.resolve("values.yaml"));
    assertTrue(values.contains("cpuSockets: 2") && values.contains("cpuModel: \"host-passthrough\""), values);

    // Overridden at install time: back to one socket and thread, another model.
    cpu = only(documents(new Helm(chart).template().withKubeVersion(KUBE).withName("cpu").set("vm.cpuSockets", "1")
        .set("vm.cpuThreads", "1").set("vm.cpuModel", "host-model").call()), "VirtualMachine")
        .at("/spec/template/spec/domain/cpu");
    assertTrue(cpu.path("sockets").isMissingNode() && cpu.path("threads").isMissingNode(), cpu.toString());
    assertEquals("host-model", cpu.path("model").asText());
  }

  @Test
  void instancetypeReplacesCpuAndMemoryAndPreferenceIsReferenced() throws Exception {
    Path chart = generate(unsizedCirros().instancetype("u1.medium", null)
        .preference("fedora", "VirtualMachinePreference").build());
    assertLintPasses(chart);
    List<JsonNode> docs = documents(new Helm(chart).template().withKubeVersion(KUBE).withName("it").call());
    assertManifestsValid(docs);
    JsonNode vm = only(docs, "VirtualMachine");
    assertEquals("u1.medium", vm.at("/spec/instancetype/name").asText());
    assertEquals("VirtualMachineClusterInstancetype", vm.at("/spec/instancetype/kind").asText());
    assertEquals("fedora", vm.at("/spec/preference/name").asText());
    assertEquals("VirtualMachinePreference", vm.at("/spec/preference/kind").asText());
    JsonNode dom = vm.at("/spec/template/spec/domain");
    assertTrue(dom.path("cpu").isMissingNode(), "no domain.cpu with an instancetype: " + dom);
    assertTrue(dom.path("memory").isMissingNode(), "no domain.memory with an instancetype: " + dom);
    assertTrue(dom.path("resources").isMissingNode(), "no resources.requests.memory with an instancetype: " + dom);
    assertTrue(dom.at("/devices/disks").isArray() && dom.at("/firmware/bootloader/bios").isObject());
    String notes = installOutput(chart);
    assertTrue(notes.contains("VirtualMachineClusterInstancetype u1.medium")
        && notes.contains("kubectl get virtualmachineclusterinstancetype u1.medium"), notes);
    assertTrue(notes.contains("Preference: VirtualMachinePreference fedora"), notes);
    assertFalse(installOutput(generate(cirros().build())).contains("instancetype"));

    // Set at install time on a chart built without one; a preference alone keeps cpu and memory.
    Path plain = generate(cirros().build());
    vm = only(documents(new Helm(plain).template().withKubeVersion(KUBE).withName("it").set("vm.instancetype.name", "cx1.large")
        .set("vm.instancetype.kind", "VirtualMachineInstancetype").call()), "VirtualMachine");
    assertEquals("cx1.large", vm.at("/spec/instancetype/name").asText());
    assertEquals("VirtualMachineInstancetype", vm.at("/spec/instancetype/kind").asText());
    assertTrue(vm.at("/spec/template/spec/domain/cpu").isMissingNode());
    assertTrue(vm.at("/spec/template/spec/domain/resources").isMissingNode());
    vm = only(documents(new Helm(plain).template().withKubeVersion(KUBE).withName("it").set("vm.preference.name", "cirros")
        .call()), "VirtualMachine");
    assertValid("kubevirt.io_virtualmachine_v1.json", "", vm);
    assertEquals("VirtualMachineClusterPreference", vm.at("/spec/preference/kind").asText());
    assertTrue(vm.at("/spec/instancetype").isMissingNode());
    assertEquals("64M", vm.at("/spec/template/spec/domain/resources/requests/memory").asText());
    vm = only(documents(new Helm(plain).template().withKubeVersion(KUBE).withName("it").call()), "VirtualMachine");
    assertTrue(vm.at("/spec/instancetype").isMissingNode() && vm.at("/spec/preference").isMissingNode());
  }

  @Test
  void schedulingPassesNodeSelectorTolerationsAndAffinityThrough() throws Exception {
    Path user = tmp.resolve("user-helm");
    Files.createDirectories(user);
    // The user's values.yaml may add labels to the open nodeSelector map.
    Files.writeString(user.resolve("values.yaml"), "vm:\n  nodeSelector:\n    disktype: ssd\n");
    Path chart = generate(cirros().nodeSelector("kubernetes.io/arch", "amd64").userChartDirectory(user).build());
    assertLintPasses(chart);
    String values = Files.readString(chart.resolve("values.yaml"));
    assertTrue(values.contains("\"kubernetes.io/arch\": \"amd64\""), values);
    Path override = Files.writeString(tmp.resolve("sched.yaml"), String.join("\n",
        "vm:",
        "  tolerations:",
        "    - {key: dedicated, operator: Equal, value: vms, effect: NoSchedule}",
        "    - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 300}",
        "  affinity:",
        "    nodeAffinity:",
        "      requiredDuringSchedulingIgnoredDuringExecution:",
        "        nodeSelectorTerms:",
        "          - matchExpressions:",
        "              - {key: kubevirt.io/schedulable, operator: In, values: [\"true\"]}",
        ""));
    List<JsonNode> docs = documents(new Helm(chart).template().withKubeVersion(KUBE).withName("s").withValuesFile(override).call());
    assertManifestsValid(docs);
    JsonNode t = only(docs, "VirtualMachine").at("/spec/template/spec");
    assertEquals("amd64", t.at("/nodeSelector/kubernetes.io~1arch").asText());
    assertEquals("ssd", t.at("/nodeSelector/disktype").asText());
    assertEquals(2, t.at("/tolerations").size());
    assertEquals("NoSchedule", t.at("/tolerations/0/effect").asText());
    assertEquals(300, t.at("/tolerations/1/tolerationSeconds").asInt());
    assertTrue(t.at("/tolerations/1/tolerationSeconds").isIntegralNumber());
    assertEquals("kubevirt.io/schedulable", t.at(
        "/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/0/matchExpressions/0/key").asText());

    String notes = installOutput(chart);
    assertTrue(notes.contains("node labels: disktype=ssd kubernetes.io/arch=amd64"), notes);
    String readme = Files.readString(chart.resolve("README.md"));
    assertTrue(readme.contains("| `vm.nodeSelector` | `{ \"kubernetes.io/arch\": \"amd64\", \"disktype\": \"ssd\" }` | Node labels"), readme);
    // None of them by default.
    t = only(documents(new Helm(generate(cirros().build())).template().withKubeVersion(KUBE).withName("s").call()),
        "VirtualMachine").at("/spec/template/spec");
    assertTrue(t.path("nodeSelector").isMissingNode() && t.path("tolerations").isMissingNode()
        && t.path("affinity").isMissingNode(), t.toString());
  }

  @Test
  void networkDataAndConfigDriveShareTheCloudInitSecret() throws Exception {
    String net = "version: 2\nethernets:\n  enp1s0:\n    dhcp4: true\n";
    Path chart = generate(cirros().cloudInitNetworkData(net).cloudInitType("configDrive").build());
    assertLintPasses(chart);
    List<JsonNode> docs = documents(new Helm(chart).template().withKubeVersion(KUBE).withName("ci").call());
    assertManifestsValid(docs);
    JsonNode volume = only(docs, "VirtualMachine").at("/spec/template/spec/volumes/1");
    assertEquals("cloudinitdisk", volume.path("name").asText());
    assertTrue(volume.path("cloudInitNoCloud").isMissingNode(), volume.toString());
    assertEquals("vm-cirros-cloudinit", volume.at("/cloudInitConfigDrive/secretRef/name").asText());
    assertEquals("vm-cirros-cloudinit", volume.at("/cloudInitConfigDrive/networkDataSecretRef/name").asText());
    JsonNode secret = only(docs, "Secret");
    assertEquals(CIRROS_USER_DATA, decode(secret.at("/data/userdata")));
    assertEquals(net, decode(secret.at("/data/networkdata")));
    assertTrue(Files.readString(chart.resolve("values.yaml")).contains("type: \"configDrive\""));

    String notes = installOutput(chart);
    assertTrue(notes.contains("cloud-init: a config drive (cloudInitConfigDrive) from the Secret vm-cirros-cloudinit"
        + " (user-data and network data)."), notes);
    // Back to NoCloud at install time.
    volume = only(documents(new Helm(chart).template().withKubeVersion(KUBE).withName("ci").set("cloudInit.type", "nocloud")
        .call()), "VirtualMachine").at("/spec/template/spec/volumes/1");
    assertEquals("vm-cirros-cloudinit", volume.at("/cloudInitNoCloud/networkDataSecretRef/name").asText());
    assertTrue(volume.path("cloudInitConfigDrive").isMissingNode());

    // Network data alone: only networkDataSecretRef, and a Secret with only that key.
    Path netOnly = generate(cirros().cloudInitUserData(null).cloudInitNetworkData(net).build());
    docs = documents(new Helm(netOnly).template().withKubeVersion(KUBE).withName("ci").call());
    assertManifestsValid(docs);
    volume = only(docs, "VirtualMachine").at("/spec/template/spec/volumes/1");
    assertEquals("vm-cirros-cloudinit", volume.at("/cloudInitNoCloud/networkDataSecretRef/name").asText());
    assertTrue(volume.at("/cloudInitNoCloud/secretRef").isMissingNode(), volume.toString());
    assertEquals(1, only(docs, "Secret").path("data").size());
    assertEquals(net, decode(only(docs, "Secret").at("/data/networkdata")));

    // The classic chart has no network data.
    volume = only(documents(new Helm(generate(cirros().build())).template().withKubeVersion(KUBE).withName("ci").call()),
        "VirtualMachine").at("/spec/template/spec/volumes/1/cloudInitNoCloud");
    assertTrue(volume.path("networkDataSecretRef").isMissingNode() && volume.path("secretRef").isObject(), volume.toString());
  }

  private static String decode(JsonNode base64) {
    return new String(Base64.getDecoder().decode(base64.asText()), StandardCharsets.UTF_8);
  }

  @Test
  void dataVolumeRegistrySourceTakesPullMethodSecretAndCaConfigMap() throws Exception {
    Path chart = generate(cirros().storage("dataVolume").storageSize("2Gi").storagePullMethod("pod")
        .storageSecretRef("registry-credentials").storageCertConfigMap("registry-ca").build());
    assertLintPasses(chart);
    assertTrue(warnings.isEmpty(), warnings.toString());
    List<JsonNode> docs = documents(new Helm(chart).template().withKubeVersion(KUBE).withName("dv").call());
    assertManifestsValid(docs);
    JsonNode registry = only(docs, "VirtualMachine").at("/spec/dataVolumeTemplates/0/spec/source/registry");
    assertEquals("pod", registry.path("pullMethod").asText());
    assertEquals("registry-credentials", registry.path("secretRef").asText());
    assertEquals("registry-ca", registry.path("certConfigMap").asText());
    assertEquals("docker://" + CIRROS_IMAGE, registry.path("url").asText());

    String notes = installOutput(chart);
    assertTrue(notes.contains("(pod pull, credentials from the Secret registry-credentials, CA certificates from the"
        + " ConfigMap registry-ca); follow it with:"), notes);
    // Unset at install time: node pull, neither field rendered.
    registry = only(documents(new Helm(chart).template().withKubeVersion(KUBE).withName("dv").set("vm.storage.pullMethod", "node")
        .set("vm.storage.secretRef", "").set("vm.storage.certConfigMap", "").call()), "VirtualMachine")
        .at("/spec/dataVolumeTemplates/0/spec/source/registry");
    assertEquals("node", registry.path("pullMethod").asText());
    assertTrue(registry.path("secretRef").isMissingNode() && registry.path("certConfigMap").isMissingNode(), registry.toString());
    assertEquals(2, registry.size(), registry.toString());

    // Credentials with a node pull are not used by anyone: the build says so.
    generate(cirros().storage("dataVolume").storageSize("2Gi").storageSecretRef("registry-credentials").build());
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("<storagePullMethod>pod</storagePullMethod>"), warnings.get(0));
  }

  @Test
  void extraDisksBecomeEmptyDisksAndClaims() throws Exception {
    Path chart = generate(cirros().addExtraDisk(new ExtraDisk("scratch", null, "10Gi", null))
        .addExtraDisk(new ExtraDisk("data", "scsi", null, "app-data")).build());
    assertLintPasses(chart);
    List<JsonNode> docs = documents(new Helm(chart).template().withKubeVersion(KUBE).withName("x").call());
    assertManifestsValid(docs);
    JsonNode t = only(docs, "VirtualMachine").at("/spec/template/spec");
    JsonNode disks = t.at("/domain/devices/disks");
    assertEquals(4, disks.size());
    assertEquals("scratch", disks.get(2).path("name").asText());
    assertEquals("virtio", disks.get(2).at("/disk/bus").asText(), "default: the root disk's bus");
    assertEquals("data", disks.get(3).path("name").asText());
    assertEquals("scsi", disks.get(3).at("/disk/bus").asText());
    JsonNode volumes = t.at("/volumes");
    assertEquals(4, volumes.size());
    assertEquals("scratch", volumes.get(2).path("name").asText());
    assertEquals("10Gi", volumes.get(2).at("/emptyDisk/capacity").asText());
    assertEquals("data", volumes.get(3).path("name").asText());
    assertEquals("app-data", volumes.get(3).at("/persistentVolumeClaim/claimName").asText());
    assertTrue(volumes.get(3).path("emptyDisk").isMissingNode());
    assertTrue(Files.readString(chart.resolve("README.md")).contains("vm.extraDisks"));

    String notes = installOutput(chart);
    assertTrue(notes.contains("scratch: an empty 10Gi disk") && notes.contains("data: the PersistentVolumeClaim app-data"), notes);
    // Values only: a disk added at install time; duplicate names fail clearly.
    Path plain = generate(cirros().build());
    Path more = Files.writeString(tmp.resolve("disks.yaml"),
        "vm:\n  diskBus: sata\n  extraDisks:\n    - {name: logs, emptyDiskCapacity: 1Gi}\n");
    t = only(documents(new Helm(plain).template().withKubeVersion(KUBE).withName("x").withValuesFile(more).call()),
        "VirtualMachine").at("/spec/template/spec");
    assertEquals("sata", t.at("/domain/devices/disks/2/disk/bus").asText());
    assertEquals("1Gi", t.at("/volumes/2/emptyDisk/capacity").asText());
    Path twice = Files.writeString(tmp.resolve("twice.yaml"), "vm:\n  extraDisks:\n"
        + "    - {name: logs, emptyDiskCapacity: 1Gi}\n    - {name: logs, persistentVolumeClaim: old-logs}\n");
    Exception e = assertThrows(Exception.class,
        () -> new Helm(plain).template().withKubeVersion(KUBE).withName("x").withValuesFile(twice).call());
    assertTrue(e.getMessage().contains("the disk name logs is used twice"), e.getMessage());
    Path both = Files.writeString(tmp.resolve("both.yaml"), "vm:\n  extraDisks:\n"
        + "    - {name: logs, emptyDiskCapacity: 1Gi, persistentVolumeClaim: old-logs}\n");
    e = assertThrows(Exception.class,
        () -> new Helm(plain).template().withKubeVersion(KUBE).withName("x").withValuesFile(both).call());
    assertTrue(e.getMessage().contains("schema") && e.getMessage().contains("/vm/extraDisks/0"), e.getMessage());
  }

  @Test
  void secureBootTurnsOnSmm() throws Exception {
    Path chart = generate(cirros().firmware("efi").secureBoot(true).build());
    assertLintPasses(chart);
    List<JsonNode> docs = documents(new Helm(chart).template().withKubeVersion(KUBE).withName("sb").call());
    assertManifestsValid(docs);
    JsonNode dom = only(docs, "VirtualMachine").at("/spec/template/spec/domain");
    assertTrue(dom.at("/firmware/bootloader/efi/secureBoot").isBoolean());
    assertTrue(dom.at("/firmware/bootloader/efi/secureBoot").asBoolean());
    assertTrue(dom.at("/features/smm/enabled").asBoolean(false), dom.toString());
    String notes = installOutput(chart);
    assertTrue(notes.contains("UEFI Secure Boot"), notes);

    // Off at install time: efi without Secure Boot and no SMM.
    dom = only(documents(new Helm(chart).template().withKubeVersion(KUBE).withName("sb").set("vm.secureBoot", "false").call()),
        "VirtualMachine").at("/spec/template/spec/domain");
    assertFalse(dom.at("/firmware/bootloader/efi/secureBoot").asBoolean(true));
    assertTrue(dom.path("features").isMissingNode(), dom.toString());
    // bios cannot Secure Boot: the schema refuses it.
    Exception e = assertThrows(Exception.class, () -> new Helm(chart).template().withKubeVersion(KUBE).withName("sb")
        .set("vm.firmware", "bios").call());
    assertTrue(e.getMessage().contains("schema") && e.getMessage().contains("/vm/firmware"), e.getMessage());
    // The default chart: bios, no features.
    dom = only(documents(new Helm(generate(cirros().build())).template().withKubeVersion(KUBE).withName("sb").call()),
        "VirtualMachine").at("/spec/template/spec/domain");
    assertTrue(dom.path("features").isMissingNode() && dom.at("/firmware/bootloader/bios").isObject());
  }

  @Test
  void valuesThatBreakTheSchemaAreRejectedByHelm() throws Exception {
    Path chart = generate(cirros().build());
    String[][] bad = { // key, value, what Helm's schema error must name
        {"vm.memry", "1Gi", "additional properties 'memry'"},          // misspelled key
        {"vm.memory", "64 MB", "/vm/memory"},                           // not a quantity
        {"vm.cpuCores", "0", "/vm/cpuCores"},                           // below 1
        {"vm.cpuSockets", "0", "/vm/cpuSockets"},
        {"vm.cpuThreads", "0", "/vm/cpuThreads"},
        {"vm.cpuModel", "host passthrough", "/vm/cpuModel"},
        {"vm.runStrategy", "running", "/vm/runStrategy"},               // the deprecated field, not a strategy
        {"vm.firmware", "uefi", "/vm/firmware"},
        {"vm.instancetype.kind", "Instancetype", "/vm/instancetype/kind"},
        {"vm.preference.kind", "VirtualMachineClusterInstancetype", "/vm/preference/kind"},
        {"vm.instancetype.name", "U1.Medium", "/vm/instancetype/name"},
        {"vm.instancetype.size", "medium", "additional properties 'size'"},
        {"cloudInit.type", "cdrom", "/cloudInit/type"},
        {"vm.secureBoot", "true", "/vm/firmware"},                                 // Secure Boot with bios
        {"vm.extraDisks[0].name", "rootdisk", "/vm/extraDisks/0"},
        {"vm.extraDisks[0].name", "data", "/vm/extraDisks/0"},                  // neither capacity nor claim
        {"vm.extraDisks[0].size", "1Gi", "additional properties 'size'"},
        {"vm.storage.pullMethod", "kubelet", "/vm/storage/pullMethod"},
        {"vm.storage.secretRef", "Registry_Creds", "/vm/storage/secretRef"},
        {"vm.storage.certConfigMap", "-ca", "/vm/storage/certConfigMap"},
        {"vm.tolerations[0].operator", "Maybe", "/vm/tolerations/0/operator"},
        {"vm.tolerations[0].efect", "NoSchedule", "additional properties 'efect'"},
        {"vm.affinity.nodeAfinity.x", "y", "additional properties 'nodeAfinity'"},
        {"vm.nodeSelector.disk\\ type", "ssd", "invalid propertyName 'disk type'"},
        {"image.digest", "sha256:1234", "/image/digest"},
        {"vm.storage.type", "dataVolume", "/vm/storage/size"},          // dataVolume without a size
        {"service.ports[0].port", "70000", "/service/ports/0/port"},
        {"cloudinit.enabled", "true", "additional properties 'cloudinit'"}, // misspelled top-level key
        {"vm.memory", "null", "missing property 'memory'"},             // a value removed
    };
    for (String[] kv : bad) {
      Exception e = assertThrows(Exception.class,
          () -> new Helm(chart).template().withKubeVersion(KUBE).withName("bad").set(kv[0], kv[1]).call(),
          kv[0] + "=" + kv[1]);
      assertTrue(e.getMessage().contains("schema") && e.getMessage().contains(kv[2]), kv[0] + ": " + e.getMessage());
    }
    Exception wrongType = assertThrows(Exception.class, () -> new Helm(chart).template().withKubeVersion(KUBE).withName("bad")
        .withValuesFile(Files.writeString(tmp.resolve("t.yaml"), "vm:\n  cpuCores: \"two\"\n")).call());
    assertTrue(wrongType.getMessage().contains("cpuCores"), wrongType.getMessage());
  }

  @Test
  void strictSchemasCatchTypos() throws Exception {
    JsonNode vm = only(documents(new Helm(generate(cirros().build())).template().withKubeVersion(KUBE)
        .withName("t").call()), "VirtualMachine");
    ((com.fasterxml.jackson.databind.node.ObjectNode) vm.at("/spec/template/spec/domain/devices/disks/0/disk"))
        .put("buss", "virtio");
    assertFalse(schema("kubevirt.io_virtualmachine_v1.json", "").validate(vm).isEmpty(), "negative control");
  }

  @Test
  void existingSecretAtInstallReplacesTheChartsSecret() throws Exception {
    String net = "version: 2\nethernets:\n  enp1s0:\n    dhcp4: true\n";
    Path chart = generate(cirros().cloudInitNetworkData(net).build());
    assertLintPasses(chart);
    for (String type : new String[] {"nocloud", "configDrive"}) {
      List<JsonNode> docs = documents(new Helm(chart).template().withKubeVersion(KUBE).withName("es")
          .set("cloudInit.existingSecret", "x").set("cloudInit.type", type).call());
      assertManifestsValid(docs);
      assertTrue(docs.stream().noneMatch(d -> "Secret".equals(d.path("kind").asText())), "no Secret of the chart's own: " + docs);
      JsonNode vm = only(docs, "VirtualMachine");
      JsonNode volume = vm.at("/spec/template/spec/volumes/1");
      String source = type.equals("nocloud") ? "cloudInitNoCloud" : "cloudInitConfigDrive";
      assertEquals("cloudinitdisk", volume.path("name").asText());
      assertEquals("x", volume.at("/" + source + "/secretRef/name").asText(), volume.toString());
      assertEquals("x", volume.at("/" + source + "/networkDataSecretRef/name").asText(), volume.toString());
      assertEquals(2, volume.path(source).size(), "the deployer's Secret only, no data inline: " + volume);
      assertEquals("cloudinitdisk", vm.at("/spec/template/spec/domain/devices/disks/1/name").asText());
    }
    String notes = installOutput(chart, "cloudInit.existingSecret", "x");
    assertTrue(notes.contains("from the Secret x, which this chart does not create"), notes);
    assertTrue(notes.contains("kubectl create secret generic -n apps x --from-file=userdata="), notes);

    // A chart built without cloud-init data: the deployer attaches their own Secret.
    Path plain = generate(cirros().cloudInitUserData(null).build());
    List<JsonNode> docs = documents(new Helm(plain).template().withKubeVersion(KUBE).withName("es")
        .set("cloudInit.enabled", "true").set("cloudInit.existingSecret", "vm-cirros-ci").call());
    assertManifestsValid(docs);
    assertTrue(docs.stream().noneMatch(d -> "Secret".equals(d.path("kind").asText())), docs.toString());
    assertEquals("vm-cirros-ci", only(docs, "VirtualMachine")
        .at("/spec/template/spec/volumes/1/cloudInitNoCloud/secretRef/name").asText());
    assertTrue(installOutput(plain, "cloudInit.existingSecret", "vm-cirros-ci")
        .contains("cloudInit.existingSecret is vm-cirros-ci but cloudInit.enabled is false"));

    // Only a Secret name passes the schema.
    Exception e = assertThrows(Exception.class, () -> new Helm(chart).template().withKubeVersion(KUBE).withName("es")
        .set("cloudInit.existingSecret", "My_Secret").call());
    assertTrue(e.getMessage().contains("/cloudInit/existingSecret"), e.getMessage());
  }

  @Test
  void enablingCloudInitWithoutUserDataFailsClearly() throws Exception {
    Path chart = generate(cirros().cloudInitUserData(null).build());
    assertLintPasses(chart);
    List<JsonNode> docs = documents(new Helm(chart).template().withKubeVersion(KUBE).withName("x").call());
    assertEquals(1, only(docs, "VirtualMachine").at("/spec/template/spec/volumes").size());
    Exception e = assertThrows(Exception.class,
        () -> new Helm(chart).template().withKubeVersion(KUBE).withName("x").set("cloudInit.enabled", "true").call());
    assertTrue(e.getMessage().contains("without a cloud-init user-data or network-data file"), e.getMessage());
  }

  @Test
  void chartRefusesClustersOlderThanItsKubeVersion() throws Exception {
    Path chart = generate(cirros().build());
    Exception e = assertThrows(Exception.class,
        () -> new Helm(chart).template().withKubeVersion("1.20.0").withName("old").call());
    assertTrue(e.getMessage().contains("kubeVersion"), e.getMessage());
  }

  @Test
  void haltedWarnsAndRendersHalted() throws Exception {
    Path chart = generate(cirros().runStrategy("Halted").build());
    assertEquals(1, warnings.size());
    assertTrue(warnings.get(0).contains("Halted") && warnings.get(0).contains("upgrade"), warnings.get(0));
    JsonNode vm = only(documents(new Helm(chart).template().withKubeVersion(KUBE).withName("h").call()), "VirtualMachine");
    assertEquals("Halted", vm.at("/spec/runStrategy").asText());
  }

  @Test
  void userChartFilesAreMergedIn() throws Exception {
    Path user = tmp.resolve("src-main-helm");
    Files.createDirectories(user.resolve("templates"));
    Files.writeString(user.resolve("values.yaml"), "vm:\n  memory: 3Gi\nextra:\n  greeting: hello\n");
    Files.writeString(user.resolve("templates/configmap.yaml"), String.join("\n",
        "apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: {{ .Values.vm.name }}-extra",
        "data:", "  greeting: {{ .Values.extra.greeting | quote }}", ""));
    Files.writeString(user.resolve("README.md"), "# Mine\n");
    Path chart = generate(cirros().userChartDirectory(user).build());
    assertEquals("# Mine\n", Files.readString(chart.resolve("README.md")));
    assertLintPasses(chart);
    List<JsonNode> docs = documents(new Helm(chart).template().withKubeVersion(KUBE).withName("u").call());
    assertManifestsValid(docs);
    assertEquals("3Gi", only(docs, "VirtualMachine").at("/spec/template/spec/domain/resources/requests/memory").asText());
    assertEquals("hello", only(docs, "ConfigMap").at("/data/greeting").asText());
    assertEquals("64M", only(documents(new Helm(chart).template().withKubeVersion(KUBE).withName("u").set("vm.memory", "64M").call()),
        "VirtualMachine").at("/spec/template/spec/domain/resources/requests/memory").asText());

    Files.writeString(user.resolve("values.yaml"), "vm:\n  memmory: 3Gi\n");
    ChartConfigException e = assertThrows(ChartConfigException.class, () -> generate(cirros().userChartDirectory(user).build()));
    assertTrue(e.getMessage().contains("vm.memmory"), e.getMessage());
    Files.delete(user.resolve("values.yaml"));
    Files.writeString(user.resolve("Chart.yaml"), "apiVersion: v2\n");
    e = assertThrows(ChartConfigException.class, () -> generate(cirros().userChartDirectory(user).build()));
    assertTrue(e.getMessage().contains("Chart.yaml") && e.getMessage().contains("<chartName>"), e.getMessage());
  }
}
