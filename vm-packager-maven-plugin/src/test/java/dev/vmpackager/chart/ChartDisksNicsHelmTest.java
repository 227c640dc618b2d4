package dev.vmpackager.chart;

import static dev.vmpackager.chart.ChartTesting.*;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import dev.vmpackager.event.BuildListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A VM of several disks and NICs through real Helm (helm-java): lint, render, strict schemas, --set. */
class ChartDisksNicsHelmTest {

  private static final String DATA_IMAGE = "quay.io/kubevirt/cirros-container-disk-demo-data:v1.7.1";
  private static final String MAC1 = "00:50:56:aa:bb:01";
  private static final String MAC2 = "00:50:56:aa:bb:02";

  @TempDir Path tmp;

  private static final BuildListener QUIET = new BuildListener() {
    @Override public void info(String m) {}
    @Override public void warn(String m) {}
    @Override public void debug(String m) {}
  };

  private Path generate(ChartSpec spec) throws Exception {
    return new ChartGenerator(QUIET).generate(spec, tmp.resolve("helm"));
  }

  /** cirros with a data disk (its image by the default name) and two e1000e NICs, the second on vlan-10. */
  private static ChartSpec.Builder twoDisksTwoNics() {
    return cirros()
        .addDisk(ChartDisk.named("data").withBus("sata"))
        .nics(List.of(new ChartNic("", "e1000e", MAC1, ""), new ChartNic("", "e1000e", MAC2, "vlan-10")));
  }

  private static TemplateCommand template(Path chart) {
    return new Helm(chart).template().withKubeVersion(KUBE).withName("multi");
  }

  private static JsonNode vm(TemplateCommand c) throws Exception {
    List<JsonNode> docs = documents(c.call());
    assertManifestsValid(docs);
    return only(docs, "VirtualMachine");
  }

  private static void assertLintPasses(Path chart) {
    LintResult r = new Helm(chart).lint().strict().call();
    assertFalse(r.isFailed(), "helm lint --strict: " + r.getMessages());
  }

  @Test
  void twoContainerDisksAndTwoNicsRenderInBootAndGuestOrder() throws Exception {
    Path chart = generate(twoDisksTwoNics().build());
    assertLintPasses(chart);
    JsonNode t = vm(template(chart)).at("/spec/template/spec");

    JsonNode disks = t.at("/domain/devices/disks");
    assertEquals(3, disks.size(), disks.toString());
    assertEquals("rootdisk", disks.get(0).path("name").asText());
    assertEquals("virtio", disks.get(0).at("/disk/bus").asText());
    assertEquals(1, disks.get(0).path("bootOrder").asInt());
    assertTrue(disks.get(0).path("bootOrder").isInt());
    assertEquals("data", disks.get(1).path("name").asText());
    assertEquals("sata", disks.get(1).at("/disk/bus").asText());
    assertEquals(2, disks.get(1).path("bootOrder").asInt());
    assertEquals("cloudinitdisk", disks.get(2).path("name").asText());
    assertTrue(disks.get(2).path("bootOrder").isMissingNode(), "the cloud-init disk is never booted");

    JsonNode volumes = t.at("/volumes");
    assertEquals(3, volumes.size(), volumes.toString());
    assertEquals(CIRROS_IMAGE, volumes.get(0).at("/containerDisk/image").asText());
    assertEquals("data", volumes.get(1).path("name").asText());
    assertEquals(DATA_IMAGE, volumes.get(1).at("/containerDisk/image").asText(), "<image repository>-<disk>:<tag>");
    assertEquals("IfNotPresent", volumes.get(1).at("/containerDisk/imagePullPolicy").asText());
    assertEquals("cloudinitdisk", volumes.get(2).path("name").asText());

    JsonNode ifaces = t.at("/domain/devices/interfaces");
    assertEquals(2, ifaces.size(), ifaces.toString());
    assertEquals("default", ifaces.get(0).path("name").asText());
    assertTrue(ifaces.get(0).path("masquerade").isObject());
    assertEquals("e1000e", ifaces.get(0).path("model").asText());
    assertEquals(MAC1, ifaces.get(0).path("macAddress").asText());
    assertEquals("net1", ifaces.get(1).path("name").asText());
    assertTrue(ifaces.get(1).path("bridge").isObject());
    assertEquals("e1000e", ifaces.get(1).path("model").asText());
    assertEquals(MAC2, ifaces.get(1).path("macAddress").asText());
    assertTrue(ifaces.get(1).path("bootOrder").isMissingNode() && ifaces.get(0).path("bootOrder").isMissingNode(),
        "NICs are never boot devices");
    JsonNode networks = t.at("/networks");
    assertEquals(2, networks.size());
    assertTrue(networks.get(0).path("pod").isObject());
    assertEquals("net1", networks.get(1).path("name").asText());
    assertEquals("vlan-10", networks.get(1).at("/multus/networkName").asText());

    String values = Files.readString(chart.resolve("values.yaml"));
    assertTrue(values.contains("  disks:\n    # Disk data (bootOrder 2).\n    data:\n"), values);
    assertTrue(values.contains("--set vm.interfaces.net1.network=<name>"), values);
    String readme = Files.readString(chart.resolve("README.md"));
    assertTrue(readme.contains("| `vm.disks.data.bus` | `\"sata\"` |"), readme);
    assertTrue(readme.contains("| `vm.interfaces.net1.network` | `\"vlan-10\"` |"), readme);
    assertTrue(readme.contains("--set vm.disks.data.bus=sata"), readme);
    String notes = installOutput(chart);
    assertTrue(notes.contains("rootdisk: " + CIRROS_IMAGE + " (containerDisk, virtio)\n  data: " + DATA_IMAGE
        + " (containerDisk, sata)"), notes);
    assertTrue(notes.contains("Network interfaces: default on the pod network, net1 on the Multus network vlan-10."), notes);
    assertFalse(notes.contains("CDI imports"), notes);
  }

