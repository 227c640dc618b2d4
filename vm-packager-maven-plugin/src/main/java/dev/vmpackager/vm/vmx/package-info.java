/**
 * Reads a VMware {@code .vmx} as Workstation, Fusion and ESXi write it
 * ({@link dev.vmpackager.vm.vmx.VmxReader}).
 *
 * <p>The format is not specified by VMware; the keys read, their defaults and the syntax follow
 * libvirt's {@code src/vmx/vmx.c} and virt-v2v's {@code input/parse_vmx.ml} and
 * {@code input/parse_domain_from_vmx.ml} ({@code shared/reference/vm-descriptions.md} section 4).
 */
package dev.vmpackager.vm.vmx;
