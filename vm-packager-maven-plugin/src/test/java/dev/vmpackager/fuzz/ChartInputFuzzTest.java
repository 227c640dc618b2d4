package dev.vmpackager.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vmpackager.chart.CloudInit;
import dev.vmpackager.chart.UsbList;
import dev.vmpackager.chart.UsbResource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzz tests of the chart's user inputs: the {@code usbList} string and the
 * cloud-init user-data and network-data files. Only {@code ChartConfigException} may escape.
 */
class ChartInputFuzzTest {

  /** usbList: parse, and what parses must format back to a string that parses the same. */
  @FuzzTest
  @Timeout(value = DiskFuzzTest.PER_INPUT_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void usbList(byte[] data) {
    String text = new String(data, StandardCharsets.UTF_8);
    FuzzCase.get().check(() -> {
      List<UsbResource> parsed = UsbList.parse(text);
      List<UsbResource> again = UsbList.parse(UsbList.format(parsed));
      if (!again.equals(parsed)) {
        throw new AssertionError("usbList '" + text + "' parses to " + parsed + " but its format to " + again);
      }
    }, FuzzCase.CHART);
  }

  /** cloud-init: the file read as user-data (then scanned for plain-text passwords) and as network-data. */
  @FuzzTest
  @Timeout(value = DiskFuzzTest.PER_INPUT_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void cloudInit(byte[] data) {
    FuzzCase fc = FuzzCase.get();
    fc.check(() -> {
      Path f = fc.write("user-data", data);
      String text = CloudInit.read(f);
      CloudInit.plainTextPasswords(text, f.getFileName().toString());
    }, FuzzCase.CHART);
    fc.check(() -> CloudInit.readNetworkData(fc.write("network-data", data)), FuzzCase.CHART);
  }
}