  @Test
  void dataVolumeStorageGivesOneDataVolumeTemplatePerDisk() throws Exception {
    String digest = "sha256:" + "cd".repeat(32);
    Path chart = generate(twoDisksTwoNics().storage("dataVolume").storageSize("2Gi").storageClass("fast-ssd")
        .storagePullMethod("pod").storageSecretRef("registry-credentials")
        .disks(List.of(ChartDisk.named("data").withImage("registry.example.com/apps/data:7").withImageDigest(digest)
            .withStorage("", "5Gi", ""), ChartDisk.named("logs").withBus("scsi").withStorage("dataVolume", "1Gi", "slow")))
        .build());
    assertLintPasses(chart);
    JsonNode vm = vm(template(chart));
    JsonNode dvs = vm.at("/spec/dataVolumeTemplates");
    assertEquals(3, dvs.size(), dvs.toString());
    String[][] expected = { // name, url, size, storage class
        {"vm-cirros-rootdisk", "docker://" + CIRROS_IMAGE, "2Gi", "fast-ssd"},
        {"vm-cirros-data", "docker://registry.example.com/apps/data@" + digest, "5Gi", "fast-ssd"},
        {"vm-cirros-logs", "docker://quay.io/kubevirt/cirros-container-disk-demo-logs:v1.7.1", "1Gi", "slow"}};
    for (int i = 0; i < expected.length; i++) {
      JsonNode dv = dvs.get(i);
      assertEquals(expected[i][0], dv.at("/metadata/name").asText());
      assertEquals("multi", dv.at("/metadata/labels/app.kubernetes.io~1instance").asText());
      assertEquals(expected[i][1], dv.at("/spec/source/registry/url").asText());
      assertEquals("pod", dv.at("/spec/source/registry/pullMethod").asText());
      assertEquals("registry-credentials", dv.at("/spec/source/registry/secretRef").asText());
      assertEquals(expected[i][2], dv.at("/spec/storage/resources/requests/storage").asText());
      assertEquals(expected[i][3], dv.at("/spec/storage/storageClassName").asText());
    }
    JsonNode t = vm.at("/spec/template/spec");
    assertEquals("vm-cirros-data", t.at("/volumes/1/dataVolume/name").asText());
    assertEquals("vm-cirros-logs", t.at("/volumes/2/dataVolume/name").asText());
    assertEquals("logs", t.at("/domain/devices/disks/2/name").asText());
    assertEquals("scsi", t.at("/domain/devices/disks/2/disk/bus").asText());
    assertEquals(3, t.at("/domain/devices/disks/2/bootOrder").asInt());
    String notes = installOutput(chart);
    assertTrue(notes.contains("CDI imports the disk images into the PVCs vm-cirros-rootdisk, vm-cirros-data, vm-cirros-logs"
        + " first (pod pull, credentials from the Secret registry-credentials); follow them with:\n"
        + "  kubectl get datavolume -n apps vm-cirros-rootdisk vm-cirros-data vm-cirros-logs"), notes);

    // The root disk back on containerDisk at install time: the disk that follows it goes along, logs stays.
    vm = vm(template(chart).set("vm.storage.type", "containerDisk"));
    assertEquals(1, vm.at("/spec/dataVolumeTemplates").size());
    assertEquals("vm-cirros-logs", vm.at("/spec/dataVolumeTemplates/0/metadata/name").asText());
    assertEquals("registry.example.com/apps/data@" + digest,
        vm.at("/spec/template/spec/volumes/1/containerDisk/image").asText());

    // A longer vm.name at install time must still leave each DataVolume name a label.
    // (the same chart name: it replaces the chart above)
    Path longer = generate(cirros().storage("dataVolume").storageSize("2Gi")
        .addDisk(ChartDisk.named("archive-01").withStorage("", "1Gi", "")).build());
    assertEquals(2, vm(template(longer).set("vm.name", "v".repeat(52))).at("/spec/dataVolumeTemplates").size());
    Exception e = assertThrows(Exception.class, () -> template(longer).set("vm.name", "v".repeat(53)).call());
    assertTrue(e.getMessage().contains("the DataVolume name " + "v".repeat(53) + "-archive-01 is longer than 63"
        + " characters: shorten vm.name"), e.getMessage());
  }

