package dev.vmpackager.mojo;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code <vm>} element of the plugin configuration: the VirtualMachine as the user describes
 * it. Maven fills the fields by name; the chart goal turns them into an immutable chart model.
 */
public class VmConfig {

  /** {@code metadata.name} of the VirtualMachine and the disk's file name; default the artifactId. */
  private String name;

  /** Guest memory as a Kubernetes quantity, e.g. {@code 64Mi}, {@code 2Gi}. */
  private String memory;

  /** Virtual CPU cores. */
  private Integer cpuCores;

  /** Virtual CPU sockets (default 1). */
  private Integer cpuSockets;

  /** Threads per core (default 1). */
  private Integer cpuThreads;

  /** The CPU model, e.g. {@code host-passthrough}; empty keeps KubeVirt's default. */
  private String cpuModel;

  /** An instancetype giving CPU and memory ({@code <name>}, optional {@code <kind>}). */
  private MatcherConfig instancetype;

  /** A preference ({@code <name>}, optional {@code <kind>}). */
  private MatcherConfig preference;

  /**
   * Node labels the VM's pod must match:
   * {@code <nodeSelector><property><name>kubernetes.io/arch</name><value>amd64</value></property></nodeSelector>}
   * (label keys with a '/' cannot be XML element names, hence the {@code <property>} form).
   */
  private java.util.Properties nodeSelector;

  /** {@code Always} (default), {@code Halted}, {@code Manual}, {@code RerunOnFailure}, {@code Once}. */
  private String runStrategy;

  /** {@code bios} (default) or {@code efi}. */
  private String firmware;

  /** With {@code efi} firmware: UEFI Secure Boot (and the SMM feature it needs); default false. */
  private Boolean secureBoot;

  /** The machine type, e.g. {@code q35}; empty keeps KubeVirt's default. */
  private String machineType;

  /** The root disk's bus: {@code virtio} (default), {@code sata}, {@code scsi}. */
  private String diskBus;

  /** Seconds KubeVirt waits for the guest to shut down. */
  private Integer terminationGracePeriodSeconds;

  /** A cloud-init user-data file; it goes into a Secret. */
  private File cloudInit;

  /**
   * A cloud-init network-data file (NoCloud network config v1/v2, or OpenStack network_data.json
   * with a config drive); it goes into the same Secret as the user-data, key {@code networkdata}.
   */
  private File cloudInitNetworkData;

  /** {@code nocloud} (default) or {@code configDrive} (e.g. Windows with cloudbase-init). */
  private String cloudInitType;

  /**
   * A Secret the deployer creates with the cloud-init data (keys {@code userdata},
   * {@code networkdata}): the chart then carries none, and {@code cloudInit.existingSecret} defaults
   * to this name.
   */
  private String cloudInitExistingSecret;

  /** Ports exposed by a Service. */
  private List<PortConfig> ports = new ArrayList<>();

  /** {@code containerDisk} (default, ephemeral) or {@code dataVolume} (CDI imports into a PVC). */
  private String storage;

  /** With {@code dataVolume}: the PVC size, e.g. {@code 10Gi}. */
  private String storageSize;

  /** With {@code dataVolume}: the storage class; empty uses the cluster's default. */
  private String storageClass;

  /** With {@code dataVolume}: {@code node} (default, the kubelet pulls the image) or {@code pod} (CDI's importer). */
  private String storagePullMethod;

  /** With {@code dataVolume} and {@code pod}: the Secret with the registry's {@code accessKeyId}/{@code secretKey}. */
  private String storageSecretRef;

  /** With {@code dataVolume} and {@code pod}: the ConfigMap with the registry's CA certificates. */
  private String storageCertConfigMap;

  /** Data disks besides the root disk. */
  private List<DiskConfig> extraDisks = new ArrayList<>();

  /**
   * How a described VM's disk buses and NIC models are chosen: {@code compatible} (default) or
   * {@code virtio}; the {@code vm.devices} property wins over it.
   */
  private String devices;

  /** The VM's network adapters, overriding the description's by position. */
  private List<NicConfig> nics = new ArrayList<>();

  public String getName() {
    return name;
  }

  public String getMemory() {
    return memory;
  }

  public Integer getCpuCores() {
    return cpuCores;
  }

  public Integer getCpuSockets() {
    return cpuSockets;
  }

  public Integer getCpuThreads() {
    return cpuThreads;
  }

  public String getCpuModel() {
    return cpuModel;
  }

  public MatcherConfig getInstancetype() {
    return instancetype;
  }

  public MatcherConfig getPreference() {
    return preference;
  }

  public java.util.Properties getNodeSelector() {
    return nodeSelector;
  }

  public String getRunStrategy() {
    return runStrategy;
  }

  public String getFirmware() {
    return firmware;
  }

  public String getMachineType() {
    return machineType;
  }

  public String getDiskBus() {
    return diskBus;
  }

  public Integer getTerminationGracePeriodSeconds() {
    return terminationGracePeriodSeconds;
  }

  public File getCloudInit() {
    return cloudInit;
  }

  public File getCloudInitNetworkData() {
    return cloudInitNetworkData;
  }

  public String getCloudInitType() {
    return cloudInitType;
  }

  public String getCloudInitExistingSecret() {
    return cloudInitExistingSecret;
  }

  public List<PortConfig> getPorts() {
    return ports == null ? List.of() : ports;
  }

  public String getStorage() {
    return storage;
  }

  public String getStorageSize() {
    return storageSize;
  }

  public String getStorageClass() {
    return storageClass;
  }

  public String getStoragePullMethod() {
    return storagePullMethod;
  }

  public String getStorageSecretRef() {
    return storageSecretRef;
  }

  public String getStorageCertConfigMap() {
    return storageCertConfigMap;
  }

  public List<DiskConfig> getExtraDisks() {
    return extraDisks == null ? List.of() : extraDisks;
  }

  public String getDevices() {
    return devices;
  }

  public List<NicConfig> getNics() {
    return nics == null ? List.of() : nics;
  }

  public Boolean getSecureBoot() {
    return secureBoot;
  }
}
