package dev.vmpackager.mojo;

import dev.vmpackager.chart.Names;
import dev.vmpackager.registry.ImageReference;
import java.time.Instant;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * The goals that deal with the containerDisk image and stamp what they write: {@code chart} (its
 * VM boots the image), {@code containerize} (builds it) and {@code push} (publishes it).
 */
public abstract class AbstractImageMojo extends AbstractVmMojo {

  /**
   * The containerDisk image reference, e.g. {@code registry.example.com/apps/librespeed-vm:0.0.1};
   * default {@code <artifactId>-containerdisk:<version>} made a valid reference (lower case,
   * characters an image name cannot hold replaced by {@code -}, a {@code +} in the version by
   * {@code _}), logged when that changes it. A value written here is used as is.
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.image")
  protected String image;

  /**
   * The time written into the image (config {@code created}, layer entries), the chart archive's
   * entries and the pushed chart manifest, for reproducible builds: ISO-8601 with offset or
   * seconds since the epoch. Default {@code project.build.outputTimestamp}, else the
   * {@code SOURCE_DATE_EPOCH} environment variable, else the epoch.
   *
   * @since 0.1.0
   */
  @Parameter(defaultValue = "${project.build.outputTimestamp}")
  protected String outputTimestamp;

  /**
   * @return {@link #image} as written, or the default made of the artifactId and version (logged
   *     when it had to be changed to be valid)
   */
  protected String imageReference() {
    if (image != null && !image.isBlank()) {
      return image;
    }
    return derived("image", Names.image(project.getArtifactId(), project.getVersion()),
        "artifactId-containerdisk:version", project.getArtifactId() + "-containerdisk:" + project.getVersion());
  }

  /**
   * @return {@link #imageReference()} parsed: its registry, repository and tag, for the core
   * @throws MojoFailureException naming {@code vm.image} when it is not an image reference
   */
  protected ImageReference parsedImageReference() throws MojoFailureException {
    return parsedImageReference(imageReference());
  }

  /**
   * @param reference an image reference: {@code <image>} or one a disk's image was derived from it
   * @return it parsed, once, for every step that needs its registry, repository or tag
   * @throws MojoFailureException naming {@code vm.image} when it is not a valid reference
   */
  protected ImageReference parsedImageReference(String reference) throws MojoFailureException {
    try {
      return ImageReference.parse(reference, "vm.image");
    } catch (IllegalArgumentException e) {
      throw new MojoFailureException(e.getMessage(), e);
    }
  }

  /**
   * @return {@link #outputTimestamp}, then {@code SOURCE_DATE_EPOCH}, then the epoch
   * @throws MojoFailureException when the timestamp is neither ISO-8601 nor epoch seconds
   */
  protected Instant buildTimestamp() throws MojoFailureException {
    return buildTimestamp(outputTimestamp);
  }
}