  @Test
  void setChangesOneDiskOrNicAtInstallTime() throws Exception {
    Path chart = generate(twoDisksTwoNics().build());
    JsonNode t = vm(template(chart)
        .set("vm.disks.data.bus", "scsi")
        .set("vm.disks.data.storage.type", "dataVolume")
        .set("vm.disks.data.storage.size", "3Gi")
        .set("vm.disks.data.image.tag", "v2")
        .set("vm.interfaces.net1.network", "infra/vlan-20")
        .set("vm.interfaces.net1.model", "virtio")
        .set("vm.interfaces.default.macAddress", "")).at("/spec");
    assertEquals("scsi", t.at("/template/spec/domain/devices/disks/1/disk/bus").asText());
    assertEquals("virtio", t.at("/template/spec/domain/devices/disks/0/disk/bus").asText(), "the root disk unchanged");
    assertEquals(1, t.at("/dataVolumeTemplates").size(), "only the data disk is imported");
    assertEquals("vm-cirros-data", t.at("/dataVolumeTemplates/0/metadata/name").asText());
    assertEquals("docker://quay.io/kubevirt/cirros-container-disk-demo-data:v2",
        t.at("/dataVolumeTemplates/0/spec/source/registry/url").asText());
    assertEquals("3Gi", t.at("/dataVolumeTemplates/0/spec/storage/resources/requests/storage").asText());
    assertEquals(CIRROS_IMAGE, t.at("/template/spec/volumes/0/containerDisk/image").asText());
    assertEquals("vm-cirros-data", t.at("/template/spec/volumes/1/dataVolume/name").asText());
    assertEquals("infra/vlan-20", t.at("/template/spec/networks/1/multus/networkName").asText());
    assertEquals("virtio", t.at("/template/spec/domain/devices/interfaces/1/model").asText());
    assertEquals(MAC2, t.at("/template/spec/domain/devices/interfaces/1/macAddress").asText(), "the rest of the NIC kept");
    assertTrue(t.at("/template/spec/domain/devices/interfaces/0/macAddress").isMissingNode(), "empty: KubeVirt's MAC");
    assertEquals("e1000e", t.at("/template/spec/domain/devices/interfaces/0/model").asText());

    // vm.diskBus is also the bus of a disk whose bus is empty; the whole VM to dataVolume needs each size.
    Path inherit = generate(cirros().addDisk(ChartDisk.named("data").withStorage("", "4Gi", "")).build());
    t = vm(template(inherit).set("vm.diskBus", "sata").set("vm.storage.type", "dataVolume")
        .set("vm.storage.size", "2Gi")).at("/spec");
    assertEquals("sata", t.at("/template/spec/domain/devices/disks/1/disk/bus").asText());
    assertEquals(2, t.at("/dataVolumeTemplates").size());
    assertEquals("4Gi", t.at("/dataVolumeTemplates/1/spec/storage/resources/requests/storage").asText());
    Exception e = assertThrows(Exception.class, () -> template(inherit).set("vm.storage.type", "dataVolume")
        .set("vm.storage.size", "2Gi").set("vm.disks.data.storage.size", "").call());
    assertTrue(e.getMessage().contains("vm.disks.data.storage.size is required with dataVolume storage,"
        + " e.g. --set vm.disks.data.storage.size=10Gi"), e.getMessage());
  }

