package dev.vmpackager.chart;

/**
 * One tuple of {@code usbList}: a USB device the cluster exposes as an extended resource, matched
 * by vendor and product id (KubeVirt's {@code permittedHostDevices.usb[]} entry with one selector).
 *
 * @param resourceName the extended resource name, e.g. {@code kubevirt.io/wifi-dongle}
 * @param vendor the USB vendor id, 4 lower-case hex digits without {@code 0x}
 * @param product the USB product id, 4 lower-case hex digits without {@code 0x}
 */
public record UsbResource(String resourceName, String vendor, String product) {

  /** @return the part of the resource name after the domain, e.g. {@code wifi-dongle} */
  public String shortName() {
    return resourceName.substring(resourceName.indexOf('/') + 1);
  }

  /** @return the tuple as {@code usbList} writes it: {@code resource;vendor;product} */
  @Override
  public String toString() {
    return resourceName + ";" + vendor + ";" + product;
  }
}
