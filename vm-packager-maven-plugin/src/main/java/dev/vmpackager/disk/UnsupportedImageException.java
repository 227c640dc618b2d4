package dev.vmpackager.disk;

/**
 * The image is valid but uses something the plugin does not read or refuses by policy
 * (encryption, unknown incompatible feature bits, backing files not opted in).
 */
public class UnsupportedImageException extends DiskImageException {

  private static final long serialVersionUID = 1L;

  public UnsupportedImageException(String message) {
    super(message);
  }
}
