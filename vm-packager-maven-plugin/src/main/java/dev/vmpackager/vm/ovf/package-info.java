/**
 * OVF descriptors (DMTF DSP0243 1.x and 2.x), inside an OVA or loose beside their disks: the
 * VirtualSystem's CPU, memory, disks on their controllers in boot order, NICs, guest OS,
 * deployment options, and VMware's ({@code vmw:Config}) and VirtualBox's ({@code vbox:Machine})
 * extensions for firmware and Secure Boot.
 *
 * <p>Reference: {@code shared/reference/vm-descriptions.md} sections 2 and 7; VirtualBox's
 * {@code ovfreader.cpp} and virt-v2v's {@code input/OVF.ml} for how real OVFs are read.
 */
package dev.vmpackager.vm.ovf;
