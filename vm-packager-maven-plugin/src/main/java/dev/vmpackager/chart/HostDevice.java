package dev.vmpackager.chart;

/**
 * One {@code spec.domain.devices.hostDevices[]} entry of the VirtualMachine.
 *
 * @param name the entry's unique, readable name, e.g. {@code wifi-dongle-1}
 * @param resource the device plugin's resource name ({@code deviceName}), e.g. {@code kubevirt.io/wifi-dongle}
 */
public record HostDevice(String name, String resource) {}
