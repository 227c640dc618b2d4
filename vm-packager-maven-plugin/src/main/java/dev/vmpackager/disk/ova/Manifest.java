package dev.vmpackager.disk.ova;

import dev.vmpackager.disk.CorruptImageException;
import dev.vmpackager.disk.ImageSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OVF manifest ({@code .mf}): lines {@code SHA256(disk1.vmdk)= 3f...}. Checks entries by
 * streaming them through the digest in bounded chunks. Public for the VM description reader, which
 * checks a loose {@code .ovf} against the {@code .mf} beside it.
 */
public final class Manifest {

  /** Manifests larger than this are refused: a real one is a few lines. */
  public static final int MAX_BYTES = 1 << 20;
  private static final int CHUNK = 1 << 20;
  private static final Pattern LINE =
      Pattern.compile("^\\s*(SHA1|SHA256|SHA512)\\s*\\((.+)\\)\\s*=\\s*([0-9A-Fa-f]+)\\s*$");

  /** @param algorithm Java's name (SHA-1...) @param hex the expected digest, lower case */
  private record Digest(String algorithm, String hex) {}

  private final String name;
  private final Map<String, Digest> digests;

  private Manifest(String name, Map<String, Digest> digests) {
    this.name = name;
    this.digests = digests;
  }

  /** A manifest that lists nothing (the OVA has none). */
  static Manifest none() {
    return new Manifest("", Map.of());
  }

  /**
   * @param text the manifest's content
   * @param name its name in messages, e.g. {@code app.ova!app.mf}
   * @return the digests it lists
   * @throws CorruptImageException naming the line that is not a digest line
   */
  public static Manifest parse(String text, String name) throws CorruptImageException {
    Map<String, Digest> d = new HashMap<>();
    int n = 0;
    for (String line : text.split("\r?\n")) {
      n++;
      if (line.isBlank()) {
        continue;
      }
      Matcher m = LINE.matcher(line);
      if (!m.matches()) {
        throw new CorruptImageException(name + ": line " + n + " is not a digest line: " + line.strip());
      }
      String alg = switch (m.group(1)) {
        case "SHA1" -> "SHA-1";
        case "SHA256" -> "SHA-256";
        default -> "SHA-512";
      };
      String file = m.group(2).strip();
      while (file.startsWith("./")) {
        file = file.substring(2);
      }
      d.put(file, new Digest(alg, m.group(3).toLowerCase(Locale.ROOT)));
    }
    return new Manifest(name, Map.copyOf(d));
  }

  /**
   * @param entry a file name as the manifest writes it
   * @return whether the manifest lists it
   */
  public boolean lists(String entry) {
    return digests.containsKey(entry);
  }

  /**
   * Checks an entry's digest when the manifest lists it.
   *
   * @param entry the entry's name as the manifest writes it
   * @param data the entry's bytes
   * @throws CorruptImageException naming the entry when the digest differs
   */
  public void verify(String entry, ImageSource data) throws IOException {
    Digest want = digests.get(entry);
    if (want == null) {
      return;
    }
    MessageDigest md = digest(want, entry);
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(1, data.size())));
    for (long at = 0; at < data.size(); ) {
      int n = (int) Math.min(buf.capacity(), data.size() - at);
      buf.clear().limit(n);
      data.readFully(buf, at);
      buf.flip();
      md.update(buf);
      at += n;
    }
    compare(md, want, entry, data.name());
  }

  /**
   * Checks bytes already read (a descriptor that is parsed from the very bytes checked) when the
   * manifest lists the entry.
   *
   * @param entry the entry's name as the manifest writes it
   * @param data its bytes
   * @param dataName what to call the bytes in the message
   * @throws CorruptImageException naming the entry when the digest differs
   */
  public void verify(String entry, byte[] data, String dataName) throws CorruptImageException {
    Digest want = digests.get(entry);
    if (want == null) {
      return;
    }
    MessageDigest md = digest(want, entry);
    md.update(data);
    compare(md, want, entry, dataName);
  }

  private MessageDigest digest(Digest want, String entry) throws CorruptImageException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance(want.algorithm());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(want.algorithm() + " missing from the JDK", e);
    }
    if (want.hex().length() != md.getDigestLength() * 2) {
      throw new CorruptImageException(name + ": the " + want.algorithm() + " digest of " + entry + " has "
          + want.hex().length() + " hex digits, not " + md.getDigestLength() * 2);
    }
    return md;
  }

  private void compare(MessageDigest md, Digest want, String entry, String dataName) throws CorruptImageException {
    String got = HexFormat.of().formatHex(md.digest());
    if (!got.equals(want.hex())) {
      throw new CorruptImageException(String.format(
          "%s: entry %s does not match the manifest: %s is %s, the manifest %s says %s (corrupt or altered download)",
          dataName, entry, want.algorithm(), got, name, want.hex()));
    }
  }
}
