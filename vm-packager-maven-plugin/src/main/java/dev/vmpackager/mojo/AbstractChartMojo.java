package dev.vmpackager.mojo;

import dev.vmpackager.chart.ChartConfigException;
import dev.vmpackager.chart.ChartDisk;
import dev.vmpackager.chart.ChartNic;
import dev.vmpackager.chart.ChartSpec;
import dev.vmpackager.chart.CloudInit;
import dev.vmpackager.chart.ExtraDisk;
import dev.vmpackager.chart.Maintainer;
import dev.vmpackager.chart.ServicePort;
import dev.vmpackager.chart.UsbDeviceRequest;
import dev.vmpackager.disk.convert.SourceDiscovery;
import dev.vmpackager.image.ImageException;
import dev.vmpackager.image.ImageState;
import dev.vmpackager.vm.Setting;
import dev.vmpackager.vm.Vm;
import dev.vmpackager.vm.VmDisk;
import dev.vmpackager.vm.VmNic;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.maven.model.Developer;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * The goals that build on the chart's settings: {@code chart} writes the chart, {@code vm-artifact}
 * the VM the chart renders with its default values, {@code deployment-package} the Edge Orchestrator
 * package that installs the chart. The {@code <vm>} settings, the chart's name, version and files and
 * the USB devices are read here into one checked {@link ChartSpec}; every such goal reads every
 * parameter here, so each lists them.
 */
public abstract class AbstractChartMojo extends AbstractImageMojo {

  /**
   * The VirtualMachine, set in the POM ({@code <vm><memory>2Gi</memory><cpuCores>2</cpuCores></vm>}),
   * over what the VM's description ({@code <definition>}) says, which is over the defaults below:
   * its fields are not {@code -D} user properties ({@code -Dvm.memory=4Gi} does nothing). Each
   * becomes a value of the chart's {@code values.yaml}, which a deployer changes at install time,
   * e.g. {@code helm install ... --set vm.memory=4Gi}. The fields, with their defaults:
   * <ul>
   *   <li>{@code name}: {@code metadata.name} of the VirtualMachine, also the disk's file name
   *       ({@code target/vm/<name>.<format>}, {@code /disk/<name>.<format>}); default the artifactId
   *       made a DNS label (lower case, other characters replaced by {@code -}, at most 53)</li>
   *   <li>{@code memory}: guest memory, a Kubernetes quantity such as {@code 512Mi} or {@code 2Gi};
   *       default {@code 1Gi}</li>
   *   <li>{@code cpuCores}, {@code cpuSockets}, {@code cpuThreads}: the CPU topology; default 1 each</li>
   *   <li>{@code cpuModel}: e.g. {@code host-passthrough}; default KubeVirt's</li>
   *   <li>{@code instancetype}: {@code <name>} and {@code <kind>}
   *       ({@code VirtualMachineClusterInstancetype}, the default, or {@code VirtualMachineInstancetype})
   *       of an instancetype giving CPU and memory, so {@code memory} and {@code cpu*} must not be set
   *       too; default none</li>
   *   <li>{@code preference}: {@code <name>} and {@code <kind>} ({@code VirtualMachineClusterPreference},
   *       the default, or {@code VirtualMachinePreference}) of a preference; default none</li>
   *   <li>{@code nodeSelector}: node labels the VM's pod must match,
   *       {@code <property><name>kubernetes.io/arch</name><value>amd64</value></property>}; default none</li>
   *   <li>{@code runStrategy}: {@code Always} (default), {@code Halted}, {@code Manual},
   *       {@code RerunOnFailure} or {@code Once}</li>
   *   <li>{@code firmware}: {@code bios} (default) or {@code efi}</li>
   *   <li>{@code secureBoot}: with {@code efi}, UEFI Secure Boot and the SMM feature it needs; default
   *       false</li>
   *   <li>{@code machineType}: e.g. {@code q35}; default KubeVirt's</li>
   *   <li>{@code diskBus}: every disk's bus unless its {@code <disks><disk><bus>} says otherwise,
   *       {@code virtio} (default; with a description, the bus its controller maps to), {@code sata},
   *       {@code scsi} or {@code usb}</li>
   *   <li>{@code terminationGracePeriodSeconds}: seconds KubeVirt waits for the guest to shut down;
   *       default 180</li>
   *   <li>{@code cloudInit}: a cloud-init user-data file ({@code #cloud-config} YAML or a {@code #!}
   *       script); it goes into the chart's Secret, so plain-text passwords in it are warned about;
   *       default none</li>
   *   <li>{@code cloudInitNetworkData}: a cloud-init network-data file, in the same Secret; default none</li>
   *   <li>{@code cloudInitType}: {@code nocloud} (default, {@code cloudInitNoCloud}) or
   *       {@code configDrive} (e.g. Windows with cloudbase-init)</li>
   *   <li>{@code cloudInitExistingSecret}: a Secret the deployer creates in the release's namespace
   *       with the user-data (key {@code userdata}) and/or network data (key {@code networkdata}); the
   *       chart then carries no cloud-init data (do not set {@code cloudInit} or
   *       {@code cloudInitNetworkData}) and its value {@code cloudInit.existingSecret} defaults to this
   *       name; default none</li>
   *   <li>{@code ports}: {@code <port><name>http</name><port>8080</port><protocol>TCP</protocol></port>}
   *       entries, on the VM's interface and a Service; default none</li>
   *   <li>{@code storage}: {@code containerDisk} (default, ephemeral) or {@code dataVolume} (CDI imports
   *       the image into a PVC)</li>
   *   <li>{@code storageSize}: with {@code dataVolume}, the PVC size, e.g. {@code 10Gi}; required there</li>
   *   <li>{@code storageClass}: with {@code dataVolume}; default the cluster's default class</li>
   *   <li>{@code storagePullMethod}: with {@code dataVolume}, {@code node} (default, the kubelet pulls)
   *       or {@code pod} (CDI's importer pulls)</li>
   *   <li>{@code storageSecretRef}, {@code storageCertConfigMap}: with {@code dataVolume} and
   *       {@code pod}, the Secret with the registry's {@code accessKeyId}/{@code secretKey} and the
   *       ConfigMap with its CA certificates; default none</li>
   *   <li>{@code devices}: how a described VM's disk buses and NIC models are mapped,
   *       {@code compatible} (default: what the guest has drivers for) or {@code virtio}; the
   *       {@code vm.devices} property wins over it</li>
   *   <li>{@code nics}: the VM's network adapters,
   *       {@code <nic><model>e1000e</model><macAddress>02:00:00:00:00:01</macAddress><network>vlan-10</network></nic>}
   *       (every field optional), overriding a description's NICs by position and adding NICs after
   *       them; the first is on the pod network, each other one on a Multus network (a chart value);
   *       default the description's NICs, else one on the pod network</li>
   *   <li>{@code extraDisks}: data disks besides the root disk,
   *       {@code <disk><name>data</name><emptyDiskCapacity>2Gi</emptyDiskCapacity></disk>} or with
   *       {@code <persistentVolumeClaim>claim</persistentVolumeClaim>} and an optional {@code <bus>};
   *       default none</li>
   * </ul>
   *
   * @since 0.1.0
   */
  @Parameter
  VmConfig vm;

