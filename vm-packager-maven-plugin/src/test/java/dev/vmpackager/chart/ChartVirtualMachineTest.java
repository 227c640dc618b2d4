package dev.vmpackager.chart;

import static dev.vmpackager.chart.ChartTesting.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import dev.vmpackager.event.BuildListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ChartVirtualMachine} renders, in Java, exactly the VirtualMachine that Helm renders from
 * the generated chart with its default values (without {@code dataVolumeTemplates}, which it leaves
 * out): every case below goes through real Helm (helm-java) and the two trees must be equal, value
 * types included (members of an object in any order).
 */
class ChartVirtualMachineTest {

  private static final String RELEASE = "rel";

  @TempDir Path tmp;

  static Stream<Arguments> specs() {
    return Stream.of(
        Arguments.of("cirros: one containerDisk, cloud-init", cirros()),
        Arguments.of("no cloud-init, an instancetype and a preference", unsizedCirros().cloudInitUserData(null)
            .instancetype("u1.small", null).preference("fedora", "VirtualMachinePreference")),
        Arguments.of("everything: two disks, two NICs, USB, ports, efi, extra disks, dataVolume, configDrive",
            cirros()
                .addDisk(ChartDisk.named("data").withBus("sata").withStorage("dataVolume", "3Gi", ""))
                .addDisk(ChartDisk.named("logs").withStorage("containerDisk", "", ""))
                .nics(List.of(new ChartNic("", "e1000e", "00:50:56:aa:bb:01", ""),
                    new ChartNic("", "", "", "vlan-10")))
                .usbList(USB_LIST)
                .addUsbDevice(new UsbDeviceRequest("kubevirt.io/wifi-dongle", 2, null))
                .addPort(new ServicePort("http", 8080, "TCP"))
                .addPort(new ServicePort("dns", 53, "UDP"))
                .firmware("efi").secureBoot(true).machineType("q35")
                .cpuSockets(2).cpuCores(2).cpuThreads(2).cpuModel("host-passthrough")
                .nodeSelector("kubernetes.io/arch", "amd64")
                .addExtraDisk(new ExtraDisk("scratch", "scsi", "1Gi", ""))
                .addExtraDisk(new ExtraDisk("shared", "", "", "shared-claim"))
                .storage("dataVolume").storageSize("2Gi")
                .cloudInitType("configDrive")
                .cloudInitNetworkData("version: 2\n")),
        Arguments.of("the deployer's cloud-init Secret", cirros().cloudInitUserData(null)
            .cloudInitExistingSecret("my-secret")),
        Arguments.of("a digest-pinned image and a usb disk bus", cirros().imageDigest("sha256:" + "a".repeat(64))
            .diskBus("usb")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void rendersWhatHelmRenders(String name, ChartSpec.Builder spec) throws Exception {
    assertSameAsHelm(spec.build());
  }

  @Test
  void theUsersValuesFileIsPartOfTheDefaults() throws Exception {
    Path user = Files.createDirectories(tmp.resolve("user"));
    Files.writeString(user.resolve("values.yaml"), """
        vm:
          memory: 3Gi
          cpuCores: 4
          tolerations:
            - {key: dedicated, operator: Equal, value: vms, effect: NoSchedule}
          affinity:
            nodeAffinity:
              requiredDuringSchedulingIgnoredDuringExecution:
                nodeSelectorTerms:
                  - matchExpressions:
                      - {key: zone, operator: In, values: [a, b]}
        service:
          ports:
            - {name: ssh, port: 22}
        """);
    JsonNode vm = assertSameAsHelm(cirros().userChartDirectory(user).build());
    assertEquals("3Gi", vm.at("/spec/template/spec/domain/memory/guest").asText());
    assertEquals(4, vm.at("/spec/template/spec/domain/cpu/cores").asInt());
  }

  @Test
  void defaultsHelmRefusesAreRefused() throws Exception {
    Path user = Files.createDirectories(tmp.resolve("bad"));
    Files.writeString(user.resolve("values.yaml"), "vm:\n  secureBoot: true\n");
    ChartConfigException e = assertThrows(ChartConfigException.class,
        () -> ChartVirtualMachine.render(cirros().userChartDirectory(user).build(), RELEASE));
    assertTrue(e.getMessage().contains("vm.secureBoot=true needs vm.firmware=efi"), e.getMessage());
    ChartConfigException nic = assertThrows(ChartConfigException.class, () -> ChartVirtualMachine.render(
        cirros().nics(List.of(new ChartNic("", "", "", ""), new ChartNic("", "", "", ""))).build(), RELEASE));
    assertTrue(nic.getMessage().contains("vm.interfaces.net1.network is empty"), nic.getMessage());
  }

  /** Renders the chart with Helm and in Java, and asserts the VirtualMachines are equal. */
  private JsonNode assertSameAsHelm(ChartSpec spec) throws Exception {
    Path chart = new ChartGenerator(BuildListener.NONE).generate(spec, Files.createDirectories(tmp.resolve("helm")));
    List<JsonNode> docs = documents(new Helm(chart).template().withKubeVersion(KUBE).withName(RELEASE).call());
    assertManifestsValid(docs);
    ObjectNode helm = (ObjectNode) only(docs, "VirtualMachine").deepCopy();
    ((ObjectNode) helm.path("spec")).remove("dataVolumeTemplates");
    JsonNode java = new ObjectMapper().valueToTree(ChartVirtualMachine.render(spec, RELEASE));
    // Object members compare in any order: Helm's toYaml sorts the keys of the user's own maps.
    assertEquals(helm, java, () -> "Helm:\n" + helm.toPrettyString() + "\nJava:\n" + java.toPrettyString());
    return java;
  }
}
