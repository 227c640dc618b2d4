package dev.vmpackager.chart;

/**
 * A port the VM serves: an interface port of the VirtualMachine and a port of the chart's Service.
 *
 * @param name an IANA service name, e.g. {@code http}
 * @param port 1 to 65535
 * @param protocol {@code TCP}, {@code UDP} or {@code SCTP}
 */
public record ServicePort(String name, int port, String protocol) {}
