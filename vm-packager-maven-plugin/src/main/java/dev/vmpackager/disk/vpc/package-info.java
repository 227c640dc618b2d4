/**
 * Microsoft VHD reader ("vpc" in qemu), after the Virtual Hard Disk Image Format Specification and
 * qemu's {@code block/vpc.c}: fixed disks (footer at the end only), dynamic disks (footer copy at 0,
 * {@code cxsparse} header, BAT of sector offsets, sector bitmap before each block). The guest size
 * follows qemu's creator-application rule (CHS geometry for Virtual PC and old qemu, current_size
 * for the rest). Differencing disks are refused.
 */
package dev.vmpackager.disk.vpc;
