/**
 * qemu's QED reader, after qemu's {@code docs/interop/qed_spec.rst}: two-level tables of
 * {@code table_size} clusters, data pointer 1 as a zero cluster. Images with a backing file are
 * refused.
 */
package dev.vmpackager.disk.qed;
