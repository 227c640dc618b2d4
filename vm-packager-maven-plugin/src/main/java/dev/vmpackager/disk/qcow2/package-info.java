/**
 * qcow2 read (v2/v3, any cluster size, deflate/zstd compressed clusters, extended L2, backing files
 * inside the source's folder) and write (v3, 64 KiB clusters). The format is described in qemu's
 * <a href="https://gitlab.com/qemu-project/qemu/-/blob/master/docs/interop/qcow2.rst">docs/interop/qcow2.rst</a>.
 */
package dev.vmpackager.disk.qcow2;