  /**
   * The chart's name; default the artifactId made a valid chart name (lower case, other characters
   * replaced by {@code -}, at most 63), logged when that changes it. A name written here must
   * already be valid: lower-case letters, digits and {@code -}.
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.chart.name")
  String chartName;

  /**
   * The chart's SemVer version; default the project version made SemVer
   * ({@code 1.0-SNAPSHOT} becomes {@code 1.0.0-SNAPSHOT}).
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.chart.version")
  String chartVersion;

  /**
   * The chart's {@code appVersion}; default the project version.
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.chart.appVersion")
  String appVersion;

  /**
   * The chart's description; default the project description.
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.chart.description")
  String description;

  /**
   * The USB devices the cluster exposes, as the Virtualization package writes them: tuples split
   * by {@code ,}, each {@code <resource name>;<vendor id>;<product id>} with 4-hex-digit ids
   * without {@code 0x}, e.g. {@code kubevirt.io/wifi-dongle;0bda;0811,kubevirt.io/gsm-dongle;0bda;2838}.
   * The chart's NOTES and {@code kubevirt-usb.yaml} carry it and the matching KubeVirt
   * {@code permittedHostDevices.usb} snippet for the cluster operator.
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.usbList")
  String usbList;

  /**
   * The USB devices the VM is given:
   * {@code <device><resource>kubevirt.io/wifi-dongle</resource><count>3</count></device>}, or one
   * device with an explicit {@code <name>}. They become {@code hostDevices} named
   * {@code wifi-dongle-1}, {@code wifi-dongle-2}... (a resource asked for once keeps its short
   * name). Each resource must be declared in {@code usbList}.
   *
   * @since 0.1.0
   */
  @Parameter
  List<UsbDeviceConfig> usbDevices;

