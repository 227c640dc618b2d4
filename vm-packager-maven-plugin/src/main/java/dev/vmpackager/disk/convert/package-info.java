/**
 * Disk conversion to qcow2 or raw: {@link dev.vmpackager.disk.convert.DiskConverter} with an
 * immutable {@link dev.vmpackager.disk.convert.ConversionRequest}, a parallel pure-Java engine with
 * bounded memory, an optional qemu-img engine, atomic output and an up-to-date check.
 */
package dev.vmpackager.disk.convert;
