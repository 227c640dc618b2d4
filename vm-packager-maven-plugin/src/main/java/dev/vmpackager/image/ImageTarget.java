package dev.vmpackager.image;

import java.util.Locale;

/** Where {@code containerize} puts the image ({@code vm.containerize.target}). */
public enum ImageTarget {

  /** An image tar file: an OCI archive ({@code oci-archive:}) or, in Docker format, a {@code docker-archive:}. */
  TAR,

  /** Straight to the registry named by the image reference. */
  REGISTRY,

  /** An OCI image layout folder ({@code oci:}). */
  OCI_LAYOUT;

  /**
   * @param value {@code tar}, {@code registry} or {@code oci-layout}
   * @return the constant
   * @throws IllegalArgumentException naming the accepted values
   */
  public static ImageTarget parse(String value) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "tar", "" -> TAR;
      case "registry" -> REGISTRY;
      case "oci-layout" -> OCI_LAYOUT;
      default -> throw new IllegalArgumentException("must be tar, registry or oci-layout, not '" + value + "'");
    };
  }
}
