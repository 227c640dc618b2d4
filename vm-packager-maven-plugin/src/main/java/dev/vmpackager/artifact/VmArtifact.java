package dev.vmpackager.artifact;

import dev.vmpackager.io.Digests;
import dev.vmpackager.io.DiskFullException;
import dev.vmpackager.io.FileTrees;
import dev.vmpackager.io.TempPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds KubeVirt's VM artifact (VEP 256, as KubeVirt 1.9's {@code pkg/storage/oci} writes it):
 * an OCI image layout tar whose index and manifest have the artifact type {@value #ARTIFACT_TYPE},
 * whose config blob ({@value #CONFIG_MEDIA_TYPE}) is the VirtualMachine and whose layers
 * ({@value #DISK_MEDIA_TYPE}) are its disks, each the raw disk compressed as one zstd stream.
 * The same request gives the same bytes in every JVM, on every machine, for any thread count.
 *
 * <pre>{@code
 * ArtifactResult r = VmArtifact.build(ArtifactRequest.builder().virtualMachine(chartVm)
 *     .disk(new ArtifactDisk("rootdisk", Path.of("target/vm/app.qcow2")))
 *     .output(Path.of("target/app-1.0-vm.oci.tar")).created(Instant.EPOCH).build());
 * }</pre>
 */
public final class VmArtifact {

  /** The artifact type of the index and the manifest of a VirtualMachine artifact. */
  public static final String ARTIFACT_TYPE = "application/vnd.kubevirt.virtualmachine.v1";
  /** The media type of the config blob, the VirtualMachine as JSON. */
  public static final String CONFIG_MEDIA_TYPE = "application/vnd.kubevirt.virtualmachine.config.v1+json";
  /** The media type of every disk layer: a raw disk compressed as one zstd stream, not a tar. */
  public static final String DISK_MEDIA_TYPE = "application/vnd.kubevirt.disk.raw+zstd";
  /** The OCI image manifest media type. */
  public static final String MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";
  /** The OCI image index media type. */
  public static final String INDEX_MEDIA_TYPE = "application/vnd.oci.image.index.v1+json";
  /** The layer annotation naming the disk: its volume and claim name. */
  public static final String DISK_NAME = "io.kubevirt.disk.name";
  /** The layer annotation with the disk's uncompressed size, a Kubernetes quantity. */
  public static final String DISK_SIZE = "io.kubevirt.disk.size";
  /** The layer annotation with a file name for the blob, {@code <disk name>.raw.zst}. */
  public static final String TITLE = "org.opencontainers.image.title";
  /** The index annotation with the creation time. */
  public static final String CREATED = "org.opencontainers.image.created";

  private VmArtifact() {}

  /**
   * Writes the artifact tar: each disk compressed into a blob beside it first (so the tar's
   * manifest, which comes first, knows their digests), then the tar written to a temporary file
   * and renamed over {@link ArtifactRequest#output()}. Nothing half-written is left on failure.
   *
   * @param request what to build
   * @return the manifest's digest and the layers
   * @throws ArtifactException when the VM cannot be an artifact (a volume no importer could fill)
   * @throws IOException when a disk cannot be read or the tar written
   */
  public static ArtifactResult build(ArtifactRequest request) throws IOException {
    Path output = request.output();
    Files.createDirectories(output.toAbsolutePath().getParent());
    byte[] config = ConfigBlob.of(request);
    Path blobs = TempPaths.createDirectory(output);
    try {
      List<DiskLayerStep.Layer> layers = new ArrayList<>();
      for (ArtifactDisk d : request.disks()) {
        layers.add(new DiskLayerStep(d, blobs, request.threads(), request.listener()).call());
      }
      byte[] manifest = ArtifactJson.manifest(config, layers);
      byte[] index = ArtifactJson.index(manifest, ConfigBlob.architecture(request.virtualMachine()),
          request.created());
      ArtifactTar.write(output, index, manifest, config, layers, request.created());
      return new ArtifactResult(output, Digests.sha256(manifest), layers.stream()
          .map(l -> new ArtifactResult.Layer(l.name(), l.digest(), l.size(), l.virtualSize())).toList());
    } catch (IOException e) {
      throw DiskFullException.named(e, output);
    } finally {
      FileTrees.deleteRecursively(blobs);
    }
  }
}
