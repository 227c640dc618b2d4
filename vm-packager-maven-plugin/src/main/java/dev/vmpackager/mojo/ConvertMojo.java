package dev.vmpackager.mojo;

import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageException;
import dev.vmpackager.disk.convert.ConversionRequest;
import dev.vmpackager.disk.convert.ConversionResult;
import dev.vmpackager.disk.convert.DiskConverter;
import dev.vmpackager.vm.Vm;
import dev.vmpackager.vm.VmDisk;
import java.io.IOException;
import java.util.Locale;
import org.apache.maven.plugin.MojoExecution;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Converts the VM's disk image (raw, qcow2, VMDK, VDI, VHD, VHDX, QED or OVA) to qcow2 or raw in
 * {@code target/vm/<vm name>.<format>}, in pure Java (or with qemu-img when asked). A VM of several
 * disks (its description's, or {@code <disks>}) has each converted to
 * {@code target/vm/<vm name>-<disk name>.<format>}; a disk inside an OVA is read from its own
 * entry. Each disk is skipped when its source and settings are unchanged since its last
 * successful conversion.
 *
 * @since 0.1.0
 */
@Mojo(name = "convert", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true)
public class ConvertMojo extends AbstractVmMojo {

  /**
   * The VirtualMachine ({@code <vm>}); this goal reads its {@code <name>}, which names the
   * converted disk {@code target/vm/<name>.<format>} (with several disks
   * {@code target/vm/<name>-<disk>.<format>}), and {@code <diskBus>}/{@code <devices>} only as part of
   * the VM model every goal resolves. Default name: the artifactId made a DNS label
   * (lower case, other characters replaced by {@code -}, at most 53 characters), logged when that
   * changes it. The other fields ({@code memory}, {@code cpuCores}, {@code firmware}, ...) are the
   * chart's: {@code mvn vm-packager:help -Ddetail -Dgoal=chart} lists them. They are set in the POM,
   * not as {@code -D} properties ({@code -Dvm.name} is ignored).
   *
   * @since 0.1.0
   */
  @Parameter
  private VmConfig vm;

  /**
   * The source's format: {@code auto} (default: detected from the content, never the name),
   * {@code raw}, {@code qcow2}, {@code vmdk}, {@code vdi}, {@code vpc} (VHD), {@code vhdx},
   * {@code qed} or {@code ova}. With {@code auto}, content that matches no format is raw, unless
   * the file's name claims a format ({@code .qcow2}, {@code .vmdk}...): then the build fails, so a
   * corrupt or mislabelled download is not shipped as a raw disk. It applies to a VM's one disk
   * file; the disks of a VM with several, and an OVA's entries, are always detected. A raw disk whose size is not a
   * whole number of 512-byte sectors is refused, detected or given: it is some other file.
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.sourceFormat", defaultValue = "auto")
  private String sourceFormat;

  /**
   * Writes compressed qcow2 clusters (deflate, as {@code qemu-img convert -c}): a smaller file,
   * slower to convert. Only with {@code format=qcow2}.
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.compress", defaultValue = "false")
  private boolean compress;

  /**
   * Who converts: {@code java} (default, no tools needed) or {@code qemu-img} (a {@code qemu-img}
   * on the PATH; the source is still checked by the plugin's own reader first).
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.engine", defaultValue = "java")
  private String engine;

  /**
   * Lets the source disk read a backing chain: qcow2 and QED backing files, VMDK delta disks'
   * parents. Even then they must lie in the source's own folder. Default false: such images are
   * refused. A multi-file VMDK (VMware Workstation's split disk, ESXi's descriptor and flat extent)
   * is one disk and is read without it, as long as its extents are in the descriptor's folder.
   * Differencing VHD, VDI and VHDX disks are refused either way.
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.allowExternalFiles", defaultValue = "false")
  private boolean allowExternalFiles;

  /**
   * Skips this goal only.
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.convert.skip", defaultValue = "false")
  private boolean skipConvert;

  /** This execution, named when two executions would write one converted disk. */
  @Parameter(defaultValue = "${mojoExecution}", readonly = true)
  MojoExecution mojoExecution;

  @Override
  protected String goal() {
    return "convert";
  }

  @Override
  protected boolean goalSkipped() {
    return skipConvert;
  }

  @Override
  protected void doExecute() throws MojoExecutionException, MojoFailureException {
    Vm model = resolveVm(vm, null);
    for (VmDisk disk : model.disks()) {
      convert(request(disk, model.disks().size()));
    }
  }

  private void convert(ConversionRequest req) throws MojoExecutionException, MojoFailureException {
    // Checked before converting, so the other execution's disk is not overwritten first.
    String source = req.source().toAbsolutePath().normalize() + (req.ovaEntry().isEmpty() ? "" : "!" + req.ovaEntry());
    BuildClaims.claim(project, "the converted disk " + req.output(), source, mojoExecution,
        (prior, priorSource, me) -> "Execution " + me + " converts " + req.source() + " into " + req.output()
            + ", which execution " + prior + " converted from " + priorSource + " in this build: two disks cannot"
            + " share one converted file (each image is built from its own). Give one of them its own <vm><name>"
            + " (the converted disk is target/vm/<vm name>.<format>)");
    String what = req.source() + (req.ovaEntry().isEmpty() ? "" : " (entry " + req.ovaEntry() + ")");
    try {
      ConversionResult r = new DiskConverter().convert(req);
      if (!r.upToDate()) {
        getLog().info(DiskConverter.summary(req, r));
      }
    } catch (DiskImageException e) {
      throw new MojoFailureException("Cannot convert " + what + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new MojoExecutionException("Converting " + what + " to " + req.output() + " failed: "
          + e.getMessage(), e);
    }
  }

  private ConversionRequest request(VmDisk disk, int diskCount) throws MojoFailureException {
    String fmt = outputFormat(format);
    DiskFormat outFormat = DiskFormat.fromId(fmt).orElseThrow();
    ConversionRequest.Engine eng = ConversionRequest.Engine.fromId(engine == null ? "java" : engine);
    if (eng == null) {
      throw new MojoFailureException("<engine> (vm.engine) must be java or qemu-img, not '" + engine + "'");
    }
    if (compress && outFormat != DiskFormat.QCOW2) {
      throw new MojoFailureException("<compress> (vm.compress) needs <format> (vm.format) qcow2, not " + fmt);
    }
    // <sourceFormat> is the format of a VM's one disk file; several disks, or an OVA's entry, are detected.
    boolean oneSource = diskCount == 1 && disk.source().ovaEntry().isEmpty();
    return ConversionRequest.builder()
        .source(disk.source().file())
        .ovaEntry(disk.source().ovaEntry().orElse(""))
        .sourceFormat(oneSource ? parseSourceFormat() : null)
        .output(disk.convertedFile(buildDirectory()))
        .outputFormat(outFormat)
        .compress(compress)
        .engine(eng)
        .allowExternalReferences(allowExternalFiles)
        .listener(listener())
        .build();
  }

  private DiskFormat parseSourceFormat() throws MojoFailureException {
    String f = sourceFormat == null ? "auto" : sourceFormat.trim().toLowerCase(Locale.ROOT);
    if (f.isEmpty() || f.equals("auto")) {
      return null;
    }
    return DiskFormat.fromId(f).orElseThrow(() -> new MojoFailureException("<sourceFormat> (vm.sourceFormat) '"
        + sourceFormat + "' is not one of auto, raw, qcow2, vmdk, vdi, vpc, vhdx, qed, ova"));
  }
}
