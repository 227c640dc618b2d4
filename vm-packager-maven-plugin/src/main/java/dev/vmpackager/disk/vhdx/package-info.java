/**
 * Microsoft VHDX reader, after MS-VHDX 1.0 and qemu's {@code block/vhdx.c} and
 * {@code block/vhdx-log.c}: CRC-32C checked headers and region tables, metadata items, a BAT with
 * sector-bitmap entries interleaved every chunk ratio entries, and in-memory replay of a pending
 * log (the source is never written). Differencing images are refused.
 */
package dev.vmpackager.disk.vhdx;
