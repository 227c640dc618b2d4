package dev.vmpackager.image;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link ContainerDiskBuilder#build(BuildRequest)} made.
 *
 * @param digest {@code sha256:...} of the image manifest (or of the index, for several platforms):
 *     what a chart pins and what the registry reports
 * @param imageId {@code sha256:...} of the image config (of the first platform's, for several)
 * @param layerDigest {@code sha256:...} of the compressed layer blob
 * @param layerSize the compressed layer's size in bytes
 * @param layerReused whether the layer blob of an earlier build was used (same disk and settings):
 *     copied into the new tar or layout, or pushed from where it was written
 * @param target where it went
 * @param output the tar file or layout folder, for those targets
 */
public record BuildResult(String digest, String imageId, String layerDigest, long layerSize, boolean layerReused,
    ImageTarget target, Optional<Path> output) {

  public BuildResult {
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(imageId, "imageId");
    Objects.requireNonNull(layerDigest, "layerDigest");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(output, "output");
  }
}
