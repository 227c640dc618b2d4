package dev.vmpackager.chart;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/** usbList parsing and host device naming. */
class UsbListTest {

  private static final String EXAMPLE = "kubevirt.io/wifi-dongle;0bda;0811,kubevirt.io/gsm-dongle;0bda;2838";

  @Test
  void parsesTheVirtualizationPackagesString() throws Exception {
    List<UsbResource> l = UsbList.parse(EXAMPLE);
    assertEquals(List.of(new UsbResource("kubevirt.io/wifi-dongle", "0bda", "0811"),
        new UsbResource("kubevirt.io/gsm-dongle", "0bda", "2838")), l);
    assertEquals(EXAMPLE, UsbList.format(l));
    assertEquals("0bda", UsbList.parse("example.com/x;0BDA;ABCD").get(0).vendor(), "ids in lower case");
    assertTrue(UsbList.parse("").isEmpty());
    assertTrue(UsbList.parse(null).isEmpty());
  }

  @Test
  void malformedListsAreRefusedWithTheAllowedForm() {
    String[][] cases = {
        {"kubevirt.io/wifi-dongle;0x0bda;0811", "vendor id '0x0bda'"},
        {"kubevirt.io/wifi-dongle;bda;0811", "vendor id 'bda'"},
        {"kubevirt.io/wifi-dongle;0bda;08111", "product id '08111'"},
        {"kubevirt.io/wifi-dongle;0bda;08g1", "product id '08g1'"},
        {"wifi-dongle;0bda;0811", "extended resource name"},
        {"kubevirt.io/;0bda;0811", "extended resource name"},
        {"kubevirt.io/wifi-dongle;0bda", "2 field(s)"},
        {"kubevirt.io/wifi-dongle;0bda;0811;x", "4 field(s)"},
        {"kubevirt.io/wifi-dongle;0bda;0811, kubevirt.io/gsm-dongle;0bda;2838", "whitespace"},
        {"kubevirt.io/wifi-dongle;0bda;0811,", "empty tuple"},
        {"kubevirt.io/wifi-dongle;0bda;0811,kubevirt.io/wifi-dongle;0bda;0812", "declared twice"},
        {"kubevirt.io/wifi-dongle:0bda:0811", "1 field(s)"},
    };
    for (String[] c : cases) {
      ChartConfigException e = assertThrows(ChartConfigException.class, () -> UsbList.parse(c[0]), c[0]);
      assertTrue(e.getMessage().startsWith("<usbList> (vm.usbList) is malformed"), e.getMessage());
      assertTrue(e.getMessage().contains(c[1]), c[1] + " in: " + e.getMessage());
      assertTrue(e.getMessage().contains("Allowed form"), e.getMessage());
      assertEquals("<usbList> (vm.usbList)", e.parameter());
    }
  }

  @Test
  void devicesGetUniqueReadableNames() throws Exception {
    List<UsbResource> declared = UsbList.parse(EXAMPLE);
    List<HostDevice> d = UsbList.hostDevices(List.of(
        new UsbDeviceRequest("kubevirt.io/wifi-dongle", 3, null),
        new UsbDeviceRequest("kubevirt.io/gsm-dongle", 1, null)), declared);
    assertEquals(List.of(new HostDevice("wifi-dongle-1", "kubevirt.io/wifi-dongle"),
        new HostDevice("wifi-dongle-2", "kubevirt.io/wifi-dongle"),
        new HostDevice("wifi-dongle-3", "kubevirt.io/wifi-dongle"),
        new HostDevice("gsm-dongle", "kubevirt.io/gsm-dongle")), d);
    // Numbering continues across entries of one resource; explicit names are kept.
    d = UsbList.hostDevices(List.of(
        new UsbDeviceRequest("kubevirt.io/wifi-dongle", 1, null),
        new UsbDeviceRequest("kubevirt.io/wifi-dongle", 1, null),
        new UsbDeviceRequest("kubevirt.io/gsm-dongle", 1, "modem")), declared);
    assertEquals(List.of("wifi-dongle-1", "wifi-dongle-2", "modem"), d.stream().map(HostDevice::name).toList());
    assertEquals("usb-stick", UsbList.hostDevices(List.of(new UsbDeviceRequest("example.com/USB_Stick", 1, null)),
        UsbList.parse("example.com/USB_Stick;1234;abcd")).get(0).name());
  }

  @Test
  void badDeviceRequestsNameTheProblem() throws Exception {
    List<UsbResource> declared = UsbList.parse(EXAMPLE);
    ChartConfigException e = assertThrows(ChartConfigException.class, () -> UsbList.hostDevices(
        List.of(new UsbDeviceRequest("kubevirt.io/bt-dongle", 1, null)), declared));
    assertTrue(e.getMessage().contains("'kubevirt.io/bt-dongle'") && e.getMessage().contains("usbList"), e.getMessage());
    e = assertThrows(ChartConfigException.class, () -> UsbList.hostDevices(
        List.of(new UsbDeviceRequest("kubevirt.io/gsm-dongle", 1, null)), List.of()));
    assertTrue(e.getMessage().contains("usbList is empty"), e.getMessage());
    e = assertThrows(ChartConfigException.class, () -> UsbList.hostDevices(
        List.of(new UsbDeviceRequest("kubevirt.io/gsm-dongle", 0, null)), declared));
    assertTrue(e.getMessage().contains("<count>"), e.getMessage());
    e = assertThrows(ChartConfigException.class, () -> UsbList.hostDevices(
        List.of(new UsbDeviceRequest("kubevirt.io/gsm-dongle", 2, "modem")), declared));
    assertTrue(e.getMessage().contains("<name>") && e.getMessage().contains("<count>"), e.getMessage());
    e = assertThrows(ChartConfigException.class, () -> UsbList.hostDevices(List.of(
        new UsbDeviceRequest("kubevirt.io/gsm-dongle", 1, "gsm"),
        new UsbDeviceRequest("kubevirt.io/wifi-dongle", 1, "gsm")), declared));
    assertTrue(e.getMessage().contains("two devices the name 'gsm'"), e.getMessage());
    e = assertThrows(ChartConfigException.class, () -> UsbList.hostDevices(
        List.of(new UsbDeviceRequest("kubevirt.io/gsm-dongle", 1, "Modem_1")), declared));
    assertTrue(e.getMessage().contains("DNS label"), e.getMessage());
    e = assertThrows(ChartConfigException.class, () -> UsbList.hostDevices(
        List.of(new UsbDeviceRequest(null, 1, null)), declared));
    assertTrue(e.getMessage().contains("<resource>"), e.getMessage());
  }
}
