package dev.vmpackager.chart;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The VirtualMachine the chart's {@code templates/virtualmachine.yaml} renders with its default
 * values (the spec's, with the user's {@code src/main/helm/values.yaml} over them), as an ordered
 * JSON tree: what {@code helm template} prints, for other views of the same VM (KubeVirt's VM
 * artifact) that must not drift from the chart. It follows the template line by line, including
 * the checks that make {@code helm install} fail; {@code ChartVirtualMachineTest} renders the
 * chart with Helm and compares. Left out: {@code spec.dataVolumeTemplates}, which only tell CDI to
 * import a disk from its containerDisk image at install time (the disk's volume still names its
 * DataVolume).
 */
public final class ChartVirtualMachine {

  /** The root disk's volume name in the chart. */
  public static final String ROOT_DISK = "rootdisk";
  /** The cloud-init disk's volume name in the chart. */
  public static final String CLOUD_INIT_DISK = "cloudinitdisk";

  private final ChartSpec spec;
  private final Map<String, Object> values;
  private final String release;

  private ChartVirtualMachine(ChartSpec spec, Map<String, Object> values, String release) {
    this.spec = spec;
    this.values = values;
    this.release = release;
  }

  /**
   * @param spec the checked chart settings
   * @param release the Helm release name the labels carry ({@code app.kubernetes.io/instance})
   * @return the VirtualMachine as the chart renders it with its default values
   * @throws ChartConfigException when the default values make the template fail (as
   *     {@code helm install} would), or the user's values file is wrong
   */
  public static Map<String, Object> render(ChartSpec spec, String release) throws ChartConfigException {
    return new ChartVirtualMachine(spec, ChartValues.defaults(spec).tree(), release).vm();
  }

  private Map<String, Object> vm() throws ChartConfigException {
    Map<String, Object> vm = map("vm");
    Map<String, Object> cloudInit = map("cloudInit");
    boolean cloudInitEnabled = truthy(cloudInit.get("enabled"));
    String existingSecret = text(cloudInit.get("existingSecret"));
    if (cloudInitEnabled && existingSecret.isEmpty() && !spec.hasCloudInit()) {
      fail("cloudInit.enabled is true, but this chart was built without a cloud-init user-data or network-data file");
    }
    List<String> diskNames = new ArrayList<>(List.of(ROOT_DISK, CLOUD_INIT_DISK));
    spec.disks().forEach(d -> diskNames.add(d.name()));
    for (Object o : list(vm.get("extraDisks"))) {
      String name = text(asMap(o).get("name"));
      if (diskNames.contains(name)) {
        fail("vm.extraDisks: the disk name " + name + " is used twice");
      }
      diskNames.add(name);
    }
    boolean efi = "efi".equals(text(vm.get("firmware")));
    if (truthy(vm.get("secureBoot")) && !efi) {
      fail("vm.secureBoot=true needs vm.firmware=efi: Secure Boot is a UEFI feature");
    }
    Map<String, Object> storage = asMap(vm.get("storage"));
    if ("dataVolume".equals(text(storage.get("type"))) && text(storage.get("size")).isEmpty()) {
      fail("vm.storage.size is required with vm.storage.type=dataVolume");
    }
    String vmName = text(vm.get("name"));
    String diskBus = text(vm.get("diskBus"));
    List<Map<String, Object>> disks = disks(vm, storage, diskBus);

    Map<String, Object> out = new LinkedHashMap<>();
    out.put("apiVersion", "kubevirt.io/v1");
    out.put("kind", "VirtualMachine");
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("name", vmName);
    Map<String, Object> labels = labels();
    labels.put("kubevirt.io/vm", vmName);
    metadata.put("labels", labels);
    out.put("metadata", metadata);

    Map<String, Object> vmSpec = new LinkedHashMap<>();
    vmSpec.put("runStrategy", text(vm.get("runStrategy")));
    Map<String, Object> instancetype = asMap(vm.get("instancetype"));
    boolean hasInstancetype = truthy(instancetype.get("name"));
    if (hasInstancetype) {
      vmSpec.put("instancetype", nameKind(instancetype));
    }
    Map<String, Object> preference = asMap(vm.get("preference"));
    if (truthy(preference.get("name"))) {
      vmSpec.put("preference", nameKind(preference));
    }
    Map<String, Object> template = new LinkedHashMap<>();
    Map<String, Object> templateLabels = selectorLabels();
    templateLabels.put("kubevirt.io/vm", vmName);
    template.put("metadata", single("labels", templateLabels));
    Map<String, Object> podSpec = new LinkedHashMap<>();
    podSpec.put("terminationGracePeriodSeconds", integer(vm.get("terminationGracePeriodSeconds")));
    for (String key : List.of("nodeSelector", "tolerations", "affinity")) {
      if (truthy(vm.get(key))) {
        podSpec.put(key, vm.get(key));
      }
    }
    podSpec.put("domain", domain(vm, hasInstancetype, efi, disks, cloudInitEnabled, diskBus));
    podSpec.put("networks", networks(vm));
    podSpec.put("volumes", volumes(vm, vmName, disks, cloudInit, cloudInitEnabled, existingSecret));
    template.put("spec", podSpec);
    vmSpec.put("template", template);
    out.put("spec", vmSpec);
    return out;
  }

