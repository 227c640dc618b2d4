package dev.vmpackager.vm;

import dev.vmpackager.registry.ImageReference;
import java.util.regex.Pattern;

/**
 * Image references of a VM's disks. The boot disk's image is {@code <image>}; every other disk's
 * is derived from it: {@code registry.example.com/apps/app:1.0} gives
 * {@code registry.example.com/apps/app-data:1.0} for the disk {@code data}.
 */
public final class ImageNames {

  private static final Pattern REPOSITORY = Pattern.compile(ImageReference.REPOSITORY_REGEX);
  private static final Pattern TAG = Pattern.compile(ImageReference.TAG_REGEX);
  private static final Pattern DIGEST = Pattern.compile("^[a-z0-9]+([+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$");

  private ImageNames() {}

  /**
   * An image reference split into its parts.
   *
   * @param repository {@code [host[:port]/]path}
   * @param tag the tag, empty when the reference has none
   * @param digest the digest ({@code sha256:...}), empty when it has none
   */
  public record Reference(String repository, String tag, String digest) {

    @Override
    public String toString() {
      return repository + (tag.isEmpty() ? "" : ":" + tag) + (digest.isEmpty() ? "" : "@" + digest);
    }
  }

  /**
   * Splits {@code [host[:port]/]path[:tag][@digest]}. The tag is what follows the last
   * {@code :} after the last {@code /}, so a registry port ({@code localhost:5000/app}) is never
   * taken for a tag.
   *
   * @param reference an image reference
   * @param parameter the parameter that gave it, for messages, e.g. {@code <image> (vm.image)}
   * @return its parts
   * @throws VmConfigException naming the parameter when a part has a form registries refuse
   */
  public static Reference parse(String reference, String parameter) throws VmConfigException {
    String rest = reference == null ? "" : reference.strip();
    if (rest.isEmpty() || rest.chars().anyMatch(Character::isWhitespace)) {
      throw new VmConfigException(parameter, parameter + " '" + reference + "' must be an image reference such as"
          + " registry.example.com/apps/my-vm:1.0.0");
    }
    ImageReference.Written parts = ImageReference.split(rest);
    rest = parts.repository();
    String tag = parts.tag();
    String digest = parts.digest();
    if (!REPOSITORY.matcher(rest).matches()) {
      throw new VmConfigException(parameter, parameter + " '" + reference + "': the repository '" + rest
          + "' must be lower-case [host[:port]/]path, e.g. registry.example.com/apps/my-vm");
    }
    if (!tag.isEmpty() && !TAG.matcher(tag).matches()) {
      throw new VmConfigException(parameter, parameter + " '" + reference + "': the tag '" + tag + "' must be 1 to"
          + " 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'");
    }
    if (!digest.isEmpty() && !DIGEST.matcher(digest).matches()) {
      throw new VmConfigException(parameter, parameter + " '" + reference + "': the digest '" + digest
          + "' must be algorithm:hex, e.g. sha256: and 64 hex digits");
    }
    return new Reference(rest, tag, digest);
  }

  /**
   * The image of a disk other than the boot disk: the boot image's repository with
   * {@code -<disk name>} appended, and its tag. A digest in {@code image} names the boot disk's
   * image content only, so it is not carried over; with no tag, the derived reference has none
   * either (the same default tag applies to both).
   *
   * <pre>{@code
   * forDisk("localhost:5000/apps/app:1.0", "data")          -> localhost:5000/apps/app-data:1.0
   * forDisk("registry.example.com/app@sha256:ab..", "data") -> registry.example.com/app-data
   * }</pre>
   *
   * @param image the boot disk's image reference ({@code <image>})
   * @param diskName the disk's name, a DNS label
   * @return the disk's image reference
   * @throws VmConfigException naming {@code <image> (vm.image)} when it is not an image reference
   */
  public static String forDisk(String image, String diskName) throws VmConfigException {
    Reference r = parse(image, "<image> (vm.image)");
    return r.repository() + "-" + diskName + (r.tag().isEmpty() ? "" : ":" + r.tag());
  }
}