  @Test
  void aNicWithoutNetworkFailsTheInstallUntilOneIsSet() throws Exception {
    Path chart = generate(cirros().nics(List.of(new ChartNic("", "", "", ""), new ChartNic("lan", "e1000", "", ""))).build());
    // helm lint renders `required` values as empty (lint mode), so the chart itself is fine.
    assertLintPasses(chart);
    Exception e = assertThrows(Exception.class, () -> template(chart).call());
    assertTrue(e.getMessage().contains("vm.interfaces.lan.network is empty: set the Multus NetworkAttachmentDefinition"
        + " ([namespace/]name) this NIC attaches to, e.g. --set vm.interfaces.lan.network=my-network"), e.getMessage());
    e = assertThrows(Exception.class, () -> installOutput(chart));
    assertTrue(e.getMessage().contains("vm.interfaces.lan.network is empty"), e.getMessage());
    JsonNode t = vm(template(chart).set("vm.interfaces.lan.network", "lan-net")).at("/spec/template/spec");
    assertEquals("lan-net", t.at("/networks/1/multus/networkName").asText());
    assertEquals("lan", t.at("/domain/devices/interfaces/1/name").asText());
    assertTrue(t.at("/domain/devices/interfaces/0/model").isMissingNode(), "empty model: KubeVirt's default");
    assertTrue(t.at("/domain/devices/interfaces/0/macAddress").isMissingNode());
    String notes = installOutput(chart, "vm.interfaces.lan.network", "lan-net");
    assertTrue(notes.contains("lan on the Multus network lan-net") && notes.contains("network-attachment-definitions"), notes);
  }

  @Test
  void oneDescribedNicKeepsThePodNetworkAlone() throws Exception {
    Path chart = generate(cirros().addNic(new ChartNic(null, "e1000", "52:54:00:12:34:56", null)).build());
    assertLintPasses(chart);
    JsonNode t = vm(template(chart)).at("/spec/template/spec");
    assertEquals(1, t.at("/domain/devices/interfaces").size());
    assertEquals("e1000", t.at("/domain/devices/interfaces/0/model").asText());
    assertEquals("52:54:00:12:34:56", t.at("/domain/devices/interfaces/0/macAddress").asText());
    assertEquals(1, t.at("/networks").size());
    assertTrue(t.at("/domain/devices/disks/0/bootOrder").isMissingNode(), "one disk: no boot order, as before");
    assertFalse(Files.readString(chart.resolve("values.yaml")).contains("network:"));
    assertFalse(installOutput(chart).contains("Multus"));
    // A plain NIC given explicitly is the chart of no NIC at all.
    assertEquals(Files.readString(generate(cirros().build()).resolve("values.yaml")),
        Files.readString(generate(cirros().addNic(new ChartNic("default", "", "", "")).build()).resolve("values.yaml")));
  }

  @Test
  void aBootDiskOnUsbIsAllowedWhereTheChartIsNew() throws Exception {
    // Built with usb (a VM model may boot from a USB disk): the one-disk chart takes it.
    Path usb = generate(cirros().diskBus("usb").build());
    assertLintPasses(usb);
    JsonNode t = vm(template(usb)).at("/spec/template/spec");
    assertEquals("usb", t.at("/domain/devices/disks/0/disk/bus").asText());
    assertEquals("usb", t.at("/domain/devices/disks/1/disk/bus").asText(), "the cloud-init disk follows vm.diskBus");
    assertTrue(Files.readString(usb.resolve("values.yaml")).contains("virtio, sata or scsi, or usb."));
    // A one-disk chart built otherwise keeps the schema it always had; one of several disks takes usb.
    Path classic = generate(cirros().build());
    Exception e = assertThrows(Exception.class, () -> template(classic).set("vm.diskBus", "usb").call());
    assertTrue(e.getMessage().contains("schema") && e.getMessage().contains("/vm/diskBus"), e.getMessage());
    Path several = generate(twoDisksTwoNics().build());
    t = vm(template(several).set("vm.diskBus", "usb").set("vm.interfaces.net1.network", "x")).at("/spec/template/spec");
    assertEquals("usb", t.at("/domain/devices/disks/0/disk/bus").asText());
    assertEquals("sata", t.at("/domain/devices/disks/1/disk/bus").asText(), "its own bus");
  }

