package dev.vmpackager.image;

import java.util.Locale;

/** The image's manifest and config media types ({@code imageFormat}). */
public enum ManifestFormat {

  /** OCI image manifest and index (the default). */
  OCI,

  /** Docker image manifest v2 schema 2 and manifest list. */
  DOCKER;

  /**
   * @param value {@code OCI} or {@code Docker}, any case
   * @return the constant
   * @throws IllegalArgumentException naming the accepted values
   */
  public static ManifestFormat parse(String value) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "oci", "" -> OCI;
      case "docker" -> DOCKER;
      default -> throw new IllegalArgumentException("must be OCI or Docker, not '" + value + "'");
    };
  }
}
