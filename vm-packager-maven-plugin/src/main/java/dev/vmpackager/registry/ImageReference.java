package dev.vmpackager.registry;

import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * An image reference such as {@code registry.example.com/apps/vm:1.0}, parsed once (where the
 * user's value is read) and passed down: its registry host, repository, tag and digest, read with
 * Jib's grammar ({@code com.google.cloud.tools.jib.api.ImageReference}), which follows Docker's: a
 * first component without {@code .} or {@code :} (and not {@code localhost}) is a Docker Hub
 * namespace, and a reference without tag or digest gets {@code :latest}.
 *
 * <pre>{@code
 * ImageReference ref = ImageReference.parse("localhost:5000/apps/vm:1.0", "vm.image");
 * ref.registry();   // localhost:5000
 * ref.repository(); // apps/vm
 * ref.tag();        // Optional[1.0]
 * }</pre>
 */
public final class ImageReference {

  /**
   * A repository as written in charts and POMs, {@code [host[:port]/]path} in lower case: the
   * pattern the chart's schema and every name check share.
   */
  public static final String REPOSITORY_REGEX =
      "^[a-z0-9]([a-z0-9._:-]*[a-z0-9])?(/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)*$";
  /** A tag: 1 to 128 letters, digits, {@code _ . -}, not starting with {@code .} or {@code -}. */
  public static final String TAG_REGEX = "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$";

  /**
   * A reference split as written, without Jib's normalisation (no {@code docker.io}, no
   * {@code :latest}), for the places that keep the user's spelling: chart values, derived names.
   *
   * @param repository {@code [host[:port]/]path}
   * @param tag the tag, empty when none is written
   * @param digest what follows {@code @}, empty when none is written
   */
  public record Written(String repository, String tag, String digest) {}

  /**
   * Splits {@code [host[:port]/]path[:tag][@digest]} as written. The tag is what follows the last
   * {@code :} after the last {@code /}, so a registry port ({@code localhost:5000/app}) is never
   * taken for a tag. Nothing is checked: callers check the parts with their own messages.
   *
   * @param reference an image reference, already trimmed
   * @return its parts
   */
  public static Written split(String reference) {
    String rest = reference;
    String digest = "";
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = rest.substring(at + 1);
      rest = rest.substring(0, at);
    }
    String tag = "";
    int colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
    }
    return new Written(rest, tag, digest);
  }

  private final String written;
  private final com.google.cloud.tools.jib.api.ImageReference parsed;

  private ImageReference(String written, com.google.cloud.tools.jib.api.ImageReference parsed) {
    this.written = written;
    this.parsed = parsed;
  }

  /**
   * @param reference the reference as the user wrote it
   * @param parameter where it was written, for the message, e.g. {@code vm.image}
   * @return the parsed reference
   * @throws IllegalArgumentException naming the value and {@code parameter} when it is not an
   *     image reference
   */
  public static ImageReference parse(String reference, String parameter) {
    Objects.requireNonNull(parameter, "parameter");
    try {
      return new ImageReference(reference, com.google.cloud.tools.jib.api.ImageReference.parse(reference));
    } catch (InvalidImageReferenceException | RuntimeException e) {
      throw new IllegalArgumentException("'" + reference + "' (" + parameter + ") is not an image reference such as"
          + " registry.example.com/apps/vm:1.0", e);
    }
  }

  /** @return the registry host, {@code host[:port]} ({@code registry-1.docker.io} for Docker Hub) */
  public String registry() {
    return parsed.getRegistry();
  }

  /** @return the repository, e.g. {@code apps/vm} ({@code library/busybox} for Docker Hub's {@code busybox}) */
  public String repository() {
    return parsed.getRepository();
  }

  /** @return the tag, {@code latest} when neither tag nor digest was written, empty with a digest alone */
  public Optional<String> tag() {
    return parsed.getTag();
  }

  /** @return the digest written after {@code @}, if any */
  public Optional<String> digest() {
    return parsed.getDigest();
  }

  /** @return the digest if one is written, else the tag */
  public String qualifier() {
    return parsed.getQualifier();
  }

  /** @return the reference exactly as written */
  public String written() {
    return written;
  }

  /**
   * @return the reference as Jib reads it, one name per image: the tag (or digest) written out, Docker
   *     Hub's {@code docker.io/library/} left out, the registry host in lower case
   */
  public String canonical() {
    return com.google.cloud.tools.jib.api.ImageReference.of(registry().toLowerCase(Locale.ROOT), repository(),
        qualifier()).toStringWithQualifier();
  }

  /**
   * @return the reference as Jib writes it, the name in an image archive: Docker Hub's registry and
   *     {@code library/} left out, and the tag when it is {@code latest}
   */
  @Override
  public String toString() {
    return parsed.toString();
  }
}
