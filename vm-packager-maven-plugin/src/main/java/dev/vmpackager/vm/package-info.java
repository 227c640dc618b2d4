/**
 * The VM as its own description says it is: hardware (CPU topology, memory, firmware, machine
 * type), its disks in boot order with the controllers they hang on, its NICs with their models and
 * MAC addresses, and the guest OS, read from an OVF (loose or inside an OVA), a libvirt domain
 * XML, a VMware {@code .vmx} or a VirtualBox {@code .vbox}.
 *
 * <p>{@link dev.vmpackager.vm.VmDescriptions#read} detects the kind of description and hands it
 * to its reader (one subpackage per format: {@code ovf}, {@code libvirt}, {@code vmx},
 * {@code vbox}); every reader returns a {@link dev.vmpackager.vm.VmDescription}, whose fields are
 * empty where the description is silent, so the POM and the defaults can fill them. Readers never
 * open a file outside the description's folder: disk paths that a hypervisor recorded as absolute
 * host paths are looked up by file name in that folder ({@link dev.vmpackager.vm.FolderFiles}).
 * XML is parsed with DTDs and external entities off ({@link dev.vmpackager.io.SafeXml}).
 *
 * <p>{@link dev.vmpackager.vm.VmResolver} combines the POM's settings ({@link dev.vmpackager.vm.PomVm}),
 * the description and the defaults into the {@link dev.vmpackager.vm.Vm} every goal packages: each
 * value a {@link dev.vmpackager.vm.Setting} that says where it came from, the disks
 * ({@link dev.vmpackager.vm.VmDisk}) with their KubeVirt buses, converted file names and images,
 * the NICs ({@link dev.vmpackager.vm.VmNic}) with their models, MAC addresses and networks.
 *
 * <p>Field-by-field sources and the KubeVirt mapping: {@code shared/reference/vm-descriptions.md}.
 */
package dev.vmpackager.vm;
