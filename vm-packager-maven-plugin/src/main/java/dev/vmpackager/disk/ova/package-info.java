/**
 * OVA reader: the ustar archive is indexed in place (headers only, no extraction), the OVF
 * descriptor names the disk, the manifest's SHA-1/SHA-256/SHA-512 digests are checked, and the
 * disk entry is opened as a window of the archive by the format's own driver (VMDK by default).
 *
 * <p>References: DMTF DSP0243 (OVF), POSIX ustar / pax; see {@code shared/reference/disk-formats.md}
 * section 8.
 */
package dev.vmpackager.disk.ova;
