/**
 * VirtualBox VDI reader (dynamic and static images, version 1.1). Facts from qemu's
 * {@code block/vdi.c} and VirtualBox's layout: the block map holds indices into the data area,
 * {@code 0xFFFFFFFF} (never allocated) and {@code 0xFFFFFFFE} (discarded) read as zeros, each stored
 * block may be preceded by {@code block_extra} bytes, and odd disk sizes are rounded up to a sector
 * as qemu does. Differencing images are refused.
 */
package dev.vmpackager.disk.vdi;
