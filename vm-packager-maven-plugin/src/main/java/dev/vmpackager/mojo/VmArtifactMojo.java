package dev.vmpackager.mojo;

import dev.vmpackager.artifact.ArtifactDisk;
import dev.vmpackager.artifact.ArtifactException;
import dev.vmpackager.artifact.ArtifactRequest;
import dev.vmpackager.artifact.ArtifactResult;
import dev.vmpackager.artifact.VmArtifact;
import dev.vmpackager.chart.ChartConfigException;
import dev.vmpackager.chart.ChartSpec;
import dev.vmpackager.chart.ChartVirtualMachine;
import dev.vmpackager.disk.DiskImageException;
import dev.vmpackager.vm.Vm;
import dev.vmpackager.vm.VmDisk;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * With {@code vm.artifact=true}, writes the whole VM as KubeVirt's own OCI artifact (VEP 256, what
 * KubeVirt 1.9 exports with the {@code OCIExport} feature gate) to
 * {@code target/<finalName>-vm.oci.tar}: the VirtualMachine the chart renders with its default
 * values as the config blob, each of its disks (converted by {@code convert}) a raw disk compressed
 * as one zstd stream. Each disk's volume is a PersistentVolumeClaim named like the volume and like
 * its layer's {@code io.kubevirt.disk.name} ({@code rootdisk} and the other disks' names), sized by
 * the disk's virtual size; cloud-init is inline. KubeVirt's {@code hack/oci-import.sh} imports it
 * (VEP 395's {@code VirtualMachineImport} will); {@code push} sends it to
 * {@code vm.artifact.repository}. Without {@code vm.artifact=true} it does nothing, so the
 * {@code vm-app} packaging binds it always.
 *
 * @since 0.3.0
 */
@Mojo(name = "vm-artifact", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true)
public class VmArtifactMojo extends AbstractChartMojo {

  /**
   * Builds the VM artifact. Default false: the goal does nothing.
   *
   * @since 0.3.0
   */
  @Parameter(property = "vm.artifact", defaultValue = "false")
  boolean artifact;

  /**
   * Skips this goal.
   *
   * @since 0.3.0
   */
  @Parameter(property = "vm.vm-artifact.skip", defaultValue = "false")
  boolean skipArtifact;

  @Override
  protected String goal() {
    return "vm-artifact";
  }

  @Override
  protected boolean goalSkipped() {
    return skipArtifact;
  }

  /** The chart goal (prepare-package) has logged the VM already. */
  @Override
  protected boolean logsVm() {
    return false;
  }

  @Override
  protected void doExecute() throws MojoExecutionException, MojoFailureException {
    if (!artifact) {
      getLog().debug("vm.artifact is not set: no VM artifact");
      return;
    }
    ChartSpec spec = spec();
    Path output = vmArtifactFile();
    try {
      Map<String, Object> vm = ChartVirtualMachine.render(spec, spec.name());
      ArtifactRequest.Builder request = ArtifactRequest.builder()
          .virtualMachine(vm)
          .cloudInitUserData(spec.cloudInitUserData().orElse(null))
          .cloudInitNetworkData(spec.cloudInitNetworkData().orElse(null))
          .output(output)
          .created(buildTimestamp())
          .listener(listener());
      disks().forEach(request::disk);
      ArtifactResult r = VmArtifact.build(request.build());
      getLog().info("VM artifact " + output + " (manifest " + r.manifestDigest() + ", " + r.layers().size()
          + " disk" + (r.layers().size() == 1 ? "" : "s") + ")");
    } catch (ChartConfigException | ArtifactException | DiskImageException e) {
      throw new MojoFailureException(e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new MojoFailureException("Cannot build the VM artifact " + output + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new MojoExecutionException("Cannot write the VM artifact " + output + ": " + e.getMessage(), e);
    }
  }

  /**
   * The VM's disks as the chart names them: the boot disk {@code rootdisk}, each other disk by its
   * name, each from the file {@code convert} wrote.
   */
  private List<ArtifactDisk> disks() throws MojoFailureException {
    List<ArtifactDisk> out = new ArrayList<>();
    if (!describesVm() && source == null && !discoverable()) {
      // The chart's VM is the POM's alone: its one disk is convert's output.
      out.add(disk(ChartVirtualMachine.ROOT_DISK, convertedDisk(vm, format)));
      return out;
    }
    Vm model = resolveVm(vm, imageReference());
    for (VmDisk d : model.disks()) {
      out.add(disk(d.isBootDisk() ? ChartVirtualMachine.ROOT_DISK : d.name(), d.convertedFile(buildDirectory())));
    }
    return out;
  }

  private static ArtifactDisk disk(String name, Path file) throws MojoFailureException {
    if (!Files.isRegularFile(file)) {
      throw new MojoFailureException("The converted disk " + file + " does not exist: run vm-packager:convert"
          + " first (it binds to the package phase before vm-artifact)");
    }
    return new ArtifactDisk(name, file);
  }
}
