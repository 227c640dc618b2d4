package dev.vmpackager.image;

import java.util.Objects;

/**
 * The containerDisk layer blob as written: its digest, diff id (digest of the uncompressed tar) and
 * size, and how it is compressed (which decides its media type).
 *
 * @param digest {@code sha256:...} of the blob
 * @param diffId {@code sha256:...} of the uncompressed tar; equal to {@code digest} when uncompressed
 * @param size the blob's size in bytes
 * @param compression GZIP, ZSTD or NONE
 */
record LayerInfo(String digest, String diffId, long size, LayerCompression compression) {

  LayerInfo {
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(diffId, "diffId");
    Objects.requireNonNull(compression, "compression");
  }

  /** @return the hex part of the digest, the blob's file name in an OCI layout */
  String hex() {
    return digest.substring(digest.indexOf(':') + 1);
  }

  /**
   * @param format the manifest format
   * @return the layer media type for that format and this compression
   */
  String mediaType(ManifestFormat format) {
    if (format == ManifestFormat.OCI) {
      return switch (compression) {
        case GZIP -> "application/vnd.oci.image.layer.v1.tar+gzip";
        case ZSTD -> "application/vnd.oci.image.layer.v1.tar+zstd";
        case NONE -> "application/vnd.oci.image.layer.v1.tar";
      };
    }
    return switch (compression) {
      case GZIP -> "application/vnd.docker.image.rootfs.diff.tar.gzip";
      case NONE -> "application/vnd.docker.image.rootfs.diff.tar";
      // ContainerDiskSpec refuses the combination; this is the last line of defence.
      case ZSTD -> throw new IllegalStateException("Docker manifests have no zstd layer media type");
    };
  }
}