  @Test
  void valuesThatBreakTheSchemaAreRejectedByHelm() throws Exception {
    Path chart = generate(twoDisksTwoNics().build());
    String[][] bad = { // key, value, what Helm's schema error must name
        {"vm.disks.dta.bus", "sata", "additional properties 'dta'"},                 // not one of the VM's disks
        {"vm.disks.data.bus", "ide", "/vm/disks/data/bus"},                           // KubeVirt has no IDE
        {"vm.disks.data.buss", "sata", "additional properties 'buss'"},
        {"vm.disks.data.storage.type", "pvc", "/vm/disks/data/storage/type"},
        {"vm.disks.data.storage.type", "dataVolume", "/vm/disks/data/storage/size"},  // no size
        {"vm.disks.data.storage.size", "5 GB", "/vm/disks/data/storage/size"},
        {"vm.disks.data.image.digest", "sha256:12", "/vm/disks/data/image/digest"},
        {"vm.disks.data.image.repository", "Quay.io/x", "/vm/disks/data/image/repository"},
        {"vm.disks.data", "null", "missing property 'data'"},
        {"vm.interfaces.net2.model", "virtio", "additional properties 'net2'"},
        {"vm.interfaces.net1.model", "vmxnet3", "/vm/interfaces/net1/model"},          // VMware's, not KubeVirt's
        {"vm.interfaces.net1.macAddress", "01:00:5e:00:00:01", "/vm/interfaces/net1/macAddress"}, // multicast
        {"vm.interfaces.net1.macAddress", "00:50:56:aa:bb", "/vm/interfaces/net1/macAddress"},
        {"vm.interfaces.net1.network", "VLAN_10", "/vm/interfaces/net1/network"},
        {"vm.interfaces.default.network", "vlan-10", "additional properties 'network'"}, // the pod network's NIC
        {"vm.extraDisks[0].name", "data", "/vm/extraDisks/0"},                        // a VM disk's name
    };
    for (String[] kv : bad) {
      Exception e = assertThrows(Exception.class, () -> template(chart).set(kv[0], kv[1]).call(), kv[0] + "=" + kv[1]);
      assertTrue(e.getMessage().contains("schema") && e.getMessage().contains(kv[2]), kv[0] + ": " + e.getMessage());
    }
    // Dash-separated upper-case MACs are KubeVirt's too.
    assertEquals("00-50-56-AA-BB-03", vm(template(chart).set("vm.interfaces.net1.macAddress", "00-50-56-AA-BB-03"))
        .at("/spec/template/spec/domain/devices/interfaces/1/macAddress").asText());
    // A values file naming an extra disk like a VM disk is caught by the template too (the schema sees no list names).
    Path clash = Files.writeString(tmp.resolve("clash.yaml"), "vm:\n  extraDisks:\n    - {name: scratch, emptyDiskCapacity: 1Gi}\n"
        + "    - {name: scratch, emptyDiskCapacity: 2Gi}\n");
    Exception e = assertThrows(Exception.class, () -> template(chart).withValuesFile(clash).call());
    assertTrue(e.getMessage().contains("the disk name scratch is used twice (rootdisk, cloudinitdisk and the names in"
        + " vm.disks are the chart's own)"), e.getMessage());
  }

  @Test
  void userValuesMayChangeTheVmDisksButNotAddOne() throws Exception {
    Path user = Files.createDirectories(tmp.resolve("user-helm"));
    Files.writeString(user.resolve("values.yaml"), "vm:\n  disks:\n    data:\n      bus: scsi\n");
    Path chart = generate(twoDisksTwoNics().userChartDirectory(user).build());
    assertLintPasses(chart);
    assertEquals("scsi", vm(template(chart)).at("/spec/template/spec/domain/devices/disks/1/disk/bus").asText());
    Files.writeString(user.resolve("values.yaml"), "vm:\n  disks:\n    logs:\n      bus: scsi\n");
    ChartConfigException e = assertThrows(ChartConfigException.class,
        () -> generate(twoDisksTwoNics().userChartDirectory(user).build()));
    assertTrue(e.getMessage().contains("vm.disks.logs") && e.getMessage().contains("[data]"), e.getMessage());
  }
}
