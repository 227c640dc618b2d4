package dev.vmpackager.chart;

import dev.vmpackager.io.Digests;
import dev.vmpackager.registry.ImageReference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything the generated chart says, checked: Chart.yaml metadata, the VM's defaults (which
 * become {@code values.yaml}), the cloud-init user-data and where the user's own chart files are.
 * Immutable; made with {@link #builder()}, whose {@link Builder#build()} validates every setting
 * and names the POM parameter at fault.
 */
public final class ChartSpec {

  /** KubeVirt release the generated resources were tested against. */
  public static final String KUBEVIRT_TESTED = "1.7.1";
  /** KubeVirt release line of the strict schemas the generated resources are validated against. */
  public static final String KUBEVIRT_SCHEMAS = "1.6";
  /** CDI release whose DataVolume API the dataVolume storage was checked against. */
  public static final String CDI_VERSION = "1.64.0";
  /** The Kubernetes versions the chart declares (KubeVirt 1.6/1.7 need a recent cluster). */
  public static final String KUBE_VERSION = ">=1.28.0-0";

  /** Helm's best-practice chart name: lower case, digits, dashes. */
  private static final Pattern CHART_NAME = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  /** A DNS-1123 label; short enough to leave room for the "-cloudinit" and "-rootdisk" suffixes. */
  private static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$");
  /** A Kubernetes memory quantity: a number and an optional binary or decimal suffix. */
  static final Pattern MEMORY = Pattern.compile("^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$");
  /** An IANA service name as Kubernetes checks a port name. */
  private static final Pattern PORT_NAME = Pattern.compile("^(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$");
  private static final Pattern TAG = Pattern.compile(ImageReference.TAG_REGEX);
  private static final Pattern REPOSITORY = Pattern.compile(ImageReference.REPOSITORY_REGEX);
  private static final Pattern STORAGE_CLASS = Pattern.compile("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$");
  private static final Pattern APP_VERSION = Pattern.compile("^[A-Za-z0-9][-A-Za-z0-9_.+]{0,62}$");
  /** A DNS-1123 subdomain, as instancetype and preference names are. */
  private static final Pattern RESOURCE_NAME = Pattern.compile("^(?=.{1,253}$)[a-z0-9]([-a-z0-9.]*[a-z0-9])?$");
  /** The instancetype kinds, the default (cluster-wide) first. */
  public static final List<String> INSTANCETYPE_KINDS =
      List.of("VirtualMachineClusterInstancetype", "VirtualMachineInstancetype");
  /** The preference kinds, the default (cluster-wide) first. */
  public static final List<String> PREFERENCE_KINDS =
      List.of("VirtualMachineClusterPreference", "VirtualMachinePreference");
  /** A Kubernetes label key: optional DNS-subdomain prefix and '/', then a name. */
  static final Pattern LABEL_KEY = Pattern.compile(
      "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$");
  /** A Kubernetes label value (may be empty). */
  static final Pattern LABEL_VALUE = Pattern.compile("^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$");
  /** The cloud-init data sources, the default first. */
  public static final List<String> CLOUD_INIT_TYPES = List.of("nocloud", "configDrive");
  /** CDI registry pull methods, the default first. */
  public static final List<String> PULL_METHODS = List.of("node", "pod");
  private static final Pattern DISK_NAME = Pattern.compile("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$");
  private static final Pattern CPU_MODEL = Pattern.compile("^[A-Za-z0-9][-A-Za-z0-9_.]{0,62}$");
  private static final Pattern MACHINE_TYPE = Pattern.compile("^[A-Za-z0-9][-A-Za-z0-9_.]*$");
  /**
   * The buses of extra disks, and those {@code vm.diskBus} of a one-disk chart takes at install
   * time unless built with usb: its schema has always allowed these three and stays byte for byte
   * the same.
   */
  static final List<String> CLASSIC_DISK_BUSES = List.of("virtio", "sata", "scsi");
  /** The buses KubeVirt accepts for a disk ({@code ide} it rejects). */
  public static final List<String> DISK_BUSES = List.of("virtio", "sata", "scsi", "usb");
  /** The NIC models KubeVirt accepts ({@code igb} since 1.4); empty means its default, virtio. */
  public static final List<String> NIC_MODELS = List.of("e1000", "e1000e", "igb", "ne2k_pci", "pcnet", "rtl8139", "virtio");
  /** A unicast MAC address, colon- or dash-separated, as KubeVirt reads {@code macAddress}. */
  static final Pattern MAC_ADDRESS = Pattern.compile(
      "^[0-9A-Fa-f][02468ACEace](:[0-9A-Fa-f]{2}){5}$|^[0-9A-Fa-f][02468ACEace](-[0-9A-Fa-f]{2}){5}$");
  /** A Multus network: a NetworkAttachmentDefinition's name, optionally {@code namespace/} first. */
  static final Pattern NETWORK = Pattern.compile(
      "^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?/)?[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$");
  /** The name of the pod network's interface, the first NIC. */
  static final String POD_NIC = "default";

  /** Ways to hold the root disk. */
  public enum StorageType {
    /** Ephemeral: the image is the disk, a writable overlay per run. */
    containerDisk,
    /** CDI imports the image into a PVC the VM keeps. */
    dataVolume
  }

  private final String name;
  private final String version;
  private final String appVersion;
  private final String description;
  private final String home;
  private final List<String> sources;
  private final List<Maintainer> maintainers;
  private final String imageRepository;
  private final String imageTag;
  private final String imageDigest;
  private final String imagePullPolicy;
  private final String vmName;
  private final RunStrategy runStrategy;
  private final String memory;
  private final int cpuCores;
  private final int cpuSockets;
  private final int cpuThreads;
  private final String cpuModel;
  private final String instancetypeName;
  private final String instancetypeKind;
  private final String preferenceName;
  private final String preferenceKind;
  private final java.util.SortedMap<String, String> nodeSelector;
  private final String firmware;
  private final boolean secureBoot;
  private final String machineType;
  private final String diskBus;
  private final int terminationGracePeriodSeconds;
  private final StorageType storage;
  private final String storageSize;
  private final String storageClass;
  private final String storagePullMethod;
  private final String storageSecretRef;
  private final String storageCertConfigMap;
  private final List<ExtraDisk> extraDisks;
  private final List<ChartDisk> disks;
  private final List<ChartNic> nics;
  private final List<UsbResource> usbList;
  private final List<HostDevice> hostDevices;
  private final String cloudInitUserData;
  private final String cloudInitNetworkData;
  private final String cloudInitType;
  private final String cloudInitExistingSecret;
  private final String serviceType;
  private final List<ServicePort> ports;
  private final Path userChartDirectory;

  private ChartSpec(Builder b, RunStrategy runStrategy, StorageType storage, List<UsbResource> usbList,
      List<HostDevice> hostDevices, String[] image, String cloudInitType, List<ChartDisk> disks, List<ChartNic> nics) {
    this.name = b.name;
    this.version = b.version;
    this.appVersion = b.appVersion;
    this.description = b.description;
    this.home = b.home;
    this.sources = List.copyOf(b.sources);
    this.maintainers = List.copyOf(b.maintainers);
    this.imageRepository = image[0];
    this.imageTag = image[1];
    this.imageDigest = image[2];
    this.imagePullPolicy = b.imagePullPolicy;
    this.vmName = b.vmName;
    this.runStrategy = runStrategy;
    this.memory = b.memory;
    this.cpuCores = b.cpuCores;
    this.cpuSockets = b.cpuSockets;
    this.cpuThreads = b.cpuThreads;
    this.cpuModel = b.cpuModel;
    this.instancetypeName = b.instancetypeName;
    this.instancetypeKind = b.instancetypeKind;
    this.preferenceName = b.preferenceName;
    this.preferenceKind = b.preferenceKind;
    this.nodeSelector = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(b.nodeSelector));
    this.firmware = b.firmware;
    this.secureBoot = b.secureBoot;
    this.machineType = b.machineType;
    this.diskBus = b.diskBus;
    this.terminationGracePeriodSeconds = b.terminationGracePeriodSeconds;
    this.storage = storage;
    this.storageSize = b.storageSize;
    this.storageClass = b.storageClass;
    this.storagePullMethod = b.storagePullMethod;
    this.storageSecretRef = b.storageSecretRef;
    this.storageCertConfigMap = b.storageCertConfigMap;
    this.extraDisks = List.copyOf(b.extraDisks);
    this.disks = List.copyOf(disks);
    this.nics = List.copyOf(nics);
    this.usbList = List.copyOf(usbList);
    this.hostDevices = List.copyOf(hostDevices);
    this.cloudInitUserData = b.cloudInitUserData;
    this.cloudInitNetworkData = b.cloudInitNetworkData;
    this.cloudInitType = cloudInitType;
    this.cloudInitExistingSecret = b.cloudInitExistingSecret;
    this.serviceType = b.serviceType;
    this.ports = List.copyOf(b.ports);
    this.userChartDirectory = b.userChartDirectory;
  }

  /** @return a builder with the documented defaults */
  public static Builder builder() {
    return new Builder();
  }

  /** @return the chart's name */
  public String name() { return name; }
  /** @return the chart's SemVer version */
  public String version() { return version; }
  /** @return the chart's appVersion */
  public String appVersion() { return appVersion; }
  /** @return the chart's description */
  public String description() { return description; }
  /** @return the project's home page, if any */
  public Optional<String> home() { return Optional.ofNullable(home); }
  /** @return source URLs (the SCM URL) */
  public List<String> sources() { return sources; }
  /** @return the chart's maintainers */
  public List<Maintainer> maintainers() { return maintainers; }
  /** @return the image repository, without tag or digest */
  public String imageRepository() { return imageRepository; }
  /** @return the image tag */
  public String imageTag() { return imageTag; }
  /** @return the image digest ({@code sha256:...}) or empty */
  public String imageDigest() { return imageDigest; }
  /** @return the containerDisk pull policy */
  public String imagePullPolicy() { return imagePullPolicy; }
  /** @return {@code metadata.name} of the VirtualMachine */
  public String vmName() { return vmName; }
  /** @return the run strategy */
  public RunStrategy runStrategy() { return runStrategy; }
  /** @return the memory quantity */
  public String memory() { return memory; }
  /** @return the virtual CPU cores */
  public int cpuCores() { return cpuCores; }
  /** @return virtual CPU sockets */
  public int cpuSockets() { return cpuSockets; }
  /** @return threads per core */
  public int cpuThreads() { return cpuThreads; }
  /** @return the CPU model, e.g. {@code host-passthrough}; empty for KubeVirt's default */
  public String cpuModel() { return cpuModel; }
  /** @return the instancetype giving CPU and memory, empty for none */
  public String instancetypeName() { return instancetypeName; }
  /** @return {@code VirtualMachineClusterInstancetype} or {@code VirtualMachineInstancetype} */
  public String instancetypeKind() { return instancetypeKind; }
  /** @return the preference, empty for none */
  public String preferenceName() { return preferenceName; }
  /** @return {@code VirtualMachineClusterPreference} or {@code VirtualMachinePreference} */
  public String preferenceKind() { return preferenceKind; }
  /** @return node labels the VM's pod must match, sorted by key */
  public java.util.SortedMap<String, String> nodeSelector() { return nodeSelector; }
  /** @return {@code bios} or {@code efi} */
  public String firmware() { return firmware; }
  /** @return whether UEFI Secure Boot (with SMM) is on; only with efi firmware */
  public boolean secureBoot() { return secureBoot; }
  /** @return the machine type, empty for KubeVirt's default */
  public String machineType() { return machineType; }
  /** @return the boot disk's bus: {@code virtio}, {@code sata}, {@code scsi} or {@code usb} */
  public String diskBus() { return diskBus; }
  /** @return seconds KubeVirt waits for the guest to shut down */
  public int terminationGracePeriodSeconds() { return terminationGracePeriodSeconds; }
  /** @return how the root disk is held */
  public StorageType storage() { return storage; }
  /** @return the PVC size with dataVolume storage, else empty */
  public String storageSize() { return storageSize; }
  /** @return the storage class, empty for the cluster default */
  public String storageClass() { return storageClass; }
  /** @return how CDI pulls the image: {@code node} (the kubelet) or {@code pod} (CDI's importer) */
  public String storagePullMethod() { return storagePullMethod; }
  /** @return the Secret with the registry's accessKeyId/secretKey for CDI's importer, or empty */
  public String storageSecretRef() { return storageSecretRef; }
  /** @return the ConfigMap with the registry's CA certificates for CDI's importer, or empty */
  public String storageCertConfigMap() { return storageCertConfigMap; }
  /** @return the empty disks and existing claims besides the VM's own disks */
  public List<ExtraDisk> extraDisks() { return extraDisks; }
  /**
   * @return the VM's disks besides the boot disk, in boot order, each with its image resolved:
   *     {@link ChartDisk#image()} is {@code repository:tag}, {@link ChartDisk#imageDigest()} the digest or empty
   */
  public List<ChartDisk> disks() { return disks; }
  /**
   * @return the VM's NICs, at least one: the first ({@code default}) on the pod network, the others
   *     on Multus networks, each named
   */
  public List<ChartNic> nics() { return nics; }
  /**
   * @return whether the NICs say more than the one plain pod-network NIC of a chart built without
   *     them (a model, a MAC address or more NICs), so the chart carries {@code vm.interfaces}
   */
  boolean nicsDescribed() {
    return nics.size() > 1 || !nics.get(0).model().isEmpty() || !nics.get(0).macAddress().isEmpty();
  }
  /** @return the {@code usbList} tuples */
  public List<UsbResource> usbList() { return usbList; }
  /** @return the host devices the VM gets */
  public List<HostDevice> hostDevices() { return hostDevices; }
  /** @return the cloud-init user-data, if configured */
  public Optional<String> cloudInitUserData() { return Optional.ofNullable(cloudInitUserData); }
  /** @return the cloud-init network data, if configured */
  public Optional<String> cloudInitNetworkData() { return Optional.ofNullable(cloudInitNetworkData); }
  /** @return whether the chart carries a cloud-init Secret (user-data, network data or both) */
  public boolean hasCloudInit() { return cloudInitUserData != null || cloudInitNetworkData != null; }
  /** @return {@code nocloud} or {@code configDrive} */
  public String cloudInitType() { return cloudInitType; }
  /**
   * @return the Secret the deployer makes with the cloud-init data, the default of the value
   *     {@code cloudInit.existingSecret}; empty when the chart carries the data itself
   */
  public String cloudInitExistingSecret() { return cloudInitExistingSecret; }
  /** @return the Service type */
  public String serviceType() { return serviceType; }
  /** @return the ports the Service exposes */
  public List<ServicePort> ports() { return ports; }
  /** @return the folder of user chart files merged into the generated chart, if any */
  public Optional<Path> userChartDirectory() { return Optional.ofNullable(userChartDirectory); }

  /** Collects the chart's settings; {@link #build()} checks them all. */
  public static final class Builder {
    private String name;
    private String version;
    private String appVersion;
    private String description;
    private String home;
    private final List<String> sources = new ArrayList<>();
    private final List<Maintainer> maintainers = new ArrayList<>();
    private String image;
    private String imageDigest = "";
    private String imagePullPolicy = "IfNotPresent";
    private String vmName;
    private String runStrategy = "Always";
    private String memory = "1Gi";
    private int cpuCores = 1;
    private int cpuSockets = 1;
    private int cpuThreads = 1;
    private String cpuModel = "";
    /** The CPU and memory settings given explicitly, which an instancetype would contradict. */
    private final Set<String> sizing = new java.util.TreeSet<>();
    private String instancetypeName = "";
    private String instancetypeKind = INSTANCETYPE_KINDS.get(0);
    private String preferenceName = "";
    private String preferenceKind = PREFERENCE_KINDS.get(0);
    private final java.util.SortedMap<String, String> nodeSelector = new java.util.TreeMap<>();
    private String firmware = "bios";
    private boolean secureBoot;
    private String machineType = "";
    private String diskBus = "virtio";
    private int terminationGracePeriodSeconds = 180;
    private String storage = "containerDisk";
    private String storageSize = "";
    private String storageClass = "";
    private String storagePullMethod = "node";
    private String storageSecretRef = "";
    private String storageCertConfigMap = "";
    private String usbList = "";
    private final List<ExtraDisk> extraDisks = new ArrayList<>();
    private final List<ChartDisk> disks = new ArrayList<>();
    private final List<ChartNic> nics = new ArrayList<>();
    private final List<UsbDeviceRequest> usbDevices = new ArrayList<>();
    private String cloudInitUserData;
    private String cloudInitNetworkData;
    private String cloudInitType = "nocloud";
    private String cloudInitExistingSecret = "";
    private String serviceType = "ClusterIP";
    private final List<ServicePort> ports = new ArrayList<>();
    private Path userChartDirectory;

    private Builder() {}

    /** @param v the chart name @return this */
    public Builder name(String v) { this.name = v; return this; }
    /** @param v the chart's SemVer version @return this */
    public Builder version(String v) { this.version = v; return this; }
    /** @param v the appVersion @return this */
    public Builder appVersion(String v) { this.appVersion = v; return this; }
    /** @param v the description @return this */
    public Builder description(String v) { this.description = v; return this; }
    /** @param v the home URL, or null @return this */
    public Builder home(String v) { this.home = blankToNull(v); return this; }
    /** @param v a source URL; blank ones are ignored @return this */
    public Builder addSource(String v) { if (blankToNull(v) != null) { sources.add(v.trim()); } return this; }
    /** @param v a maintainer @return this */
    public Builder addMaintainer(Maintainer v) { maintainers.add(v); return this; }
    /** @param v the image reference, {@code repo[:tag][@digest]} @return this */
    public Builder image(String v) { this.image = v; return this; }
    /** @param v a digest to pin the image to ({@code sha256:...}), or empty @return this */
    public Builder imageDigest(String v) { this.imageDigest = v == null ? "" : v.trim(); return this; }
    /** @param v {@code IfNotPresent}, {@code Always} or {@code Never} @return this */
    public Builder imagePullPolicy(String v) { if (v != null) { this.imagePullPolicy = v.trim(); } return this; }
    /** @param v the VirtualMachine's name @return this */
    public Builder vmName(String v) { this.vmName = v; return this; }
    /** @param v the run strategy name, or null for Always @return this */
    public Builder runStrategy(String v) { if (v != null) { this.runStrategy = v.trim(); } return this; }
    /** @param v the memory quantity, or null for 1Gi @return this */
    public Builder memory(String v) { if (v != null) { this.memory = v.trim(); sizing.add("<memory>"); } return this; }
    /** @param v virtual CPU cores, or null for 1 @return this */
    public Builder cpuCores(Integer v) { if (v != null) { this.cpuCores = v; sizing.add("<cpuCores>"); } return this; }
    /** @param v virtual CPU sockets, or null for 1 @return this */
    public Builder cpuSockets(Integer v) { if (v != null) { this.cpuSockets = v; sizing.add("<cpuSockets>"); } return this; }
    /** @param v threads per core, or null for 1 @return this */
    public Builder cpuThreads(Integer v) { if (v != null) { this.cpuThreads = v; sizing.add("<cpuThreads>"); } return this; }
    /** @param v the CPU model (e.g. host-passthrough), or null/empty for KubeVirt's default @return this */
    public Builder cpuModel(String v) {
      this.cpuModel = v == null ? "" : v.trim();
      if (!cpuModel.isEmpty()) {
        sizing.add("<cpuModel>");
      }
      return this;
    }
    /**
     * @param key a node label key, e.g. {@code kubernetes.io/arch}
     * @param value the label value the node must have
     * @return this
     */
    public Builder nodeSelector(String key, String value) {
      nodeSelector.put(key == null ? "" : key.trim(), value == null ? "" : value.trim());
      return this;
    }
    /**
     * @param name the instancetype giving the VM's CPU and memory, or null/empty for none
     * @param kind {@code VirtualMachineClusterInstancetype} (null or empty) or {@code VirtualMachineInstancetype}
     * @return this
     */
    public Builder instancetype(String name, String kind) {
      this.instancetypeName = name == null ? "" : name.trim();
      this.instancetypeKind = kind == null || kind.isBlank() ? INSTANCETYPE_KINDS.get(0) : kind.trim();
      return this;
    }
    /**
     * @param name the preference (defaults for devices, firmware...), or null/empty for none
     * @param kind {@code VirtualMachineClusterPreference} (null or empty) or {@code VirtualMachinePreference}
     * @return this
     */
    public Builder preference(String name, String kind) {
      this.preferenceName = name == null ? "" : name.trim();
      this.preferenceKind = kind == null || kind.isBlank() ? PREFERENCE_KINDS.get(0) : kind.trim();
      return this;
    }
    /** @param v {@code bios} or {@code efi}, or null for bios @return this */
    public Builder firmware(String v) { if (v != null) { this.firmware = v.trim(); } return this; }
    /** @param v Secure Boot (efi only), or null for false @return this */
    public Builder secureBoot(Boolean v) { if (v != null) { this.secureBoot = v; } return this; }
    /** @param v the machine type, or null/empty for KubeVirt's default @return this */
    public Builder machineType(String v) { this.machineType = v == null ? "" : v.trim(); return this; }
    /** @param v the disk bus, or null for virtio @return this */
    public Builder diskBus(String v) { if (v != null) { this.diskBus = v.trim(); } return this; }
    /** @param v seconds, or null for 180 @return this */
    public Builder terminationGracePeriodSeconds(Integer v) { if (v != null) { this.terminationGracePeriodSeconds = v; } return this; }
    /** @param v {@code containerDisk} or {@code dataVolume}, or null @return this */
    public Builder storage(String v) { if (v != null) { this.storage = v.trim(); } return this; }
    /** @param v the PVC size, or null @return this */
    public Builder storageSize(String v) { this.storageSize = v == null ? "" : v.trim(); return this; }
    /** @param v the storage class, or null @return this */
    public Builder storageClass(String v) { this.storageClass = v == null ? "" : v.trim(); return this; }
    /** @param v {@code node} or {@code pod}, or null for node @return this */
    public Builder storagePullMethod(String v) { if (v != null) { this.storagePullMethod = v.trim(); } return this; }
    /** @param v the registry credentials Secret for CDI, or null @return this */
    public Builder storageSecretRef(String v) { this.storageSecretRef = v == null ? "" : v.trim(); return this; }
    /** @param v the registry CA ConfigMap for CDI, or null @return this */
    public Builder storageCertConfigMap(String v) { this.storageCertConfigMap = v == null ? "" : v.trim(); return this; }
    /** @param v an empty disk or existing claim besides the VM's own disks @return this */
    public Builder addExtraDisk(ExtraDisk v) { extraDisks.add(v); return this; }
    /**
     * @param v the VM's disks besides the boot disk, in boot order (replacing any given before);
     *     null or empty for a VM of one disk
     * @return this
     */
    public Builder disks(List<ChartDisk> v) {
      disks.clear();
      if (v != null) {
        disks.addAll(v);
      }
      return this;
    }
    /** @param v the VM's next disk in boot order, after the boot disk and those added before @return this */
    public Builder addDisk(ChartDisk v) { disks.add(v); return this; }
    /**
     * @param v the VM's NICs in guest order, the first on the pod network (replacing any given
     *     before); null or empty for the one pod-network NIC of KubeVirt's default model
     * @return this
     */
    public Builder nics(List<ChartNic> v) {
      nics.clear();
      if (v != null) {
        nics.addAll(v);
      }
      return this;
    }
    /** @param v the VM's next NIC, after those added before @return this */
    public Builder addNic(ChartNic v) { nics.add(v); return this; }
    /** @param v the {@code usbList} string, or null @return this */
    public Builder usbList(String v) { this.usbList = v == null ? "" : v; return this; }
    /** @param v a requested USB device @return this */
    public Builder addUsbDevice(UsbDeviceRequest v) { usbDevices.add(v); return this; }
    /** @param v the cloud-init user-data (checked by {@link CloudInit#check}), or null @return this */
    public Builder cloudInitUserData(String v) { this.cloudInitUserData = v; return this; }
    /** @param v the cloud-init network data (checked by {@link CloudInit#checkNetworkData}), or null @return this */
    public Builder cloudInitNetworkData(String v) { this.cloudInitNetworkData = v; return this; }
    /** @param v {@code nocloud} or {@code configDrive}, or null for nocloud @return this */
    public Builder cloudInitType(String v) { if (v != null) { this.cloudInitType = v.trim(); } return this; }
    /**
     * @param v the name of a Secret the deployer creates with the cloud-init data (then the chart
     *     carries none), or null/empty
     * @return this
     */
    public Builder cloudInitExistingSecret(String v) { this.cloudInitExistingSecret = v == null ? "" : v.trim(); return this; }
    /** @param v the Service type, or null for ClusterIP @return this */
    public Builder serviceType(String v) { if (v != null) { this.serviceType = v.trim(); } return this; }
    /** @param v a Service port @return this */
    public Builder addPort(ServicePort v) { ports.add(v); return this; }
    /** @param v the folder of user chart files, or null @return this */
    public Builder userChartDirectory(Path v) { this.userChartDirectory = v; return this; }

    /**
     * @return the checked spec
     * @throws ChartConfigException naming the parameter and the allowed form of the first bad setting
     */
    public ChartSpec build() throws ChartConfigException {
      require(name != null && CHART_NAME.matcher(name).matches(), "<chartName> (vm.chart.name)",
          "'" + name + "' is not a chart name Helm accepts as best practice: lower-case letters, digits"
              + " and '-', starting and ending with a letter or digit (^[a-z0-9]([-a-z0-9]*[a-z0-9])?$), e.g. my-app");
      require(version != null && ChartVersions.isSemVer(version), "<chartVersion> (vm.chart.version)",
          "'" + version + "' is not a SemVer 2 version such as 1.2.3 or 1.2.3-SNAPSHOT");
      require(appVersion != null && APP_VERSION.matcher(appVersion).matches(), "<appVersion> (vm.chart.appVersion)",
          "'" + appVersion + "' must be 1 to 63 letters, digits, '.', '_', '-' or '+', starting with a letter or digit");
      if (description == null || description.isBlank()) {
        description = "The " + name + " virtual machine on KubeVirt";
      }
      description = description.strip().replaceAll("\\s+", " ");
      require(vmName != null && DNS_LABEL.matcher(vmName).matches(), "<vm><name>",
          "'" + vmName + "' must be a DNS label of at most 53 characters (lower-case letters, digits and"
              + " '-', starting and ending with a letter or digit), e.g. my-app-vm");
      RunStrategy rs = RunStrategy.parse(runStrategy).orElseThrow(() -> new ChartConfigException(
          "<vm><runStrategy>", "<vm><runStrategy> '" + runStrategy + "' is not one of " + RunStrategy.allowed()
              + " (spec.running is deprecated and never generated)"));
      require(MEMORY.matcher(memory).matches() && !memory.matches("^[0.]+[A-Za-z]*$"), "<vm><memory>",
          "'" + memory + "' is not a Kubernetes memory quantity: a number and a suffix without spaces,"
              + " e.g. 64Mi, 512Mi, 2Gi (binary) or 64M, 2G (decimal)");
      require(!memory.matches("^[0-9.]+(k|Ki)?$"), "<vm><memory>",
          "'" + memory + "' is bytes or kilobytes, far too little for a VM; write e.g. 64Mi or 2Gi");
      require(cpuCores >= 1 && cpuCores <= 1024, "<vm><cpuCores>", cpuCores + " must be between 1 and 1024");
      require(cpuSockets >= 1 && cpuSockets <= 1024, "<vm><cpuSockets>", cpuSockets + " must be between 1 and 1024");
      require(cpuThreads >= 1 && cpuThreads <= 1024, "<vm><cpuThreads>", cpuThreads + " must be between 1 and 1024");
      require((long) cpuCores * cpuSockets * cpuThreads <= 1024, "<vm><cpuSockets>",
          "x <cpuCores> x <cpuThreads> = " + ((long) cpuCores * cpuSockets * cpuThreads)
              + " virtual CPUs; at most 1024 are allowed");
      require(cpuModel.isEmpty() || CPU_MODEL.matcher(cpuModel).matches(), "<vm><cpuModel>",
          "'" + cpuModel + "' must be a CPU model such as host-passthrough, host-model or Skylake-Client-IBRS, or empty");
      require(instancetypeName.isEmpty() || RESOURCE_NAME.matcher(instancetypeName).matches(), "<vm><instancetype><name>",
          "'" + instancetypeName + "' must be a resource name such as u1.medium (lower-case letters, digits, '-', '.')");
      require(INSTANCETYPE_KINDS.contains(instancetypeKind), "<vm><instancetype><kind>",
          "'" + instancetypeKind + "' must be " + String.join(" or ", INSTANCETYPE_KINDS));
      require(preferenceName.isEmpty() || RESOURCE_NAME.matcher(preferenceName).matches(), "<vm><preference><name>",
          "'" + preferenceName + "' must be a resource name such as fedora or windows.11 (lower-case letters, digits, '-', '.')");
      require(PREFERENCE_KINDS.contains(preferenceKind), "<vm><preference><kind>",
          "'" + preferenceKind + "' must be " + String.join(" or ", PREFERENCE_KINDS));
      require(instancetypeName.isEmpty() || sizing.isEmpty(), "<vm><instancetype>",
          "'" + instancetypeName + "' gives the VM's CPU and memory, so " + String.join(", ", sizing)
              + " must not be set as well (KubeVirt rejects the conflict); remove them or the instancetype");
      for (Map.Entry<String, String> e : nodeSelector.entrySet()) {
        require(LABEL_KEY.matcher(e.getKey()).matches(), "<vm><nodeSelector>", "key '" + e.getKey()
            + "' must be a label key such as kubernetes.io/arch or disktype: an optional DNS prefix and '/',"
            + " then 1 to 63 letters, digits, '-', '_' or '.'");
        require(LABEL_VALUE.matcher(e.getValue()).matches(), "<vm><nodeSelector>", "value '" + e.getValue()
            + "' of " + e.getKey() + " must be a label value: at most 63 letters, digits, '-', '_' or '.',"
            + " starting and ending with a letter or digit");
      }
      require(firmware.equals("bios") || firmware.equals("efi"), "<vm><firmware>",
          "'" + firmware + "' must be bios or efi");
      require(!secureBoot || firmware.equals("efi"), "<vm><secureBoot>", "needs <firmware>efi</firmware>: Secure Boot"
          + " is a UEFI feature, and the firmware is " + firmware);
      require(machineType.isEmpty() || MACHINE_TYPE.matcher(machineType).matches(), "<vm><machineType>",
          "'" + machineType + "' must be a QEMU machine type such as q35 or pc-q35-rhel9.6.0, or empty");
      require(DISK_BUSES.contains(diskBus), "<vm><diskBus>",
          "'" + diskBus + "' must be " + String.join(", ", DISK_BUSES));
      require(terminationGracePeriodSeconds >= 0, "<vm><terminationGracePeriodSeconds>",
          terminationGracePeriodSeconds + " must be 0 or more seconds");
      StorageType st;
      try {
        st = StorageType.valueOf(storage);
      } catch (IllegalArgumentException e) {
        throw new ChartConfigException("<vm><storage>", "<vm><storage> '" + storage
            + "' must be containerDisk (ephemeral) or dataVolume (CDI imports the image into a PVC)");
      }
      if (st == StorageType.dataVolume) {
        require(!storageSize.isEmpty(), "<vm><storageSize>", "is required with <storage>dataVolume</storage>:"
            + " the PVC size CDI imports the disk into, at least the disk's virtual size, e.g. 10Gi");
      }
      require(storageSize.isEmpty() || (MEMORY.matcher(storageSize).matches() && !storageSize.matches("^[0.]+[A-Za-z]*$")),
          "<vm><storageSize>", "'" + storageSize + "' is not a Kubernetes quantity such as 10Gi");
      require(storageClass.isEmpty() || STORAGE_CLASS.matcher(storageClass).matches(), "<vm><storageClass>",
          "'" + storageClass + "' is not a storage class name (lower-case letters, digits, '-', '.')");
      require(PULL_METHODS.contains(storagePullMethod), "<vm><storagePullMethod>", "'" + storagePullMethod
          + "' must be node (default: the kubelet pulls the image, with the node's credentials) or pod"
          + " (CDI's importer pulls it, with <storageSecretRef> and <storageCertConfigMap>)");
      require(storageSecretRef.isEmpty() || RESOURCE_NAME.matcher(storageSecretRef).matches(), "<vm><storageSecretRef>",
          "'" + storageSecretRef + "' must be a Secret name (lower-case letters, digits, '-', '.'), e.g. registry-credentials");
      require(storageCertConfigMap.isEmpty() || RESOURCE_NAME.matcher(storageCertConfigMap).matches(),
          "<vm><storageCertConfigMap>", "'" + storageCertConfigMap
              + "' must be a ConfigMap name (lower-case letters, digits, '-', '.'), e.g. registry-ca");
      require(Set.of("IfNotPresent", "Always", "Never").contains(imagePullPolicy), "image pull policy",
          "'" + imagePullPolicy + "' must be IfNotPresent, Always or Never");
      String[] img = splitImage();
      Set<String> diskNames = new HashSet<>(Set.of("rootdisk", "cloudinitdisk"));
      List<ChartDisk> resolvedDisks = resolveDisks(img, st, diskNames);
      for (ExtraDisk d : extraDisks) {
        String param = "<vm><extraDisks>";
        require(DISK_NAME.matcher(d.name()).matches(), param, "disk name '" + d.name()
            + "' must be a DNS label (1 to 63 lower-case letters, digits and '-'), e.g. data");
        require(diskNames.add(d.name()), param, "disk name '" + d.name() + "' is used twice (rootdisk and cloudinitdisk"
            + (disks.isEmpty() ? "" : " and the names of the VM's <disks>") + " are the chart's own)");
        require(d.bus().isEmpty() || CLASSIC_DISK_BUSES.contains(d.bus()), param,
            "disk " + d.name() + " bus '" + d.bus() + "' must be virtio, sata or scsi (empty: the <diskBus>)");
        require(d.emptyDiskCapacity().isEmpty() != d.persistentVolumeClaim().isEmpty(), param, "disk " + d.name()
            + " needs exactly one of <emptyDiskCapacity> (e.g. 10Gi) and <persistentVolumeClaim> (a claim's name)");
        require(d.emptyDiskCapacity().isEmpty() || (MEMORY.matcher(d.emptyDiskCapacity()).matches()
                && !d.emptyDiskCapacity().matches("^[0.]+[A-Za-z]*$")), param,
            "disk " + d.name() + " emptyDiskCapacity '" + d.emptyDiskCapacity() + "' is not a quantity such as 10Gi");
        require(d.persistentVolumeClaim().isEmpty() || RESOURCE_NAME.matcher(d.persistentVolumeClaim()).matches(), param,
            "disk " + d.name() + " persistentVolumeClaim '" + d.persistentVolumeClaim()
                + "' is not a claim name (lower-case letters, digits, '-', '.')");
      }
      List<ChartNic> resolvedNics = resolveNics();
      require(Set.of("ClusterIP", "NodePort", "LoadBalancer").contains(serviceType), "service type",
          "'" + serviceType + "' must be ClusterIP, NodePort or LoadBalancer");
      Set<String> portNames = new HashSet<>();
      Set<String> portNumbers = new HashSet<>();
      for (ServicePort p : ports) {
        require(p.name() != null && p.name().length() <= 15 && PORT_NAME.matcher(p.name()).matches()
                && !p.name().contains("--"), "<vm><ports>",
            "port name '" + p.name() + "' must be an IANA service name: 1 to 15 lower-case letters, digits"
                + " and single '-', with at least one letter, e.g. http");
        require(p.port() >= 1 && p.port() <= 65535, "<vm><ports>",
            "port " + p.port() + " (" + p.name() + ") must be between 1 and 65535");
        require(p.protocol() != null && Set.of("TCP", "UDP").contains(p.protocol()), "<vm><ports>",
            "port " + p.name() + " protocol '" + p.protocol() + "' must be TCP or UDP, the protocols a KubeVirt interface port takes");
        require(portNames.add(p.name()), "<vm><ports>", "port name '" + p.name() + "' is used twice");
        require(portNumbers.add(p.port() + "/" + p.protocol()), "<vm><ports>",
            "port " + p.port() + "/" + p.protocol() + " is listed twice");
      }
      List<UsbResource> usb = UsbList.parse(usbList);
      List<HostDevice> devices = UsbList.hostDevices(usbDevices, usb);
      String ciType = CLOUD_INIT_TYPES.stream().filter(t -> t.equalsIgnoreCase(cloudInitType)).findFirst()
          .orElseThrow(() -> new ChartConfigException("<vm><cloudInitType>", "<vm><cloudInitType> '" + cloudInitType
              + "' must be nocloud (default: cloudInitNoCloud, for cloud-init) or configDrive (cloudInitConfigDrive,"
              + " an OpenStack config drive, e.g. for Windows with cloudbase-init)"));
      require(cloudInitExistingSecret.isEmpty() || RESOURCE_NAME.matcher(cloudInitExistingSecret).matches(),
          "<vm><cloudInitExistingSecret>", "'" + cloudInitExistingSecret + "' must be a Secret name (lower-case"
              + " letters, digits, '-', '.'), e.g. my-vm-cloudinit");
      require(cloudInitExistingSecret.isEmpty() || (cloudInitUserData == null && cloudInitNetworkData == null),
          "<vm><cloudInitExistingSecret>", "'" + cloudInitExistingSecret + "' keeps the cloud-init data out of the"
              + " chart, so <vm><cloudInit> and <vm><cloudInitNetworkData> must not be set as well; remove them and"
              + " create the Secret from the files at install time: kubectl create secret generic "
              + cloudInitExistingSecret + " --from-file=userdata=<user-data file> [--from-file=networkdata=<network-data file>]");
      long cloudInitBytes = utf8Length(cloudInitUserData) + utf8Length(cloudInitNetworkData);
      require(cloudInitBytes <= CloudInit.MAX_BYTES, "<vm><cloudInitNetworkData>", "and <vm><cloudInit> together hold "
          + cloudInitBytes / 1024 + " KiB; they share one Secret, so together they may hold at most "
          + CloudInit.MAX_BYTES / 1024 + " KiB");
      return new ChartSpec(this, rs, st, usb, devices, img, ciType, resolvedDisks, resolvedNics);
    }

    /**
     * Checks the VM's other disks and gives each its image (default {@code <repository>-<name>},
     * the boot image's tag) as {@code repository:tag} plus digest.
     */
    private List<ChartDisk> resolveDisks(String[] rootImage, StorageType rootStorage, Set<String> diskNames)
        throws ChartConfigException {
      String param = "<disks>";
      List<ChartDisk> out = new ArrayList<>();
      for (ChartDisk d : disks) {
        require(DISK_NAME.matcher(d.name()).matches(), param, "disk name '" + d.name()
            + "' must be a DNS label (1 to 63 lower-case letters, digits and '-'), e.g. data");
        require(diskNames.add(d.name()), param, "disk name '" + d.name()
            + "' is used twice (rootdisk and cloudinitdisk are the chart's own)");
        // <vm name>-<disk> names its DataVolume and PVC; kept to a label's 63 characters as -rootdisk is.
        require(vmName.length() + 1 + d.name().length() <= 63, param, "disk name '" + d.name() + "' makes the"
            + " DataVolume name '" + vmName + "-" + d.name() + "' longer than 63 characters; shorten the disk's"
            + " name or <vm><name>");
        require(d.bus().isEmpty() || DISK_BUSES.contains(d.bus()), param, "disk " + d.name() + " bus '" + d.bus()
            + "' must be " + String.join(", ", DISK_BUSES) + " (empty: the <diskBus>)");
        String[] image;
        if (d.image().isEmpty()) {
          // DESIGN.md: a disk's image is <image repository>-<disk name>:<tag> unless it names its own.
          image = new String[] {rootImage[0] + "-" + d.name(), rootImage[1], d.imageDigest()};
          require(d.imageDigest().isEmpty() || Digests.isDigest(d.imageDigest()), param, "disk " + d.name()
              + " image digest '" + d.imageDigest() + "' must be sha256: and 64 lower-case hex digits");
        } else {
          image = split(d.image(), d.imageDigest(), param, "disk " + d.name() + " image ");
        }
        require(d.storageType().isEmpty() || Set.of("containerDisk", "dataVolume").contains(d.storageType()), param,
            "disk " + d.name() + " storage '" + d.storageType() + "' must be containerDisk or dataVolume (empty: the <storage>)");
        String type = d.storageType().isEmpty() ? rootStorage.name() : d.storageType();
        require(!type.equals("dataVolume") || !d.storageSize().isEmpty(), param, "disk " + d.name() + " needs a"
            + " storage size with dataVolume storage: the PVC size CDI imports the disk into, at least its virtual size, e.g. 10Gi");
        require(d.storageSize().isEmpty() || (MEMORY.matcher(d.storageSize()).matches()
                && !d.storageSize().matches("^[0.]+[A-Za-z]*$")), param,
            "disk " + d.name() + " storage size '" + d.storageSize() + "' is not a Kubernetes quantity such as 10Gi");
        require(d.storageClass().isEmpty() || STORAGE_CLASS.matcher(d.storageClass()).matches(), param, "disk "
            + d.name() + " storage class '" + d.storageClass() + "' is not a storage class name (lower-case letters, digits, '-', '.')");
        out.add(new ChartDisk(d.name(), d.bus(), image[0] + ":" + image[1], image[2], d.storageType(),
            d.storageSize(), d.storageClass()));
      }
      return out;
    }

    /** Checks the NICs and names them: {@code default} for the first, by default {@code net1}, {@code net2}... after it. */
    private List<ChartNic> resolveNics() throws ChartConfigException {
      String param = "<vm><nics>";
      List<ChartNic> given = nics.isEmpty() ? List.of(new ChartNic(POD_NIC, "", "", "")) : nics;
      List<ChartNic> out = new ArrayList<>();
      Set<String> names = new HashSet<>();
      Set<String> macs = new HashSet<>();
      for (int i = 0; i < given.size(); i++) {
        ChartNic n = given.get(i);
        // net1, net2...: as Multus names a pod's extra interfaces (and the VM model its NICs).
        String name = n.name().isEmpty() ? (i == 0 ? POD_NIC : "net" + i) : n.name();
        if (i == 0) {
          require(name.equals(POD_NIC), param, "the first NIC is the pod network's and is named " + POD_NIC
              + ", not '" + name + "'");
          require(n.network().isEmpty(), param, "the first NIC is on the pod network; it cannot be on the network '"
              + n.network() + "' (only the NICs after it attach to Multus networks)");
        } else {
          require(DISK_NAME.matcher(name).matches(), param, "NIC name '" + name
              + "' must be a DNS label (1 to 63 lower-case letters, digits and '-'), e.g. net1");
          require(!name.equals(POD_NIC), param, "NIC " + (i + 1) + " cannot be named " + POD_NIC
              + ": that is the first NIC, on the pod network");
        }
        require(names.add(name), param, "NIC name '" + name + "' is used twice");
        require(n.model().isEmpty() || NIC_MODELS.contains(n.model()), param, "NIC " + name + " model '" + n.model()
            + "' must be one of " + String.join(", ", NIC_MODELS) + " (KubeVirt has no vmxnet3), or empty for virtio");
        require(n.macAddress().isEmpty() || MAC_ADDRESS.matcher(n.macAddress()).matches(), param, "NIC " + name
            + " MAC address '" + n.macAddress() + "' must be a unicast address such as 00:50:56:aa:bb:cc or 00-50-56-AA-BB-CC");
        require(n.macAddress().isEmpty() || macs.add(n.macAddress().toLowerCase(Locale.ROOT).replace('-', ':')), param,
            "NIC " + name + " MAC address '" + n.macAddress() + "' is used twice");
        require(n.network().isEmpty() || NETWORK.matcher(n.network()).matches(), param, "NIC " + name + " network '"
            + n.network() + "' must be a NetworkAttachmentDefinition name, optionally namespace/ first, e.g. vlan-10");
        out.add(new ChartNic(name, n.model(), n.macAddress(), n.network()));
      }
      return out;
    }

    /** Splits {@code repo[:tag][@digest]}; the tag defaults to appVersion, a configured digest wins. */
    private String[] splitImage() throws ChartConfigException {
      String param = "<image> (vm.image)";
      require(image != null && !image.isBlank() && image.chars().noneMatch(Character::isWhitespace), param,
          "'" + image + "' must be an image reference such as registry.example.com/apps/my-vm:1.0.0");
      return split(image, imageDigest, param, "");
    }

    /**
     * Splits {@code repo[:tag][@digest]}; the tag defaults to appVersion, {@code digestOverride} wins.
     *
     * @param what the start of each message, naming the disk for one of the other disks
     */
    private String[] split(String reference, String digestOverride, String param, String what)
        throws ChartConfigException {
      require(reference.chars().noneMatch(Character::isWhitespace), param,
          what + "'" + reference + "' must be an image reference such as registry.example.com/apps/my-vm:1.0.0");
      ImageReference.Written parts = ImageReference.split(reference.trim());
      String rest = parts.repository();
      String tag = parts.tag();
      String digest = parts.digest();
      require(REPOSITORY.matcher(rest).matches(), param, what + "repository '" + rest + "' of '" + reference
          + "' must be lower-case [host[:port]/]path, e.g. registry.example.com/apps/my-vm");
      if (tag.isEmpty()) {
        tag = appVersion;
      }
      require(TAG.matcher(tag).matches(), param, what + "tag '" + tag + "' of '" + reference
          + "' must be 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'");
      if (!digestOverride.isEmpty()) {
        digest = digestOverride;
      }
      require(digest.isEmpty() || Digests.isDigest(digest), param,
          what + "digest '" + digest + "' must be sha256: and 64 lower-case hex digits");
      return new String[] {rest, tag, digest};
    }

    private static long utf8Length(String s) {
      return s == null ? 0 : s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    private static void require(boolean ok, String parameter, String what) throws ChartConfigException {
      if (!ok) {
        throw new ChartConfigException(parameter, parameter + " " + what);
      }
    }

    private static String blankToNull(String v) {
      return v == null || v.isBlank() ? null : v.trim();
    }
  }

  @Override
  public String toString() {
    return "ChartSpec[" + name + "-" + version + ", vm " + vmName + ", image " + imageRepository + ":" + imageTag
        + (imageDigest.isEmpty() ? "" : "@" + imageDigest) + ", " + storage.name().toLowerCase(Locale.ROOT) + "]";
  }
}
