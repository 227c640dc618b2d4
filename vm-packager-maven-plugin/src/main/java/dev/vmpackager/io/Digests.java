package dev.vmpackager.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** SHA-256, the digest OCI content is named by, written {@code sha256:<64 lower-case hex digits>}. */
public final class Digests {

  /** A digest as OCI descriptors write it: {@code sha256:} and 64 lower-case hex digits, no more. */
  public static final String DIGEST_REGEX = "sha256:[0-9a-f]{64}";

  private static final Pattern DIGEST = Pattern.compile(DIGEST_REGEX);

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

  /**
   * @param file a file
   * @return {@code sha256:<hex>} of its content
   * @throws IOException when it cannot be read
   */
  public static String sha256(Path file) throws IOException {
    MessageDigest md = sha256();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[65536];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return ociDigest(md.digest());
  }

  /** @return {@code sha256:<hex>} of a finished SHA-256 */
  public static String ociDigest(byte[] sha256) {
    return "sha256:" + HexFormat.of().formatHex(sha256);
  }

  /**
   * @param text a string
   * @return whether it is exactly a digest ({@value #DIGEST_REGEX})
   */
  public static boolean isDigest(String text) {
    return text != null && DIGEST.matcher(text).matches();
  }
}
