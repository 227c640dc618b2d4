package dev.vmpackager.io;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256, the digest OCI content is named by. */
public final class Digests {

  private Digests() {}

  /** @return a new SHA-256 digest */
  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JDK", e);
    }
  }

  /** @return {@code sha256:<hex>} of the bytes, as OCI descriptors write it */
  public static String sha256(byte[] bytes) {
    return ociDigest(sha256().digest(bytes));
  }

  /** @return {@code sha256:<hex>} of a finished SHA-256 */
  public static String ociDigest(byte[] sha256) {
    return "sha256:" + HexFormat.of().formatHex(sha256);
  }
}
