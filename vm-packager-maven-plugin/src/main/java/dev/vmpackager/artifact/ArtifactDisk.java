package dev.vmpackager.artifact;

import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One disk of the VM artifact: a layer named like the VirtualMachine's volume and its claim.
 *
 * @param name the volume name, which is also the PVC claim name and the layer's
 *     {@code io.kubevirt.disk.name}: a DNS-1123 label without dots, so the exporter's convention,
 *     {@code hack/oci-import.sh} (matching the claim name) and VEP 395 (matching the volume name)
 *     all find it
 * @param file the disk image its layer is made from (the converted qcow2 or raw disk)
 */
public record ArtifactDisk(String name, Path file) {

  private static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$");

  /** Checks the name is a DNS label. */
  public ArtifactDisk {
    Objects.requireNonNull(file, "file");
    if (name == null || !DNS_LABEL.matcher(name).matches()) {
      throw new IllegalArgumentException("the disk name '" + name + "' is not a DNS label"
          + " (lower-case letters, digits and '-', at most 63 characters)");
    }
  }
}
