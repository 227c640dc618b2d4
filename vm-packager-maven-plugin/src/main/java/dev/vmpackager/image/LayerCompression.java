package dev.vmpackager.image;

import java.util.Locale;

/** How the containerDisk layer is compressed ({@code vm.layerCompression}). */
public enum LayerCompression {

  /** Deflated on every core into one gzip stream (the default: every runtime reads it). */
  GZIP,

  /**
   * Compressed on every core into one zstd stream of independent frames (media type
   * {@code application/vnd.oci.image.layer.v1.tar+zstd}; read by containerd 1.5+, CRI-O and CDI
   * 1.57+; OCI manifests only): about 3 times faster than gzip and smaller.
   */
  ZSTD,

  /**
   * Not compressed: the layer is the plain tar (media type {@code application/vnd.oci.image.layer.v1.tar},
   * or Docker's {@code ...rootfs.diff.tar}), hashed once (its digest is its diff id); it costs about
   * a copy and is as large as the disk.
   */
  NONE;

  /**
   * @param value {@code gzip}, {@code zstd} or {@code none}, any case
   * @return the constant
   * @throws IllegalArgumentException naming the accepted values
   */
  public static LayerCompression parse(String value) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "gzip", "" -> GZIP;
      case "zstd" -> ZSTD;
      case "none" -> NONE;
      default -> throw new IllegalArgumentException("must be gzip, zstd or none, not '" + value + "'");
    };
  }
}
