package dev.vmpackager.image;

import dev.vmpackager.io.Digests;
import dev.vmpackager.registry.ImageReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What {@code containerize} leaves for one image, and {@code push} and {@code chart} read: a folder
 * of its own per image reference, so two executions, goals or disks never share a state file, and
 * what {@code push} publishes under a tag is always the disk that tag was built from.
 *
 * <pre>
 * target/vm/containerdisk/&lt;the reference as a path&gt;/
 *   containerdisk.properties   the image spec ({@link ContainerDiskSpec#store(Path)})
 *   layer.properties           where the layer blob is, and for which image
 *   image.digest               the image's digest, sha256:... and a newline
 *   blobs/                     the layer blob of the registry target
 * </pre>
 *
 * <p>The reference as a path: the reference as Jib reads it ({@code :latest} added when it has no
 * tag, Docker Hub's {@code docker.io/library/} left out, the registry host in lower case), each
 * {@code /} a folder, {@code :} and {@code @} (which Windows forbids in file names) written as
 * {@code +}, which no reference holds. So {@code registry.example.com/apps/vm:1.0} keeps its state in
 * {@code target/vm/containerdisk/registry.example.com/apps/vm+1.0/} and {@code localhost:5000/vm} in
 * {@code target/vm/containerdisk/localhost+5000/vm+latest/}: one folder per reference, and never one
 * image's folder inside another's (its last name holds a {@code +}, no repository name does).
 * Typical use:
 *
 * <pre>{@code
 * ImageReference ref = ImageReference.parse("registry.example.com/apps/vm:1.0", "vm.image"); // once, in the Mojo
 * ImageState state = ImageState.of(target.resolve("vm"), ref);
 * ContainerDiskSpec spec = ContainerDiskSpec.builder()...cacheDirectory(state.directory()).build();
 * BuildResult built = ContainerDiskBuilder.build(...);       // containerize
 * state.record(spec, built.digest());
 * ContainerDiskSpec toPush = state.built();                  // push: checked against the layer
 * Optional<String> digest = state.digest();                   // chart: pinDigest
 * }</pre>
 */
public final class ImageState {

  /** The folder, in {@code target/vm/}, that holds one state folder per image. */
  public static final String FOLDER = "containerdisk";

  /** The file, in an image's state folder, that holds the built image's digest. */
  public static final String DIGEST_FILE = "image.digest";

  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]*");

  private final Path root;
  private final String reference;
  private final String canonical;
  private final Path directory;

  private ImageState(Path root, String reference, String canonical, Path directory) {
    this.root = root;
    this.reference = reference;
    this.canonical = canonical;
    this.directory = directory;
  }

  /**
   * @param vmDirectory the build's {@code target/vm/}
   * @param reference the image reference, e.g. {@code registry.example.com/apps/vm:1.0}
   * @return the image's state (nothing is read or written yet)
   * @throws ImageException when the reference cannot name a folder
   */
  public static ImageState of(Path vmDirectory, ImageReference reference) throws ImageException {
    String canonical = reference.canonical();
    Path root = vmDirectory.toAbsolutePath().normalize().resolve(FOLDER);
    Path dir = root;
    for (String segment : canonical.replace(':', '+').replace('@', '+').split("/")) {
      // Jib's grammar already rules these out; checked so a reference can never name a folder outside.
      if (!SEGMENT.matcher(segment).matches()) {
        throw new ImageException("'" + reference.written() + "' (vm.image) cannot name a state folder ('" + segment
            + "')");
      }
      dir = dir.resolve(segment);
    }
    return new ImageState(root, reference.written(), canonical, dir);
  }

  /** @return the reference as written */
  public String reference() {
    return reference;
  }

  /**
   * @return the reference as Jib reads it, the name of the state folder: {@code :latest} added, Docker
   *     Hub's {@code docker.io/library/} left out, the registry host in lower case
   */
  public String canonicalReference() {
    return canonical;
  }

  /** @return the image's state folder, also its spec's working folder ({@link ContainerDiskSpec#cacheDirectory()}) */
  public Path directory() {
    return directory;
  }

  /** @return the stored spec, {@value ContainerDiskSpec#FILE_NAME} in {@link #directory()} */
  public Path specFile() {
    return directory.resolve(ContainerDiskSpec.FILE_NAME);
  }

  /** @return the digest file, {@value #DIGEST_FILE} in {@link #directory()} */
  public Path digestFile() {
    return directory.resolve(DIGEST_FILE);
  }

  /**
   * Records a finished build of this image (the build itself recorded its layer): the spec, then the
   * digest, each written atomically.
   *
   * @param spec the spec built, whose working folder is {@link #directory()}
   * @param digest the built image's digest
   */
  public void record(ContainerDiskSpec spec, String digest) throws IOException {
    if (!spec.cacheDirectory().equals(directory)) {
      throw new IllegalArgumentException("the spec of " + reference + " works in " + spec.cacheDirectory()
          + ", not in its state folder " + directory);
    }
    spec.store(specFile());
    ContainerDiskBuilder.writeDigestFile(digestFile(), digest);
  }

  /**
   * @return the digest {@code containerize} recorded for this image, if it ran
   * @throws ImageException when the digest file holds something else than a sha256 digest
   */
  public Optional<String> digest() throws ImageException {
    Path f = digestFile();
    if (!Files.isRegularFile(f)) {
      return Optional.empty();
    }
    String d;
    try {
      d = Files.readString(f, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new ImageException("Cannot read the image digest file " + f + ": " + e.getMessage(), e);
    }
    if (!Digests.isDigest(d)) {
      throw new ImageException("The image digest file " + f + " holds '" + (d.length() > 80 ? d.substring(0, 80)
          + "..." : d) + "', not sha256: and 64 lower-case hex digits: build " + reference + " again with"
          + " vm-packager:containerize");
    }
    return Optional.of(d);
  }

  /**
   * The image as {@code containerize} built it, checked for a push: its spec, the layer recorded for
   * this image (the disk and the file holding the blob unchanged since), and the digest they give,
   * which must be the recorded one.
   *
   * @return the spec to push
   * @throws ImageException naming the image, what is missing or changed, and to run containerize
   */
  public ContainerDiskSpec built() throws ImageException {
    String again = ". Run vm-packager:containerize for " + reference + " again (the execution whose <image> it is);"
        + " each image needs its own <image>, <imageTar> (or <imageLayout>) and converted disk (<vm><name>)";
    Path specFile = specFile();
    if (!Files.isRegularFile(specFile)) {
      List<String> others = recordedIn(root);
      throw new ImageException("No containerDisk image was built for " + reference + ": " + specFile
          + " does not exist. Run vm-packager:containerize with <image>" + reference + "</image> before push"
          + (others.isEmpty() ? " (no image was built in " + root + ")"
              : " (" + root + " holds the images " + String.join(", ", others) + ")"));
    }
    ContainerDiskSpec spec = ContainerDiskSpec.load(specFile);
    if (!spec.cacheDirectory().equals(directory)) {
      throw new ImageException("Cannot push " + reference + ": " + specFile + " describes the image whose state is in "
          + spec.cacheDirectory() + again);
    }
    LayerRecord layer;
    try {
      layer = LayerRecord.require(spec);
    } catch (ImageException e) {
      throw new ImageException("Cannot push " + reference + ": " + e.getMessage() + again, e);
    }
    if (!recordedFor(layer.image())) {
      throw new ImageException("Cannot push " + reference + ": the layer recorded in " + directory
          + " was written for the image " + (layer.image().isEmpty() ? "(none recorded)" : layer.image()) + again);
    }
    String recorded = digest().orElseThrow(() -> new ImageException("Cannot push " + reference + ": " + digestFile()
        + " does not exist (containerize did not finish)" + again));
    String digest;
    try {
      digest = ImageJson.of(spec, layer.layer()).digest();
    } catch (IOException e) {
      throw new ImageException("Cannot write the image's JSON: " + e.getMessage(), e);
    }
    if (!digest.equals(recorded)) {
      throw new ImageException("Cannot push " + reference + ": its spec and layer make the image " + digest
          + ", but containerize recorded " + recorded + " in " + digestFile() + again);
    }
    return spec;
  }

  private boolean recordedFor(String image) {
    try {
      return !image.isEmpty() && ImageReference.parse(image, LayerRecord.FILE_NAME).canonical().equals(canonical);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * @param vmDirectory the build's {@code target/vm/}
   * @return the references of the images whose layer is recorded there, sorted
   */
  public static List<String> recorded(Path vmDirectory) {
    return recordedIn(vmDirectory.toAbsolutePath().normalize().resolve(FOLDER));
  }

  private static List<String> recordedIn(Path root) {
    TreeSet<String> images = new TreeSet<>();
    if (Files.isDirectory(root)) {
      try (Stream<Path> files = Files.find(root, 32, (p, a) -> a.isRegularFile()
          && p.getFileName().toString().equals(LayerRecord.FILE_NAME))) {
        files.forEach(f -> LayerRecord.recordedImage(f.getParent()).ifPresent(images::add));
      } catch (IOException | java.io.UncheckedIOException e) {
        // Only for a hint in an error message.
      }
    }
    return new ArrayList<>(images);
  }

  @Override
  public String toString() {
    return "ImageState[" + reference + " in " + directory + "]";
  }
}
