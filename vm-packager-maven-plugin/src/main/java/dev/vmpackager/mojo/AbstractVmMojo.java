package dev.vmpackager.mojo;

import dev.vmpackager.chart.ChartVersions;
import dev.vmpackager.chart.Names;
import dev.vmpackager.event.BuildListener;
import dev.vmpackager.vm.PomVm;
import dev.vmpackager.vm.Vm;
import dev.vmpackager.vm.VmConfigException;
import dev.vmpackager.vm.VmDescription;
import dev.vmpackager.vm.VmDescriptions;
import dev.vmpackager.vm.VmResolver;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/**
 * What every goal shares: the project and skipping, and the rules behind parameters that several
 * goals declare (the VM's name and the converted disk's place, the chart's name, version and
 * archive, the build's timestamp). Each goal declares only the parameters it reads, so
 * {@code vm-packager:help} lists a goal's own; subclasses read them, build a request and call one
 * plain-Java service.
 */
public abstract class AbstractVmMojo extends AbstractMojo {

  /** The project being built. */
  @Parameter(defaultValue = "${project}", readonly = true, required = true)
  protected MavenProject project;

  /** The Maven session (offline mode, settings). */
  @Parameter(defaultValue = "${session}", readonly = true, required = true)
  protected MavenSession session;

  /**
   * Skips every goal of this plugin.
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.skip", defaultValue = "false")
  protected boolean skip;

  /**
   * The format of the converted disks: {@code qcow2} (default) or {@code raw}. {@code convert}
   * writes it, {@code containerize} wraps it, and every goal names the disks' files with it.
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.format", defaultValue = "qcow2")
  protected String format;

  /**
   * The input disk image, short for a one-element {@code <disks>}. Default: the disks of the VM's
   * description ({@code <definition>}, or the one in {@code src/main/vm/}), else the one disk image
   * in {@code src/main/vm/}, that is a file whose
   * name says it is a disk ({@code .qcow2}, {@code .vmdk}, {@code .vdi}, {@code .vhd}, {@code .vhdx},
   * {@code .qed}, {@code .ova}, {@code .img}, {@code .raw}) or whose content is one (a format
   * detected from content, or a raw disk of whole 512-byte sectors). A hypervisor's other files
   * ({@code .vmx}, {@code .nvram}, {@code .vmsd}, {@code .vmxf}, {@code .vbox}, libvirt
   * {@code .xml}, {@code .ovf}, {@code .mf}, logs, {@code .iso}...), dotfiles, cloud-init files and
   * text ({@code *.yaml}, {@code *.txt}, {@code *.md}, {@code *.json}...) are never candidates, and
   * the extents a VMDK descriptor names are part of its disk, so a VMware, VirtualBox, virt-manager
   * or OVF export folder copied as it is has one. The build fails listing the candidates when there
   * is none or several. A VM description given here ({@code .vmx}, {@code .vbox}...) is refused:
   * name it with {@code <definition>} instead.
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.source")
  protected File source;

  /**
   * The VM's own description, read for its CPU, memory, firmware, disks and NICs: an OVF
   * ({@code .ovf}), an OVA, a libvirt domain XML, a VMware {@code .vmx} or a VirtualBox
   * {@code .vbox}. Default: the one description in {@code src/main/vm/}, if any (several fail the
   * build). What the POM sets wins over it; the build log says where each setting came from.
   *
   * @since 0.2.0
   */
  @Parameter(property = "vm.definition")
  protected File definition;

  /**
   * The VM's disks, in boot order unless one says {@code <boot>true</boot>}:
   * {@code <disks><disk><name>data</name><source>src/main/vm/data.qcow2</source><bus>sata</bus></disk></disks>}.
   * Each field is optional: {@code <name>} (a DNS label; a described disk's name overrides that
   * disk), {@code <source>} (its disk image, in the project folder), {@code <bus>} ({@code virtio},
   * {@code sata}, {@code scsi}, {@code usb}), {@code <boot>}, {@code <image>} (its containerDisk
   * image; default {@code <image repository>-<disk name>:<tag>}). Without a description every disk
   * needs a {@code <source>}. Each disk is converted to its own file and image.
   *
   * @since 0.2.0
   */
  @Parameter
  protected List<VmDiskConfig> disks;

  /**
   * The OVF deployment option ({@code DeploymentOptionSection}) whose hardware is read; default the
   * OVF's default configuration.
   *
   * @since 0.2.0
   */
  @Parameter(property = "vm.ovfConfiguration")
  protected String ovfConfiguration;

  /**
   * How a described VM's disk buses and NIC models are mapped: {@code compatible} (default; the
   * bus and model the guest already has drivers for, e.g. {@code sata} for a VMware LSI SAS disk,
   * {@code e1000e} for an E1000E) or {@code virtio} (fastest; for guests with virtio drivers).
   * Wins over {@code <vm><devices>}.
   *
   * @since 0.2.0
   */
  @Parameter(property = "vm.devices")
  protected String devices;

