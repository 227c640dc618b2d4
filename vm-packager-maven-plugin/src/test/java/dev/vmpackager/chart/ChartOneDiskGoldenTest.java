package dev.vmpackager.chart;

import static dev.vmpackager.chart.ChartTesting.USB_LIST;
import static dev.vmpackager.chart.ChartTesting.cirros;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vmpackager.event.BuildListener;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A one-disk VM configured as before the chart learnt several disks and NICs renders the very same
 * chart bytes: every file of each case is compared with a golden copy made by the code before that
 * change ({@code src/test/resources/dev/vmpackager/chart/golden/}). The cases between them reach
 * every optional part of the templates, values and schema. To write the golden copies again (only
 * when a change of the one-disk chart is meant): {@code -Dchart.golden.write=src/test/resources/...}.
 */
class ChartOneDiskGoldenTest {

  private static final BuildListener QUIET = new BuildListener() {
    @Override public void info(String m) {}
    @Override public void warn(String m) {}
    @Override public void debug(String m) {}
  };

  private static ChartSpec spec(String name) throws ChartConfigException {
    return switch (name) {
      case "cirros" -> cirros().build();
      case "datavolume-efi" -> cirros().storage("dataVolume").storageSize("2Gi").storageClass("fast-ssd")
          .storagePullMethod("pod").storageSecretRef("registry-credentials").storageCertConfigMap("registry-ca")
          .firmware("efi").secureBoot(true).machineType("q35").cpuCores(2).cpuSockets(2).cpuThreads(2)
          .cpuModel("host-passthrough").memory("2Gi").diskBus("scsi").runStrategy("RerunOnFailure")
          .addPort(new ServicePort("http", 80, "TCP")).addPort(new ServicePort("dns", 53, "UDP"))
          .serviceType("NodePort").image("registry.example.com/apps/cirros:1.2.3@sha256:" + "12".repeat(32))
          .build();
      case "extra-usb-configdrive" -> cirros().cloudInitUserData(null)
          .cloudInitNetworkData("version: 2\nethernets:\n  enp1s0:\n    dhcp4: true\n").cloudInitType("configDrive")
          .addExtraDisk(new ExtraDisk("scratch", null, "10Gi", null))
          .addExtraDisk(new ExtraDisk("data", "sata", null, "app-data"))
          .usbList(USB_LIST).addUsbDevice(new UsbDeviceRequest("kubevirt.io/wifi-dongle", 2, null))
          .nodeSelector("kubernetes.io/arch", "amd64").preference("fedora", null)
          .home("https://example.com/vm").addSource("https://example.com/vm.git")
          .addMaintainer(new Maintainer("Jane Doe", "jane@example.com", "https://example.com/jane"))
          .build();
      case "instancetype" -> ChartTesting.unsizedCirros().instancetype("u1.medium", "VirtualMachineInstancetype")
          .imagePullPolicy("Always").build();
      default -> throw new IllegalArgumentException(name);
    };
  }

  @ParameterizedTest
  @ValueSource(strings = {"cirros", "datavolume-efi", "extra-usb-configdrive", "instancetype"})
  void oneDiskChartIsByteIdenticalToBefore(String name) throws Exception {
    StringBuilder actual = new StringBuilder();
    for (Map.Entry<String, byte[]> e : new ChartGenerator(QUIET).files(spec(name)).entrySet()) {
      actual.append("=== ").append(e.getKey()).append('\n').append(new String(e.getValue(), StandardCharsets.UTF_8));
    }
    String write = System.getProperty("chart.golden.write");
    if (write != null) {
      Path f = Paths.get(write).resolve(name + ".txt");
      Files.createDirectories(f.getParent());
      Files.writeString(f, actual);
    }
    try (InputStream in = ChartOneDiskGoldenTest.class.getResourceAsStream("golden/" + name + ".txt")) {
      assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), actual.toString(), name);
    }
  }
}
