/**
 * The VirtualBox machine file ({@code .vbox}, settings format 1.x as VirtualBox 6 and 7 write it,
 * including 7.1's {@code Platform} element): CPU count, memory, firmware, chipset, the disks
 * attached to each storage controller (resolved through the machine's {@code MediaRegistry}), the
 * enabled network adapters, and the devices that cannot be carried over.
 *
 * <p>Reference: VirtualBox's {@code src/VBox/Main/xml/VirtualBox-settings.xsd};
 * {@code shared/reference/vm-descriptions.md} section 5.
 */
package dev.vmpackager.vm.vbox;
