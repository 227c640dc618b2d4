package dev.vmpackager.mojo;

/**
 * One {@code <device>} of {@code <usbDevices>}: {@code count} devices of a resource declared in
 * {@code usbList}, or one device with an explicit {@code name}.
 */
public class UsbDeviceConfig {

  /** The resource name, e.g. {@code kubevirt.io/wifi-dongle}. */
  private String resource;

  /** How many such devices the VM gets (default 1). */
  private int count = 1;

  /** An explicit host device name; default derived from the resource ({@code wifi-dongle-1}...). */
  private String name;

  public String getResource() {
    return resource;
  }

  public int getCount() {
    return count;
  }

  public String getName() {
    return name;
  }
}
