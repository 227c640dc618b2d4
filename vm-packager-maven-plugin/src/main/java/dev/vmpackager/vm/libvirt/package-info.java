/**
 * Reads a libvirt domain XML as virt-manager or {@code virsh dumpxml} writes it
 * ({@link dev.vmpackager.vm.libvirt.LibvirtReader}).
 *
 * <p>Format: libvirt's {@code docs/formatdomain.rst}; which element means what, and the
 * defaults libvirt's QEMU driver applies where an element is missing, are in
 * {@code shared/reference/vm-descriptions.md} section 3 and in the reader's Javadoc.
 */
package dev.vmpackager.vm.libvirt;
