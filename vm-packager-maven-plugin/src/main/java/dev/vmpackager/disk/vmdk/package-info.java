/**
 * VMDK reader: hosted sparse extents ("KDMV", versions 1 to 3, zeroed-grain GTEs,
 * streamOptimized in qemu's and VMware's layouts) and text descriptors naming flat, sparse and
 * zero extents (monolithicFlat, twoGbMaxExtentSparse/Flat, vmfs). Extent files are resolved only
 * inside the source's folder; differencing disks are read through their parent only with the
 * external-files opt-in.
 *
 * <p>References: VMware Virtual Disk Format 5.0 and qemu {@code block/vmdk.c}; see
 * {@code shared/reference/disk-formats.md} section 3.
 */
package dev.vmpackager.disk.vmdk;