  @Override
  public final void execute() throws MojoExecutionException, MojoFailureException {
    if (skip || goalSkipped()) {
      getLog().info("Skipping vm-packager:" + goal());
      return;
    }
    doExecute();
  }

  /** @return this goal's name, for messages */
  protected abstract String goal();

  /** @return whether {@code vm.<goal>.skip} is set */
  protected abstract boolean goalSkipped();

  /** Does the goal's work once skipping has been decided. */
  protected abstract void doExecute() throws MojoExecutionException, MojoFailureException;

  /** @return the core's view of the Maven log */
  protected BuildListener listener() {
    return new MavenLogListener(getLog());
  }

  /**
   * @param vm the {@code <vm>} element, may be null
   * @return the VM's name: {@code <vm><name>} as written, or the artifactId made a DNS label
   *     (logged when that changed it)
   */
  protected String vmName(VmConfig vm) {
    if (vm != null && vm.getName() != null && !vm.getName().isBlank()) {
      return vm.getName().trim();
    }
    return derived("VM name", Names.vmName(project.getArtifactId()), "artifactId", project.getArtifactId());
  }

  /**
   * A default taken from the project's coordinates that had to be changed to be valid is said at
   * info level, so the user sees where the name came from.
   *
   * @param what the name's role, e.g. {@code chart name}
   * @param value the valid default
   * @param source where it came from, e.g. {@code artifactId}
   * @param original the value of {@code source}
   * @return {@code value}
   */
  protected String derived(String what, String value, String source, String original) {
    if (!value.equals(original)) {
      getLog().info(what + " '" + value + "' (from " + source + " '" + original + "')");
    }
    return value;
  }

  /**
   * @param format the {@code format} parameter
   * @return the lower-case output format, checked
   */
  protected static String outputFormat(String format) throws MojoFailureException {
    String f = format == null ? "qcow2" : format.trim().toLowerCase(Locale.ROOT);
    if (!f.equals("qcow2") && !f.equals("raw")) {
      throw new MojoFailureException("<format> (vm.format) must be qcow2 or raw, not '" + format + "'");
    }
    return f;
  }

  /**
   * @param vm the {@code <vm>} element, may be null
   * @param format the {@code format} parameter
   * @return {@code target/vm/<vm name>.<format>}, where {@code convert} writes and {@code containerize} reads
   */
  protected Path convertedDisk(VmConfig vm, String format) throws MojoFailureException {
    return buildDirectory().resolve("vm").resolve(vmName(vm) + "." + outputFormat(format));
  }

  /**
   * @param chartVersion the {@code chartVersion} parameter
   * @return the chart's version: {@code <chartVersion>} checked, or the project version made SemVer
   */
  protected String chartVersion(String chartVersion) throws MojoFailureException {
    if (chartVersion != null && !chartVersion.isBlank()) {
      String v = chartVersion.trim();
      if (!ChartVersions.isSemVer(v)) {
        throw new MojoFailureException("<chartVersion> (vm.chart.version) '" + v
            + "' is not a SemVer 2 version such as 1.2.3 or 1.2.3-SNAPSHOT, which Helm requires");
      }
      return v;
    }
    return ChartVersions.fromMavenVersion(project.getVersion()).orElseThrow(() -> new MojoFailureException(
        "The project version '" + project.getVersion() + "' cannot be made a SemVer chart version;"
            + " set <chartVersion> (vm.chart.version), e.g. 1.0.0"));
  }

  /**
   * @param chartName the {@code chartName} parameter
   * @return the chart's name: {@code <chartName>} as written (the chart goal checks it), or the
   *     artifactId made a valid chart name
   */
  protected String chartName(String chartName) {
    if (chartName != null && !chartName.isBlank()) {
      return chartName.trim();
    }
    return derived("chart name", Names.chartName(project.getArtifactId()), "artifactId", project.getArtifactId());
  }

  /**
   * @param chartName the chart's name
   * @param chartVersion the chart's version
   * @return {@code target/<chart>-<version>.tgz}, where {@code chart} packages and {@code push} reads
   */
  protected Path chartPackage(String chartName, String chartVersion) {
    return buildDirectory().resolve(chartName + "-" + chartVersion + ".tgz");
  }