  /**
   * The user's own chart files, laid over the generated chart: extra templates, a README, a
   * {@code values.yaml} whose values override the generated ones.
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.chart.sourceDirectory", defaultValue = "${project.basedir}/src/main/helm")
  File helmSourceDirectory;

  /** @return whether this goal logs the VM model and its warnings (the chart goal, which runs first, does) */
  protected boolean logsVm() {
    return true;
  }

  /** @return whether the chart's images are pinned to their built digests ({@code chart} only) */
  protected boolean pinDigest() {
    return false;
  }

  /** Reads the parameters into the checked, immutable chart settings. */
  ChartSpec spec() throws MojoFailureException {
    VmConfig v = vm == null ? new VmConfig() : vm;
    String imageReference = imageReference();
    ChartSpec.Builder b = ChartSpec.builder()
        .name(chartName(chartName))
        .version(chartVersion(chartVersion))
        .appVersion(blank(appVersion) ? project.getVersion() : appVersion.trim())
        .description(blank(description) ? project.getDescription() : description)
        .home(project.getUrl())
        .image(imageReference)
        .runStrategy(v.getRunStrategy())
        .cpuModel(v.getCpuModel())
        .instancetype(v.getInstancetype() == null ? null : v.getInstancetype().getName(),
            v.getInstancetype() == null ? null : v.getInstancetype().getKind())
        .preference(v.getPreference() == null ? null : v.getPreference().getName(),
            v.getPreference() == null ? null : v.getPreference().getKind())
        .terminationGracePeriodSeconds(v.getTerminationGracePeriodSeconds())
        .storage(v.getStorage())
        .storageSize(v.getStorageSize())
        .storageClass(v.getStorageClass())
        .storagePullMethod(lower(v.getStoragePullMethod()))
        .storageSecretRef(v.getStorageSecretRef())
        .storageCertConfigMap(v.getStorageCertConfigMap())
        .usbList(usbList)
        .userChartDirectory(helmSourceDirectory == null ? null : helmSourceDirectory.toPath());
    Optional<Vm> model = model(v, imageReference);
    if (model.isEmpty()) {
      // No description, no <disks>, no disk found: the chart's VM is the POM's alone, as it has always been.
      b.vmName(vmName(vm))
          .memory(v.getMemory())
          .cpuCores(v.getCpuCores())
          .cpuSockets(v.getCpuSockets())
          .cpuThreads(v.getCpuThreads())
          .firmware(lower(v.getFirmware()))
          .secureBoot(v.getSecureBoot())
          .machineType(v.getMachineType())
          .diskBus(lower(v.getDiskBus()));
    } else {
      hardware(b, model.get(), v);
    }
    if (project.getScm() != null) {
      b.addSource(project.getScm().getUrl());
    }
    for (Developer d : project.getDevelopers()) {
      b.addMaintainer(new Maintainer(blank(d.getName()) ? d.getId() : d.getName(), d.getEmail(), d.getUrl()));
    }
    for (PortConfig p : v.getPorts()) {
      String protocol = p.getProtocol() == null ? "TCP" : p.getProtocol().trim().toUpperCase(Locale.ROOT);
      b.addPort(new ServicePort(p.getName() == null ? null : p.getName().trim(), p.getPort(), protocol));
    }
    if (v.getNodeSelector() != null) {
      for (String key : new java.util.TreeSet<>(v.getNodeSelector().stringPropertyNames())) {
        b.nodeSelector(key, v.getNodeSelector().getProperty(key));
      }
    }
    for (DiskConfig d : v.getExtraDisks()) {
      b.addExtraDisk(new ExtraDisk(d.getName(), lower(d.getBus()), d.getEmptyDiskCapacity(), d.getPersistentVolumeClaim()));
    }
    if (usbDevices != null) {
      for (UsbDeviceConfig d : usbDevices) {
        b.addUsbDevice(new UsbDeviceRequest(d.getResource() == null ? null : d.getResource().trim(), d.getCount(), d.getName()));
      }
    }
    try {
      if (v.getCloudInit() != null) {
        Path userData = inBasedir(v.getCloudInit());
        String text = CloudInit.read(userData);
        if (logsVm()) {
          CloudInit.plainTextPasswords(text, userData.toString()).forEach(getLog()::warn);
        }
        b.cloudInitUserData(text);
      }
      if (v.getCloudInitNetworkData() != null) {
        b.cloudInitNetworkData(CloudInit.readNetworkData(inBasedir(v.getCloudInitNetworkData())));
      }
      b.cloudInitType(v.getCloudInitType());
      b.cloudInitExistingSecret(v.getCloudInitExistingSecret());
      if (pinDigest()) {
        b.imageDigest(pinnedDigest(imageReference));
      }
      return b.build();
    } catch (ChartConfigException e) {
      throw new MojoFailureException(e.getMessage(), e);
    }
  }

