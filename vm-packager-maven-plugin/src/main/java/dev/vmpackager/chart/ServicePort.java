package dev.vmpackager.chart;

/**
 * A port the VM serves: an interface port of the VirtualMachine and a port of the chart's Service.
 *
 * @param name an IANA service name, e.g. {@code http}
 * @param port 1 to 65535
 * @param protocol {@code TCP} or {@code UDP} (KubeVirt interface ports take no other)
 */
public record ServicePort(String name, int port, String protocol) {}
