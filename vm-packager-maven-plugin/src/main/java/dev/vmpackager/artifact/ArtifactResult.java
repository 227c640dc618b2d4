package dev.vmpackager.artifact;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link VmArtifact#build} wrote.
 *
 * @param tar the artifact tar
 * @param manifestDigest the {@code sha256:} digest of its manifest (what {@code skopeo} reports)
 * @param layers its disk layers in order
 */
public record ArtifactResult(Path tar, String manifestDigest, List<Layer> layers) {

  /** Copies the list. */
  public ArtifactResult {
    layers = List.copyOf(layers);
  }

  /**
   * One disk layer.
   *
   * @param name the disk's name ({@code io.kubevirt.disk.name})
   * @param digest the compressed blob's digest
   * @param size the compressed blob's size
   * @param virtualSize the disk's virtual (uncompressed raw) size
   */
  public record Layer(String name, String digest, long size, long virtualSize) {}
}
