package dev.vmpackager.image;

import java.util.Locale;

/** How the containerDisk layer is compressed ({@code vm.layerCompression}). */
public enum LayerCompression {

  /** Deflated on every core into one gzip stream (the default). */
  GZIP,

  /**
   * Not compressed: the tar goes into a gzip container of stored (uncompressed) deflate blocks, so
   * the layer keeps its {@code tar+gzip} media type truthfully and costs about a copy.
   */
  NONE;

  /**
   * @param value {@code gzip} or {@code none}, any case
   * @return the constant
   * @throws IllegalArgumentException naming the accepted values
   */
  public static LayerCompression parse(String value) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "gzip", "" -> GZIP;
      case "none" -> NONE;
      default -> throw new IllegalArgumentException("must be gzip or none, not '" + value + "'");
    };
  }
}
