package dev.vmpackager.chart;

import static dev.vmpackager.chart.ChartTesting.USB_LIST;
import static dev.vmpackager.chart.ChartTesting.cirros;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * values.yaml and values.schema.json are written in the iteration order of their trees, so every
 * map in them must have a fixed order (insertion or sorted). A {@code Map.of} would iterate in an
 * order salted per JVM: {@code ReproducibleAcrossJvmsTest} catches that only when the salts of its
 * JVMs happen to differ, this test every time.
 */
class ChartValuesOrderTest {

  @TempDir Path tmp;

  @Test
  void everyMapInTheValuesAndSchemaHasAFixedOrder() throws Exception {
    Path user = Files.createDirectories(tmp.resolve("helm"));
    Files.writeString(user.resolve("values.yaml"), """
        vm:
          disks: {logs: {storage: {size: 1Gi, type: dataVolume}}}
          tolerations: [{key: a, operator: Exists}]
          nodeSelector: {disk: ssd, zone: a}
        monitoring: {enabled: true, labels: {team: vms, tier: backend}}
        """);
    ChartSpec spec = cirros().nodeSelector("kubernetes.io/arch", "amd64").nodeSelector("disk", "hdd")
        .firmware("efi").secureBoot(true).storage("dataVolume").storageSize("10Gi")
        .addExtraDisk(new ExtraDisk("scratch", "", "1Gi", "")).usbList(USB_LIST)
        .addUsbDevice(new UsbDeviceRequest("kubevirt.io/wifi-dongle", 2, null))
        .addPort(new ServicePort("http", 80, "TCP")).userChartDirectory(user)
        .addDisk(ChartDisk.named("data").withStorage("", "5Gi", "")).addDisk(ChartDisk.named("logs").withBus("sata").withStorage("containerDisk", "", ""))
        .nics(List.of(new ChartNic("", "e1000e", "00:50:56:aa:bb:cc", ""), new ChartNic("", "", "", "vlan-10")))
        .build();
    ChartValues values = ChartValues.of(spec);
    values.mergeOverrides(user.resolve("values.yaml"));
    List<String> unordered = new ArrayList<>();
    unordered(values.tree(), "values", unordered);
    unordered(values.schemaTree(spec), "schema", unordered);
    unordered(values.comments(), "comments", unordered);
    assertEquals(List.of(), unordered, "maps without a fixed iteration order");
  }

  private static void unordered(Object node, String path, List<String> out) {
    if (node instanceof Map<?, ?> m) {
      if (!(m instanceof LinkedHashMap<?, ?> || m instanceof SortedMap<?, ?>)) {
        out.add(path + " (" + m.getClass().getName() + ")");
      }
      m.forEach((k, v) -> unordered(v, path + "." + k, out));
    } else if (node instanceof List<?> l) {
      for (int i = 0; i < l.size(); i++) {
        unordered(l.get(i), path + "[" + i + "]", out);
      }
    }
  }
}