  /** The VM's image disks in boot order: the root disk, then {@code vm.disks} in the build's order. */
  private List<Map<String, Object>> disks(Map<String, Object> vm, Map<String, Object> storage, String diskBus)
      throws ChartConfigException {
    List<Map<String, Object>> disks = new ArrayList<>();
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("name", ROOT_DISK);
    root.put("bus", diskBus);
    root.put("image", image(map("image"), true));
    root.put("type", text(storage.get("type")));
    disks.add(root);
    Map<String, Object> others = asMap(vm.get("disks"));
    for (ChartDisk cd : spec.disks()) {
      String name = cd.name();
      Map<String, Object> d = asMap(others.get(name));
      Map<String, Object> s = asMap(d.get("storage"));
      String type = orDefault(text(s.get("type")), text(storage.get("type")));
      if (type.equals("dataVolume")) {
        if (text(s.get("size")).isEmpty()) {
          fail("vm.disks." + name + ".storage.size is required with dataVolume storage");
        }
        if ((text(vm.get("name")) + "-" + name).length() > 63) {
          fail("the DataVolume name " + text(vm.get("name")) + "-" + name + " is longer than 63 characters");
        }
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", name);
      m.put("bus", orDefault(text(d.get("bus")), diskBus));
      m.put("image", image(asMap(d.get("image")), false));
      m.put("type", type);
      disks.add(m);
    }
    return disks;
  }

  private Map<String, Object> domain(Map<String, Object> vm, boolean hasInstancetype, boolean efi,
      List<Map<String, Object>> disks, boolean cloudInitEnabled, String diskBus) {
    Map<String, Object> domain = new LinkedHashMap<>();
    if (!hasInstancetype) {
      Map<String, Object> cpu = new LinkedHashMap<>();
      cpu.put("cores", integer(vm.get("cpuCores")));
      if (integer(vm.get("cpuSockets")) > 1) {
        cpu.put("sockets", integer(vm.get("cpuSockets")));
      }
      if (integer(vm.get("cpuThreads")) > 1) {
        cpu.put("threads", integer(vm.get("cpuThreads")));
      }
      if (truthy(vm.get("cpuModel"))) {
        cpu.put("model", text(vm.get("cpuModel")));
      }
      domain.put("cpu", cpu);
      domain.put("memory", single("guest", text(vm.get("memory"))));
      domain.put("resources", single("requests", single("memory", text(vm.get("memory")))));
    }
    boolean secureBoot = truthy(vm.get("secureBoot"));
    if (secureBoot && efi) {
      domain.put("features", single("smm", single("enabled", true)));
    }
    if (truthy(vm.get("machineType"))) {
      domain.put("machine", single("type", text(vm.get("machineType"))));
    }
    domain.put("firmware", single("bootloader", efi
        ? single("efi", single("secureBoot", vm.get("secureBoot") instanceof Boolean b ? b : secureBoot))
        : single("bios", new LinkedHashMap<>())));
    Map<String, Object> devices = new LinkedHashMap<>();
    List<Object> diskList = new ArrayList<>();
    for (int i = 0; i < disks.size(); i++) {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("name", disks.get(i).get("name"));
      d.put("disk", single("bus", disks.get(i).get("bus")));
      if (!spec.disks().isEmpty()) {
        // Every image disk gets a boot order, so the firmware falls back to the next if one does not boot.
        d.put("bootOrder", i + 1);
      }
      diskList.add(d);
    }
    if (cloudInitEnabled) {
      diskList.add(diskEntry(CLOUD_INIT_DISK, diskBus));
    }
    for (Object o : list(vm.get("extraDisks"))) {
      Map<String, Object> e = asMap(o);
      diskList.add(diskEntry(text(e.get("name")), orDefault(text(e.get("bus")), diskBus)));
    }
    devices.put("disks", diskList);
    devices.put("interfaces", interfaces(vm));
    List<Object> usb = list(vm.get("usbDevices"));
    if (!usb.isEmpty()) {
      List<Object> hostDevices = new ArrayList<>();
      for (Object o : usb) {
        Map<String, Object> u = asMap(o);
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("name", text(u.get("name")));
        h.put("deviceName", text(u.get("resource")));
        hostDevices.add(h);
      }
      devices.put("hostDevices", hostDevices);
    }
    domain.put("devices", devices);
    return domain;
  }

  private List<Object> interfaces(Map<String, Object> vm) {
    Map<String, Object> described = asMap(vm.get("interfaces"));
    List<Object> out = new ArrayList<>();
    Map<String, Object> pod = new LinkedHashMap<>();
    pod.put("name", ChartSpec.POD_NIC);
    pod.put("masquerade", new LinkedHashMap<>());
    if (spec.nicsDescribed()) {
      modelAndMac(pod, asMap(described.get(ChartSpec.POD_NIC)));
    }
    List<Object> ports = list(map("service").get("ports"));
    if (!ports.isEmpty()) {
      List<Object> p = new ArrayList<>();
      for (Object o : ports) {
        Map<String, Object> port = asMap(o);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", text(port.get("name")));
        m.put("port", integer(port.get("port")));
        m.put("protocol", orDefault(text(port.get("protocol")), "TCP"));
        p.add(m);
      }
      pod.put("ports", p);
    }
    out.add(pod);
    for (String name : multusNames()) {
      Map<String, Object> nic = asMap(described.get(name));
      if (!truthy(nic)) {
        continue;
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", name);
      m.put("bridge", new LinkedHashMap<>());
      modelAndMac(m, nic);
      out.add(m);
    }
    return out;
  }

  private List<Object> networks(Map<String, Object> vm) throws ChartConfigException {
    List<Object> out = new ArrayList<>();
    Map<String, Object> pod = new LinkedHashMap<>();
    pod.put("name", ChartSpec.POD_NIC);
    pod.put("pod", new LinkedHashMap<>());
    out.add(pod);
    Map<String, Object> described = asMap(vm.get("interfaces"));
    for (String name : multusNames()) {
      String network = text(asMap(described.get(name)).get("network"));
      if (network.isEmpty()) {
        fail("vm.interfaces." + name + ".network is empty: set the Multus NetworkAttachmentDefinition"
            + " ([namespace/]name) this NIC attaches to, in the POM (<vm><nics><nic><network>) or in"
            + " src/main/helm/values.yaml");
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", name);
      m.put("multus", single("networkName", network));
      out.add(m);
    }
    return out;
  }

  private List<Object> volumes(Map<String, Object> vm, String vmName, List<Map<String, Object>> disks,
      Map<String, Object> cloudInit, boolean cloudInitEnabled, String existingSecret) {
    List<Object> out = new ArrayList<>();
    String pullPolicy = text(map("image").get("pullPolicy"));
    for (Map<String, Object> d : disks) {
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("name", d.get("name"));
      if ("dataVolume".equals(d.get("type"))) {
        v.put("dataVolume", single("name", vmName + "-" + d.get("name")));
      } else {
        Map<String, Object> cd = new LinkedHashMap<>();
        cd.put("image", d.get("image"));
        cd.put("imagePullPolicy", pullPolicy);
        v.put("containerDisk", cd);
      }
      out.add(v);
    }
    if (cloudInitEnabled) {
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("name", CLOUD_INIT_DISK);
      Map<String, Object> source = new LinkedHashMap<>();
      if (!existingSecret.isEmpty()) {
        // The deployer's Secret: KubeVirt reads whichever of userdata and networkdata it holds.
        source.put("secretRef", single("name", existingSecret));
        source.put("networkDataSecretRef", single("name", existingSecret));
      } else {
        if (spec.cloudInitUserData().isPresent()) {
          source.put("secretRef", single("name", vmName + "-cloudinit"));
        }
        if (spec.cloudInitNetworkData().isPresent()) {
          source.put("networkDataSecretRef", single("name", vmName + "-cloudinit"));
        }
      }
      v.put("configDrive".equals(text(cloudInit.get("type"))) ? "cloudInitConfigDrive" : "cloudInitNoCloud", source);
      out.add(v);
    }
    for (Object o : list(vm.get("extraDisks"))) {
      Map<String, Object> e = asMap(o);
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("name", text(e.get("name")));
      if (truthy(e.get("persistentVolumeClaim"))) {
        v.put("persistentVolumeClaim", single("claimName", text(e.get("persistentVolumeClaim"))));
      } else {
        v.put("emptyDisk", single("capacity", text(e.get("emptyDiskCapacity"))));
      }
      out.add(v);
    }
    return out;
  }

  /** {@code name-version} for the {@code helm.sh/chart} label, as the {@code .chart} helper writes it. */
  private Map<String, Object> labels() {
    Map<String, Object> l = new LinkedHashMap<>();
    l.put("helm.sh/chart", trunc63((spec.name() + "-" + spec.version()).replace("+", "_")));
    l.putAll(selectorLabels());
    if (!spec.appVersion().isEmpty()) {
      l.put("app.kubernetes.io/version", trunc63(spec.appVersion().replace("+", "_")));
    }
    l.put("app.kubernetes.io/managed-by", "Helm");
    l.put("app.kubernetes.io/component", "virtual-machine");
    return l;
  }

  private Map<String, Object> selectorLabels() {
    Map<String, Object> l = new LinkedHashMap<>();
    l.put("app.kubernetes.io/name", trunc63(spec.name()));
    l.put("app.kubernetes.io/instance", release);
    return l;
  }

  /** Helm's {@code trunc 63 | trimSuffix "-"}. */
  private static String trunc63(String s) {
    String t = s.length() > 63 ? s.substring(0, 63) : s;
    return t.endsWith("-") ? t.substring(0, t.length() - 1) : t;
  }

  /** The {@code .image} / {@code .diskImage} helpers: repository@digest, else repository:tag. */
  private String image(Map<String, Object> image, boolean root) {
    String repository = text(image.get("repository"));
    String digest = text(image.get("digest"));
    if (!digest.isEmpty()) {
      return repository + "@" + digest;
    }
    String tag = text(image.get("tag"));
    return repository + ":" + (root ? orDefault(tag, spec.appVersion()) : tag);
  }

  private List<String> multusNames() {
    return spec.nics().size() > 1 ? spec.nics().stream().skip(1).map(ChartNic::name).toList() : List.of();
  }

  private static void modelAndMac(Map<String, Object> into, Map<String, Object> nic) {
    if (truthy(nic.get("model"))) {
      into.put("model", text(nic.get("model")));
    }
    if (truthy(nic.get("macAddress"))) {
      into.put("macAddress", text(nic.get("macAddress")));
    }
  }

  private static Map<String, Object> diskEntry(String name, String bus) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("name", name);
    d.put("disk", single("bus", bus));
    return d;
  }

  private static Map<String, Object> nameKind(Map<String, Object> ref) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", text(ref.get("name")));
    m.put("kind", text(ref.get("kind")));
    return m;
  }

  private Map<String, Object> map(String topLevel) {
    return asMap(values.get(topLevel));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : new LinkedHashMap<>();
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return o instanceof List<?> l ? (List<Object>) l : List.of();
  }

  private static Map<String, Object> single(String key, Object value) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(key, value);
    return m;
  }

  /** Go template truth: false, 0, nil, and empty strings, maps and lists are false. */
  private static boolean truthy(Object o) {
    if (o == null || Boolean.FALSE.equals(o)) {
      return false;
    }
    if (o instanceof Number n) {
      return n.doubleValue() != 0;
    }
    if (o instanceof String s) {
      return !s.isEmpty();
    }
    if (o instanceof Map<?, ?> m) {
      return !m.isEmpty();
    }
    if (o instanceof List<?> l) {
      return !l.isEmpty();
    }
    return true;
  }

  private static String text(Object o) {
    return o == null ? "" : o.toString();
  }

  /** Sprig's {@code int}: a number's integer part, a numeric string parsed, anything else 0. */
  private static int integer(Object o) {
    if (o instanceof Number n) {
      return n.intValue();
    }
    try {
      return o == null ? 0 : (int) Double.parseDouble(o.toString().trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String orDefault(String value, String fallback) {
    return value.isEmpty() ? fallback : value;
  }

  private static void fail(String message) throws ChartConfigException {
    throw new ChartConfigException("src/main/helm/values.yaml", "The chart's default values do not render a"
        + " VirtualMachine: " + message);
  }
}