  /**
   * @param outputTimestamp the {@code outputTimestamp} parameter
   * @return {@code outputTimestamp}, then {@code SOURCE_DATE_EPOCH}, then the epoch (a
   *     one-character value is Maven's way to switch the timestamp off)
   */
  protected static Instant buildTimestamp(String outputTimestamp) throws MojoFailureException {
    String t = outputTimestamp;
    String what = "project.build.outputTimestamp";
    if (t == null || t.trim().length() < 2) {
      t = System.getenv("SOURCE_DATE_EPOCH");
      what = "SOURCE_DATE_EPOCH";
    }
    if (t == null || t.isBlank()) {
      return Instant.EPOCH;
    }
    t = t.trim();
    try {
      if (t.matches("^[0-9]+$")) {
        return Instant.ofEpochSecond(Long.parseLong(t));
      }
      return OffsetDateTime.parse(t).toInstant().truncatedTo(ChronoUnit.SECONDS);
    } catch (DateTimeParseException | NumberFormatException e) {
      throw new MojoFailureException(what + " '" + t + "' is neither an ISO-8601 date-time with offset"
          + " (e.g. 2026-01-01T00:00:00Z) nor seconds since the epoch", e);
    }
  }

  /**
   * Resolves the VM every goal packages ({@link VmResolver}) from the POM, the VM's description
   * and the defaults. Only what the user set goes into the {@link PomVm}, so that no default hides
   * the description's value.
   *
   * @param vm the {@code <vm>} element, may be null
   * @param image the boot disk's image reference, or null where the goal has no {@code <image>}
   * @return the VM
   * @throws MojoFailureException when a setting or the description is wrong, naming it
   */
  protected Vm resolveVm(VmConfig vm, String image) throws MojoFailureException {
    VmResolver resolver = resolver();
    try {
      return resolver.resolve(pomVm(vm, image), description(resolver));
    } catch (VmConfigException e) {
      throw new MojoFailureException(e.getMessage(), e);
    } catch (IOException e) {
      throw new MojoFailureException(e.getMessage(), e);
    }
  }

  /**
   * @return whether the POM names the VM's disks or description, or {@code src/main/vm/} holds a
   *     description: then the VM is more than today's one disk
   */
  protected boolean describesVm() throws MojoFailureException {
    if (definition != null || (disks != null && !disks.isEmpty()) || !blankString(ovfConfiguration)) {
      return true;
    }
    try {
      return !VmDescriptions.candidates(resolver().vmFolder()).isEmpty();
    } catch (IOException e) {
      throw new MojoFailureException("Cannot list " + resolver().vmFolder() + ": " + e.getMessage(), e);
    }
  }

  private VmResolver resolver() {
    // The resolver refuses an artifactId that is no DNS label; the goals have always made it one.
    return new VmResolver(projectDirectory(), Names.vmName(project.getArtifactId()), project.getVersion());
  }

  /** @return the project's folder; a project without a POM file (as in tests) is the build directory's parent */
  protected Path projectDirectory() {
    return project.getBasedir() != null ? project.getBasedir().toPath() : buildDirectory().toAbsolutePath().getParent();
  }

  private Optional<VmDescription> description(VmResolver resolver) throws VmConfigException, IOException {
    Optional<String> ovf = blankString(ovfConfiguration) ? Optional.empty() : Optional.of(ovfConfiguration.strip());
    return resolver.findDescription(definition == null ? null : definition.toPath(), ovf);
  }

  private PomVm pomVm(VmConfig vm, String image) {
    PomVm.Builder b = PomVm.builder()
        .format(format)
        .source(source == null ? null : source.toPath())
        .image(blankString(image) || image.strip().equals(Names.vmName(project.getArtifactId()) + "-containerdisk:"
            + project.getVersion()) ? null : image.strip())
        .devices(blankString(devices) ? (vm == null ? null : vm.getDevices()) : devices,
            blankString(devices) ? "<vm><devices>" : "vm.devices");
    if (vm == null || blankString(vm.getName())) {
      vmName(vm); // logs a name made from the artifactId
    }
    if (vm != null) {
      b.name(vm.getName()).memory(vm.getMemory()).cpuSockets(vm.getCpuSockets()).cpuCores(vm.getCpuCores())
          .cpuThreads(vm.getCpuThreads()).firmware(vm.getFirmware()).secureBoot(vm.getSecureBoot())
          .machineType(vm.getMachineType()).diskBus(vm.getDiskBus());
      for (NicConfig n : vm.getNics()) {
        b.addNic(new PomVm.PomNic(n.getModel(), n.getMacAddress(), n.getNetwork()));
      }
    }
    if (disks != null) {
      for (VmDiskConfig d : disks) {
        b.addDisk(new PomVm.PomDisk(d.getName(), d.getSource() == null ? null : d.getSource().toPath(), d.getBus(),
            d.getBoot(), d.getImage()));
      }
    }
    return b.build();
  }

  private static boolean blankString(String s) {
    return s == null || s.isBlank();
  }

  /**
   * @return {@code target/<finalName>-vm.oci.tar}, where {@code vm-artifact} writes KubeVirt's VM
   *     artifact and {@code push} reads it
   */
  protected Path vmArtifactFile() {
    return buildDirectory().resolve(project.getBuild().getFinalName() + "-vm.oci.tar");
  }

  /** @return the project's build directory ({@code target/}) */
  protected Path buildDirectory() {
    return Path.of(project.getBuild().getDirectory());
  }
}
