package dev.vmpackager.vm;

import java.util.Objects;
import java.util.Optional;

/**
 * A network adapter as a VM description lists it.
 *
 * @param model the emulated model
 * @param macAddress the MAC address the source fixed, lower case with colons
 *     ({@code 00:50:56:aa:bb:cc}), or empty when the hypervisor generates one at every start
 * @param network the source network's name (a libvirt network, a VMware port group, an OVF
 *     {@code Connection}), empty when none is named
 * @param element where in the description the NIC is declared (for messages)
 */
public record DescribedNic(NicModel model, Optional<String> macAddress, Optional<String> network, String element) {

  /** Checks the fields are present. */
  public DescribedNic {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(macAddress, "macAddress");
    Objects.requireNonNull(network, "network");
    Objects.requireNonNull(element, "element");
  }
}
