package dev.vmpackager.chart;

/**
 * One {@code <usbDevices><device>} as the user wrote it: {@code count} devices of a resource, or
 * one device with an explicit name.
 *
 * @param resource the extended resource name, e.g. {@code kubevirt.io/wifi-dongle}
 * @param count how many devices of it the VM gets (at least 1)
 * @param name an explicit host device name, or {@code null} to derive one from the resource
 */
public record UsbDeviceRequest(String resource, int count, String name) {}