  /**
   * The VM model, logged here (once per build: the chart goal runs first, in prepare-package),
   * unless nothing describes more than the POM's one disk and no disk is there to resolve, as in
   * a chart for an image built elsewhere.
   */
  private Optional<Vm> model(VmConfig v, String imageReference) throws MojoFailureException {
    if (!describesVm() && source == null && !discoverable()) {
      return Optional.empty();
    }
    Vm m = resolveVm(v, imageReference);
    if (logsVm()) {
      m.logLines().forEach(getLog()::info);
      m.warnings().forEach(getLog()::warn);
    }
    return Optional.of(m);
  }

  protected boolean discoverable() {
    try {
      SourceDiscovery.single(projectDirectory().resolve("src").resolve("main").resolve("vm"));
      return true;
    } catch (SourceDiscovery.Problem | IOException e) {
      return false;
    }
  }

  /**
   * Maps the model onto the chart. CPU and memory are written only when the POM or the
   * description states them, so a default never contradicts an instancetype; the boot disk is the
   * root disk ({@code image}, {@code diskBus}); the NICs only when the description or
   * {@code <vm><nics>} gives them, else the chart keeps its single pod interface.
   */
  private void hardware(ChartSpec.Builder b, Vm m, VmConfig v) throws MojoFailureException {
    b.vmName(m.name().value())
        .firmware(m.firmware().value())
        .secureBoot(m.secureBoot().value())
        .machineType(m.machineType().value())
        .diskBus(m.bootDisk().bus().value());
    if (sizes(m.memory(), v)) {
      b.memory(m.memory().value());
    }
    if (sizes(m.cpuSockets(), v)) {
      b.cpuSockets(m.cpuSockets().value());
    }
    if (sizes(m.cpuCores(), v)) {
      b.cpuCores(m.cpuCores().value());
    }
    if (sizes(m.cpuThreads(), v)) {
      b.cpuThreads(m.cpuThreads().value());
    }
    List<ChartDisk> others = new ArrayList<>();
    for (VmDisk d : m.disks().subList(1, m.disks().size())) {
      String reference = d.image().value();
      // With dataVolume storage each disk needs a PVC size before convert has run: the size the
      // description declares, rounded up to whole GiB, else the VM's <storageSize>.
      String size = d.capacityBytes().isPresent()
          ? ((d.capacityBytes().getAsLong() + (1L << 30) - 1) >> 30) + "Gi"
          : (v.getStorageSize() == null ? "" : v.getStorageSize());
      others.add(ChartDisk.named(d.name()).withBus(d.bus().value()).withImage(reference)
          .withImageDigest(pinDigest() ? pinnedDigest(reference) : "").withStorage("", size, ""));
    }
    b.disks(others);
    if (m.description().isPresent() || !v.getNics().isEmpty()) {
      List<ChartNic> nics = new ArrayList<>();
      for (VmNic n : m.nics()) {
        nics.add(new ChartNic(n.name(), n.model().value(), n.macAddress().map(Setting::value).orElse(""),
            n.network().map(Setting::value).orElse("")));
      }
      b.nics(nics);
    }
  }

  /**
   * @return whether the chart writes this CPU or memory setting: the POM's always (with an
   *     instancetype that is the error it has always been), the description's unless an
   *     instancetype gives the VM its size
   */
  private static boolean sizes(Setting<?> s, VmConfig v) {
    return s.from() == Setting.From.POM || (s.isStated() && v.getInstancetype() == null);
  }

  /** A relative file is relative to the project's folder, not to Maven's working directory. */
  private Path inBasedir(File file) {
    Path f = file.toPath();
    return f.isAbsolute() ? f : project.getBasedir().toPath().resolve(f);
  }

  private String pinnedDigest(String reference) throws MojoFailureException {
    try {
      ImageState state = ImageState.of(buildDirectory().resolve("vm"), parsedImageReference(reference));
      Optional<String> digest = state.digest();
      if (digest.isEmpty()) {
        getLog().warn("vm.image.pinDigest is set but " + state.digestFile() + " does not exist (containerize has not"
            + " built " + reference + "); the chart refers to the image by tag");
      }
      return digest.orElse("");
    } catch (ImageException | IllegalArgumentException e) {
      throw new MojoFailureException(e.getMessage() + ", or unset vm.image.pinDigest", e);
    }
  }


  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static String lower(String s) {
    return s == null ? null : s.trim().toLowerCase(Locale.ROOT);
  }
}

