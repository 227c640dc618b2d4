package dev.vmpackager.chart;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.vmpackager.io.Digests;
import dev.vmpackager.registry.ImageReference;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The chart's {@code values.yaml} as an ordered tree, its comments, the user's overrides from
 * {@code src/main/helm/values.yaml}, and the {@code values.schema.json} that guards it. The layout
 * is the product contract (DESIGN.md): {@code image}, {@code vm}, {@code cloudInit}, {@code service}.
 */
final class ChartValues {

  /** The top-level keys the generated templates read. */
  static final List<String> KNOWN = List.of("image", "vm", "cloudInit", "service");

  private final Map<String, Object> tree;
  private final List<ChartDisk> vmDisks;
  private final List<ChartNic> vmNics;
  /** Whether vm.diskBus may be usb: a chart of several disks, or one built with usb (a one-disk chart is as it was). */
  private final boolean usbRoot;
  private final List<String> extraTopLevel = new ArrayList<>();

  private ChartValues(Map<String, Object> tree, List<ChartDisk> vmDisks, List<ChartNic> vmNics, boolean usbRoot) {
    this.tree = tree;
    this.vmDisks = vmDisks;
    this.vmNics = vmNics;
    this.usbRoot = usbRoot;
  }

  /** @return the default values of the spec */
  static ChartValues of(ChartSpec spec) {
    Map<String, Object> root = new LinkedHashMap<>();
    Map<String, Object> image = new LinkedHashMap<>();
    image.put("repository", spec.imageRepository());
    image.put("tag", spec.imageTag());
    image.put("digest", spec.imageDigest());
    image.put("pullPolicy", spec.imagePullPolicy());
    root.put("image", image);
    Map<String, Object> vm = new LinkedHashMap<>();
    vm.put("name", spec.vmName());
    vm.put("runStrategy", spec.runStrategy().name());
    vm.put("memory", spec.memory());
    vm.put("cpuCores", spec.cpuCores());
    vm.put("cpuSockets", spec.cpuSockets());
    vm.put("cpuThreads", spec.cpuThreads());
    vm.put("cpuModel", spec.cpuModel());
    Map<String, Object> instancetype = new LinkedHashMap<>();
    instancetype.put("name", spec.instancetypeName());
    instancetype.put("kind", spec.instancetypeKind());
    vm.put("instancetype", instancetype);
    Map<String, Object> preference = new LinkedHashMap<>();
    preference.put("name", spec.preferenceName());
    preference.put("kind", spec.preferenceKind());
    vm.put("preference", preference);
    vm.put("nodeSelector", new LinkedHashMap<String, Object>(spec.nodeSelector()));
    vm.put("tolerations", new ArrayList<>());
    vm.put("affinity", new LinkedHashMap<String, Object>());
    vm.put("firmware", spec.firmware());
    vm.put("secureBoot", spec.secureBoot());
    vm.put("machineType", spec.machineType());
    vm.put("diskBus", spec.diskBus());
    vm.put("terminationGracePeriodSeconds", spec.terminationGracePeriodSeconds());
    Map<String, Object> storage = new LinkedHashMap<>();
    storage.put("type", spec.storage().name());
    storage.put("size", spec.storageSize());
    storage.put("storageClass", spec.storageClass());
    storage.put("pullMethod", spec.storagePullMethod());
    storage.put("secretRef", spec.storageSecretRef());
    storage.put("certConfigMap", spec.storageCertConfigMap());
    vm.put("storage", storage);
    if (!spec.disks().isEmpty()) {
      vm.put("disks", disks(spec));
    }
    List<Object> disks = new ArrayList<>();
    for (ExtraDisk d : spec.extraDisks()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", d.name());
      if (!d.bus().isEmpty()) {
        m.put("bus", d.bus());
      }
      if (!d.emptyDiskCapacity().isEmpty()) {
        m.put("emptyDiskCapacity", d.emptyDiskCapacity());
      } else {
        m.put("persistentVolumeClaim", d.persistentVolumeClaim());
      }
      disks.add(m);
    }
    vm.put("extraDisks", disks);
    if (spec.nicsDescribed()) {
      vm.put("interfaces", interfaces(spec));
    }
    List<Object> usb = new ArrayList<>();
    for (HostDevice d : spec.hostDevices()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("resource", d.resource());
      m.put("name", d.name());
      usb.add(m);
    }
    vm.put("usbDevices", usb);
    root.put("vm", vm);
    Map<String, Object> cloudInit = new LinkedHashMap<>();
    cloudInit.put("enabled", spec.hasCloudInit() || !spec.cloudInitExistingSecret().isEmpty());
    cloudInit.put("existingSecret", spec.cloudInitExistingSecret());
    cloudInit.put("type", spec.cloudInitType());
    root.put("cloudInit", cloudInit);
    Map<String, Object> service = new LinkedHashMap<>();
    service.put("type", spec.serviceType());
    List<Object> ports = new ArrayList<>();
    for (ServicePort p : spec.ports()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", p.name());
      m.put("port", p.port());
      m.put("protocol", p.protocol());
      ports.add(m);
    }
    service.put("ports", ports);
    root.put("service", service);
    return new ChartValues(root, spec.disks(), spec.nicsDescribed() ? spec.nics() : List.of(),
        !spec.disks().isEmpty() || spec.diskBus().equals("usb"));
  }

  /**
   * @param spec the checked chart settings
   * @return the values the chart installs with by default: the spec's, with the user's
   *     {@code src/main/helm/values.yaml} merged over them when there is one
   * @throws ChartConfigException naming the user's values file when it is wrong
   */
  static ChartValues defaults(ChartSpec spec) throws ChartConfigException {
    ChartValues values = of(spec);
    Path user = spec.userChartDirectory().map(d -> d.resolve("values.yaml")).orElse(null);
    if (user != null && java.nio.file.Files.isRegularFile(user)) {
      values.mergeOverrides(user);
    }
    return values;
  }

  /**
   * The VM's disks besides the root disk, by name: a map, not a list, so that a deployer can change
   * one with {@code --set vm.disks.data.bus=sata} (Helm replaces a whole list on {@code --set
   * list[0].x}). Their boot order is the build's, written into the template.
   */
  private static Map<String, Object> disks(ChartSpec spec) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (ChartDisk d : spec.disks()) {
      Map<String, Object> image = new LinkedHashMap<>();
      image.put("repository", d.imageRepository());
      image.put("tag", d.imageTag());
      image.put("digest", d.imageDigest());
      Map<String, Object> storage = new LinkedHashMap<>();
      storage.put("type", d.storageType());
      storage.put("size", d.storageSize());
      storage.put("storageClass", d.storageClass());
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("bus", d.bus());
      m.put("image", image);
      m.put("storage", storage);
      out.put(d.name(), m);
    }
    return out;
  }

  /** The NICs by name (a map for {@code --set}, as {@link #disks}); their order is the template's. */
  private static Map<String, Object> interfaces(ChartSpec spec) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (ChartNic n : spec.nics()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("model", n.model());
      m.put("macAddress", n.macAddress());
      if (!n.name().equals(ChartSpec.POD_NIC)) {
        m.put("network", n.network());
      }
      out.put(n.name(), m);
    }
    return out;
  }

  /**
   * Merges the user's values over the generated ones: maps merge key by key, anything else
   * replaces. New top-level keys (for the user's own templates) are kept and allowed by the
   * schema; a new key inside {@code image}, {@code vm}, {@code cloudInit} or {@code service} is a
   * misspelling the generated templates would ignore, so it is refused.
   *
   * @param file the user's values.yaml
   * @throws ChartConfigException naming the file when it is not a YAML mapping or has an unknown key
   */
  void mergeOverrides(Path file) throws ChartConfigException {
    String param = "src/main/helm/values.yaml";
    Object parsed;
    try {
      parsed = new ObjectMapper(new YAMLFactory()).readValue(file.toFile(), Object.class);
    } catch (JacksonException e) {
      throw new ChartConfigException(param, "The values file " + file + " is not valid YAML: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new ChartConfigException(param, "The values file " + file + " cannot be read: " + e.getMessage(), e);
    }
    if (parsed == null) {
      return;
    }
    if (!(parsed instanceof Map<?, ?> m)) {
      throw new ChartConfigException(param, "The values file " + file + " must be a YAML mapping of values");
    }
    for (Map.Entry<?, ?> e : m.entrySet()) {
      String k = String.valueOf(e.getKey());
      if (!KNOWN.contains(k)) {
        extraTopLevel.add(k);
      }
    }
    merge(tree, m, "", file);
  }

  @SuppressWarnings("unchecked")
  private void merge(Map<String, Object> into, Map<?, ?> from, String path, Path file) throws ChartConfigException {
    for (Map.Entry<?, ?> e : from.entrySet()) {
      String k = String.valueOf(e.getKey());
      String p = path.isEmpty() ? k : path + "." + k;
      Object old = into.get(k);
      if (!path.isEmpty() && !into.containsKey(k) && KNOWN.contains(p.substring(0, p.indexOf('.'))) && !isOpen(path)) {
        throw new ChartConfigException("src/main/helm/values.yaml", "The values file " + file + " sets '" + p
            + "', which the generated chart does not know; the keys under " + path + " are " + into.keySet());
      }
      if (old instanceof Map<?, ?> oldMap && e.getValue() instanceof Map<?, ?> newMap) {
        merge((Map<String, Object>) oldMap, newMap, p, file);
      } else {
        into.put(k, e.getValue());
      }
    }
  }

  /** Maps whose keys are the user's (labels, affinity terms), not names the templates read. */
  private static final List<String> OPEN_MAPS = List.of("vm.nodeSelector", "vm.affinity");

  /** @return whether the value at this dotted path is a map of the user's own keys */
  static boolean isOpen(String path) {
    return OPEN_MAPS.stream().anyMatch(m -> path.equals(m) || path.startsWith(m + "."));
  }

  /** @return the values tree (live; the generator only reads it) */
  Map<String, Object> tree() {
    return tree;
  }

  /** @return the comment of each value, by dotted path */
  Map<String, String> comments() {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("image", "The KubeVirt containerDisk image holding the VM's disk under /disk/.\n"
        + "The VM boots repository:tag, or repository@digest when digest is set.");
    c.put("image.repository", "Registry and path, without tag.");
    c.put("image.tag", "Image tag.");
    c.put("image.digest", "A sha256: digest pins the exact image; empty uses the tag.");
    c.put("image.pullPolicy", "IfNotPresent, Always or Never (containerDisk storage only).");
    c.put("vm", "The VirtualMachine (kubevirt.io/v1).");
    c.put("vm.name", "metadata.name of the VirtualMachine; also names its Service, Secret and disk.");
    c.put("vm.runStrategy", "Always (default), RerunOnFailure, Manual, Halted or Once.\n"
        + "Halted and Once leave the VM stopped after install or upgrade.");
    c.put("vm.memory", "Guest memory as a Kubernetes quantity, e.g. 64Mi, 2Gi.");
    c.put("vm.cpuCores", "Virtual CPU cores (per socket).");
    c.put("vm.cpuSockets", "Virtual CPU sockets; the guest sees cpuSockets x cpuCores x cpuThreads CPUs.");
    c.put("vm.cpuThreads", "Threads per core.");
    c.put("vm.cpuModel", "CPU model, e.g. host-passthrough or host-model; empty keeps KubeVirt's default.");
    c.put("vm.instancetype", "An instancetype giving CPU and memory; with a name set, memory and the cpu*\n"
        + "values are not rendered (KubeVirt rejects a VM that sets both).");
    c.put("vm.instancetype.name", "e.g. u1.medium; empty for none.");
    c.put("vm.instancetype.kind", "VirtualMachineClusterInstancetype (cluster-wide) or VirtualMachineInstancetype (namespaced).");
    c.put("vm.preference", "A preference: defaults for devices, firmware and the like.");
    c.put("vm.preference.name", "e.g. fedora; empty for none.");
    c.put("vm.preference.kind", "VirtualMachineClusterPreference (cluster-wide) or VirtualMachinePreference (namespaced).");
    c.put("vm.nodeSelector", "Node labels the VM's pod must match, e.g. {kubernetes.io/arch: amd64}.");
    c.put("vm.tolerations", "Pod tolerations, e.g. [{key: dedicated, operator: Equal, value: vms, effect: NoSchedule}].");
    c.put("vm.affinity", "Pod affinity: nodeAffinity, podAffinity and/or podAntiAffinity, as in a Pod spec.");
    c.put("vm.firmware", "bios or efi.");
    c.put("vm.secureBoot", "efi only: UEFI Secure Boot, with the SMM feature it needs; false boots efi without it.");
    c.put("vm.machineType", "QEMU machine type, e.g. q35; empty keeps KubeVirt's default.");
    c.put("vm.diskBus", "Bus of the root (and cloud-init) disk: virtio, sata or scsi" + (usbRoot ? ", or usb." : ".")
        + (vmDisks.isEmpty() ? "" : "\nAlso the bus of each of vm.disks whose bus is empty."));
    c.put("vm.terminationGracePeriodSeconds", "Seconds KubeVirt waits for the guest to shut down.");
    c.put("vm.storage", "The root disk.");
    c.put("vm.storage.type", "containerDisk (ephemeral, straight from the image) or dataVolume\n"
        + "(CDI imports the image once into a PVC the VM keeps).");
    c.put("vm.storage.size", "dataVolume: the PVC size, e.g. 20Gi (at least the disk's virtual size).");
    c.put("vm.storage.storageClass", "dataVolume: the storage class; empty uses the cluster's default.");
    c.put("vm.storage.pullMethod", "dataVolume: node (the kubelet pulls the image with the node's credentials)\n"
        + "or pod (CDI's importer pulls it, using secretRef and certConfigMap).");
    c.put("vm.storage.secretRef", "dataVolume, pod pull: Secret with the registry's accessKeyId and secretKey; empty for none.");
    c.put("vm.storage.certConfigMap", "dataVolume, pod pull: ConfigMap with the registry's CA certificate(s); empty for none.");
    for (int i = 0; i < vmDisks.size(); i++) {
      String d = "vm.disks." + vmDisks.get(i).name();
      if (i == 0) {
        c.put("vm.disks", "The VM's other disks, each from its own containerDisk image, tried after the root disk\n"
            + "in this order (bootOrder 2, 3...). Empty values follow the root disk's.");
      }
      c.put(d, "Disk " + vmDisks.get(i).name() + " (bootOrder " + (i + 2) + ").");
      c.put(d + ".bus", "virtio, sata, scsi or usb; empty: vm.diskBus.");
      c.put(d + ".image", "Its containerDisk image; repository@digest when digest is set (pull policy: image.pullPolicy).");
      c.put(d + ".image.repository", "Registry and path, without tag.");
      c.put(d + ".image.tag", "Image tag.");
      c.put(d + ".image.digest", "A sha256: digest pins the exact image; empty uses the tag.");
      c.put(d + ".storage", "How the disk is held (dataVolume: pulled as vm.storage's pullMethod, secretRef, certConfigMap say).");
      c.put(d + ".storage.type", "containerDisk or dataVolume; empty: vm.storage.type.");
      c.put(d + ".storage.size", "dataVolume: the PVC <vm.name>-" + vmDisks.get(i).name() + "'s size, at least the disk's virtual size.");
      c.put(d + ".storage.storageClass", "dataVolume: the storage class; empty: vm.storage.storageClass.");
    }
    c.put("vm.extraDisks", (vmDisks.isEmpty() ? "Data disks besides the root disk" : "Empty disks and claims besides the VM's disks")
        + ": {name, bus (default diskBus), and either\n"
        + "emptyDiskCapacity (e.g. 10Gi, lives as long as the VM's pod) or persistentVolumeClaim (an existing claim)}.");
    for (int i = 0; i < vmNics.size(); i++) {
      String n = "vm.interfaces." + vmNics.get(i).name();
      if (i == 0) {
        c.put("vm.interfaces", "The VM's network interfaces, in the guest's order: default on the pod network\n"
            + "(masquerade), each other one bridged onto the Multus network its network value names.");
        c.put(n, "The first NIC, on the pod network.");
      } else {
        c.put(n, "NIC " + (i + 1) + ", on a Multus network.");
      }
      c.put(n + ".model", "e1000, e1000e, igb, ne2k_pci, pcnet, rtl8139 or virtio; empty: KubeVirt's default (virtio).");
      c.put(n + ".macAddress", "The MAC address the guest knows, e.g. 00:50:56:aa:bb:cc; empty: KubeVirt picks one.");
      if (i > 0) {
        c.put(n + ".network", "The NetworkAttachmentDefinition ([namespace/]name) it attaches to;\n"
            + "helm install fails while it is empty: --set " + n + ".network=<name>.");
      }
    }
    c.put("vm.usbDevices", "USB host devices passed through: {resource, name}; each resource must be\n"
        + "permitted in the cluster's KubeVirt CR (see NOTES and kubevirt-usb.yaml).");
    c.put("cloudInit", "cloud-init user-data and network data: in the chart's Secret template, or in a Secret\n"
        + "you create (existingSecret), e.g. when the user-data holds passwords or keys.");
    c.put("cloudInit.enabled", "Attach the cloud-init disk (needs a chart built with a user-data or network-data file,\n"
        + "or existingSecret).");
    c.put("cloudInit.existingSecret", "Name of a Secret in the release's namespace holding the user-data (key userdata)\n"
        + "and/or network data (key networkdata); the chart then renders no Secret of its own and the VM reads\n"
        + "this one: kubectl create secret generic NAME --from-file=userdata=user-data.yaml. Empty: the chart's.");
    c.put("cloudInit.type", "nocloud (cloudInitNoCloud) or configDrive (cloudInitConfigDrive, e.g. Windows with cloudbase-init).");
    c.put("service", "A Service in front of the VM's pod network ports; none when ports is empty.");
    c.put("service.type", "ClusterIP, NodePort or LoadBalancer.");
    c.put("service.ports", "{name, port, protocol}; each is also forwarded by the VM's masquerade interface.");
    for (String k : extraTopLevel) {
      c.put(k, "From src/main/helm/values.yaml.");
    }
    return c;
  }

  /** @return the commented values.yaml text */
  String yaml(ChartSpec spec) {
    StringBuilder out = new StringBuilder();
    out.append("# Default values for the ").append(spec.name()).append(" chart, generated by vm-packager.\n");
    out.append("# Override any of them at install time (helm install --set vm.memory=2Gi ...);\n");
    out.append("# values.schema.json rejects misspelled keys and wrong types.\n");
    Text.yaml(out, tree, 0, "", comments());
    return out.toString();
  }

  /** @return the draft-07 values.schema.json text */
  String schema(ChartSpec spec) {
    StringBuilder out = new StringBuilder();
    Text.json(out, schemaTree(spec), 0);
    return out.append('\n').toString();
  }

  /** @return the draft-07 schema as an ordered tree */
  Map<String, Object> schemaTree(ChartSpec spec) {
    String quantity = "(0|[1-9][0-9]*)(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?";
    Map<String, Object> image = object("The containerDisk image",
        prop("repository", str("Registry and path, without tag", IMAGE_REPOSITORY)),
        prop("tag", str("Image tag", IMAGE_TAG)),
        prop("digest", str("sha256:<64 hex digits>, or empty", IMAGE_DIGEST)),
        prop("pullPolicy", enumOf("containerDisk pull policy", "IfNotPresent", "Always", "Never")));
    Map<String, Object> storage = object("Root disk storage",
        prop("type", enumOf("containerDisk or dataVolume", "containerDisk", "dataVolume")),
        prop("size", str("PVC size with dataVolume, e.g. 10Gi", "^(" + quantity + ")?$")),
        prop("storageClass", str("Storage class; empty for the cluster default", "^([a-z0-9]([-a-z0-9.]*[a-z0-9])?)?$")),
        prop("pullMethod", enumOf("How CDI pulls the image", ChartSpec.PULL_METHODS.toArray(String[]::new))),
        prop("secretRef", str("Registry credentials Secret for CDI's importer; empty for none", RESOURCE_NAME)),
        prop("certConfigMap", str("Registry CA ConfigMap for CDI's importer; empty for none", RESOURCE_NAME)));
    // dataVolume needs a size (draft-07 if/then).
    storage.put("if", map("properties", map("type", map("const", "dataVolume"))));
    storage.put("then", map("properties", map("size", map("minLength", 1))));
    Map<String, Object> usbItem = object("A USB host device",
        prop("resource", str("Extended resource name, e.g. kubevirt.io/wifi-dongle",
            "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")),
        prop("name", str("Unique host device name", "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")));
    Map<String, Object> usb = new LinkedHashMap<>();
    usb.put("description", "USB host devices");
    usb.put("type", "array");
    usb.put("items", usbItem);
    Map<String, Object> memory = str("Guest memory, e.g. 64Mi, 2Gi", "^" + quantity + "$");
    List<Map.Entry<String, Object>> vmProps = new ArrayList<>(List.of(
        prop("name", str("metadata.name of the VirtualMachine", "^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$")),
        prop("runStrategy", enumOf("spec.runStrategy", "Always", "RerunOnFailure", "Once", "Manual", "Halted")),
        prop("memory", memory),
        prop("cpuCores", integer("Virtual CPU cores", 1, 1024)),
        prop("cpuSockets", integer("Virtual CPU sockets", 1, 1024)),
        prop("cpuThreads", integer("Threads per core", 1, 1024)),
        prop("cpuModel", str("CPU model, e.g. host-passthrough; empty for KubeVirt's default", "^([A-Za-z0-9][-A-Za-z0-9_.]{0,62})?$")),
        prop("instancetype", object("Instancetype giving CPU and memory",
            prop("name", str("Instancetype name; empty for none", RESOURCE_NAME)),
            prop("kind", enumOf("Instancetype kind", ChartSpec.INSTANCETYPE_KINDS.toArray(String[]::new))))),
        prop("preference", object("Preference",
            prop("name", str("Preference name; empty for none", RESOURCE_NAME)),
            prop("kind", enumOf("Preference kind", ChartSpec.PREFERENCE_KINDS.toArray(String[]::new))))),
        prop("nodeSelector", nodeSelector()),
        prop("tolerations", tolerations()),
        prop("affinity", affinity()),
        prop("firmware", enumOf("bios or efi", "bios", "efi")),
        prop("secureBoot", bool("UEFI Secure Boot with SMM (efi only)")),
        prop("machineType", str("QEMU machine type; empty for KubeVirt's default", "^([A-Za-z0-9][-A-Za-z0-9_.]*)?$")),
        prop("diskBus", enumOf("Disk bus", (usbRoot ? ChartSpec.DISK_BUSES : ChartSpec.CLASSIC_DISK_BUSES).toArray(String[]::new))),
        prop("terminationGracePeriodSeconds", integer("Seconds to wait for guest shutdown", 0, null)),
        prop("storage", storage)));
    if (!vmDisks.isEmpty()) {
      vmProps.add(prop("disks", disksSchema(quantity)));
    }
    vmProps.add(prop("extraDisks", extraDisks(vmDisks)));
    if (!vmNics.isEmpty()) {
      vmProps.add(prop("interfaces", interfacesSchema()));
    }
    vmProps.add(prop("usbDevices", usb));
    @SuppressWarnings("unchecked")
    Map<String, Object> vm = object("The VirtualMachine", vmProps.toArray(Map.Entry[]::new));
    // Secure Boot needs efi firmware (draft-07 if/then).
    vm.put("if", map("properties", map("secureBoot", map("const", true))));
    vm.put("then", map("properties", map("firmware", map("const", "efi"))));
    Map<String, Object> cloudInit = object("cloud-init user-data and network data",
        prop("enabled", bool("Attach the cloud-init disk")),
        prop("existingSecret", str("A Secret you created with the keys userdata and/or networkdata, used instead of"
            + " the chart's own; empty for the chart's", RESOURCE_NAME)),
        prop("type", enumOf("nocloud or configDrive", ChartSpec.CLOUD_INIT_TYPES.toArray(String[]::new))));
    Map<String, Object> port = object("A Service port",
        prop("name", str("IANA service name, e.g. http", "^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$")),
        prop("port", integer("Port number", 1, 65535)),
        prop("protocol", enumOf("TCP or UDP (KubeVirt interface ports take no other)", "TCP", "UDP")));
    port.put("required", List.of("name", "port"));
    Map<String, Object> ports = new LinkedHashMap<>();
    ports.put("description", "Ports of the VM, exposed by a Service");
    ports.put("type", "array");
    ports.put("items", port);
    Map<String, Object> service = object("The Service",
        prop("type", enumOf("Service type", "ClusterIP", "NodePort", "LoadBalancer")),
        prop("ports", ports));
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("$schema", "http://json-schema.org/draft-07/schema#");
    root.put("title", "Values of the " + spec.name() + " chart");
    root.put("type", "object");
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("image", image);
    props.put("vm", vm);
    props.put("cloudInit", cloudInit);
    props.put("service", service);
    for (String k : extraTopLevel) {
      props.put(k, map("description", "From src/main/helm/values.yaml"));
    }
    root.put("properties", props);
    root.put("required", KNOWN);
    root.put("additionalProperties", false);
    return root;
  }

  /** An optional DNS-1123 subdomain (instancetype, preference, Secret or ConfigMap name). */
  private static final String RESOURCE_NAME = "^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?)?$";

  /** The schema of {@code vm.disks}: exactly the VM's disks, so a misspelled name is refused. */
  private Map<String, Object> disksSchema(String quantity) {
    Map<String, Object> props = new LinkedHashMap<>();
    for (ChartDisk d : vmDisks) {
      Map<String, Object> storage = object("How the disk is held",
          prop("type", enumOf("containerDisk or dataVolume; empty: vm.storage.type", "", "containerDisk", "dataVolume")),
          prop("size", str("PVC size with dataVolume, e.g. 10Gi", "^(" + quantity + ")?$")),
          prop("storageClass", str("Storage class; empty: vm.storage.storageClass", "^([a-z0-9]([-a-z0-9.]*[a-z0-9])?)?$")));
      storage.put("if", map("properties", map("type", map("const", "dataVolume"))));
      storage.put("then", map("properties", map("size", map("minLength", 1))));
      List<String> buses = new ArrayList<>(List.of(""));
      buses.addAll(ChartSpec.DISK_BUSES);
      props.put(d.name(), object("Disk " + d.name(),
          prop("bus", enumOf("Disk bus; empty: vm.diskBus", buses.toArray(String[]::new))),
          prop("image", object("Its containerDisk image",
              prop("repository", str("Registry and path, without tag", IMAGE_REPOSITORY)),
              prop("tag", str("Image tag", IMAGE_TAG)),
              prop("digest", str("sha256:<64 hex digits>, or empty", IMAGE_DIGEST)))),
          prop("storage", storage)));
    }
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("description", "The VM's other disks, in boot order after the root disk");
    o.put("type", "object");
    o.put("properties", props);
    o.put("required", List.copyOf(props.keySet()));
    o.put("additionalProperties", false);
    return o;
  }

  /** The schema of {@code vm.interfaces}: exactly the VM's NICs. */
  private Map<String, Object> interfacesSchema() {
    List<String> models = new ArrayList<>(List.of(""));
    models.addAll(ChartSpec.NIC_MODELS);
    Map<String, Object> props = new LinkedHashMap<>();
    for (ChartNic n : vmNics) {
      Map.Entry<String, Object> model = prop("model", enumOf("NIC model; empty: virtio", models.toArray(String[]::new)));
      Map.Entry<String, Object> mac = prop("macAddress", str("Unicast MAC address, or empty for one KubeVirt picks",
          "^([0-9A-Fa-f][02468ACEace](:[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f][02468ACEace](-[0-9A-Fa-f]{2}){5})?$"));
      props.put(n.name(), n.name().equals(ChartSpec.POD_NIC)
          ? object("The first NIC, on the pod network", model, mac)
          : object("NIC " + n.name() + ", on a Multus network", model, mac,
              prop("network", str("NetworkAttachmentDefinition, [namespace/]name; required at install",
                  "^(([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?/)?[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?)?$"))));
    }
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("description", "The VM's network interfaces, in the guest's order");
    o.put("type", "object");
    o.put("properties", props);
    o.put("required", List.copyOf(props.keySet()));
    o.put("additionalProperties", false);
    return o;
  }

  private static final String IMAGE_REPOSITORY = ImageReference.REPOSITORY_REGEX;
  private static final String IMAGE_TAG = ImageReference.TAG_REGEX;
  private static final String IMAGE_DIGEST = "^(" + Digests.DIGEST_REGEX + ")?$";

  private static Map<String, Object> extraDisks(List<ChartDisk> vmDisks) {
    String quantity = "^(0|[1-9][0-9]*)(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$";
    Map<String, Object> name = new LinkedHashMap<>(str("Disk and volume name", "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"));
    List<String> taken = new ArrayList<>(List.of("rootdisk", "cloudinitdisk"));
    vmDisks.forEach(d -> taken.add(d.name()));
    name.put("not", map("enum", taken));
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("name", name);
    props.put("bus", enumOf("Disk bus; default vm.diskBus", "virtio", "sata", "scsi"));
    props.put("emptyDiskCapacity", str("Capacity of an empty disk, e.g. 10Gi", quantity));
    props.put("persistentVolumeClaim", str("Name of an existing PersistentVolumeClaim", "^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$"));
    Map<String, Object> item = new LinkedHashMap<>();
    item.put("description", "A data disk: an empty disk or an existing claim");
    item.put("type", "object");
    item.put("properties", props);
    item.put("required", List.of("name"));
    item.put("oneOf", List.of(map("required", List.of("emptyDiskCapacity")),
        map("required", List.of("persistentVolumeClaim"))));
    item.put("additionalProperties", false);
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("description", "Data disks besides the root disk");
    o.put("type", "array");
    o.put("items", item);
    return o;
  }

  private static Map<String, Object> nodeSelector() {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("description", "Node labels the VM's pod must match");
    o.put("type", "object");
    o.put("propertyNames", map("pattern", ChartSpec.LABEL_KEY.pattern()));
    o.put("additionalProperties", map("type", "string", "pattern", ChartSpec.LABEL_VALUE.pattern()));
    return o;
  }

  private static Map<String, Object> tolerations() {
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("key", map("type", "string"));
    props.put("operator", map("type", "string", "enum", List.of("Exists", "Equal")));
    props.put("value", map("type", "string"));
    props.put("effect", map("type", "string", "enum", List.of("", "NoSchedule", "PreferNoSchedule", "NoExecute")));
    props.put("tolerationSeconds", map("type", "integer"));
    Map<String, Object> item = new LinkedHashMap<>();
    item.put("description", "A toleration, as in a Pod spec");
    item.put("type", "object");
    item.put("properties", props);
    item.put("additionalProperties", false);
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("description", "Pod tolerations");
    o.put("type", "array");
    o.put("items", item);
    return o;
  }

  private static Map<String, Object> affinity() {
    Map<String, Object> props = new LinkedHashMap<>();
    for (String k : List.of("nodeAffinity", "podAffinity", "podAntiAffinity")) {
      props.put(k, map("type", "object"));
    }
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("description", "Pod affinity, as in a Pod spec");
    o.put("type", "object");
    o.put("properties", props);
    o.put("additionalProperties", false);
    return o;
  }

  /**
   * A small map in the order its keys are given. Never {@code Map.of}: its iteration order is
   * salted per JVM, and {@link Text#json} writes keys in iteration order, so the schema (and the
   * chart's digest) would change from one build to the next (DESIGN.md: byte-identical .tgz).
   */
  private static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  @SafeVarargs
  private static Map<String, Object> object(String description, Map.Entry<String, Object>... props) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("description", description);
    o.put("type", "object");
    Map<String, Object> p = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : props) {
      p.put(e.getKey(), e.getValue());
    }
    o.put("properties", p);
    // Every generated key has a default; a deployer removing one (--set vm.memory=null) would
    // render an invalid VirtualMachine, so the schema requires them all.
    o.put("required", List.copyOf(p.keySet()));
    o.put("additionalProperties", false);
    return o;
  }

  private static Map.Entry<String, Object> prop(String name, Object schema) {
    return Map.entry(name, schema);
  }

  private static Map<String, Object> str(String description, String pattern) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("description", description);
    o.put("type", "string");
    o.put("pattern", pattern);
    return o;
  }

  private static Map<String, Object> enumOf(String description, String... values) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("description", description);
    o.put("type", "string");
    o.put("enum", List.of(values));
    return o;
  }

  private static Map<String, Object> bool(String description) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("description", description);
    o.put("type", "boolean");
    return o;
  }

  private static Map<String, Object> integer(String description, int min, Integer max) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("description", description);
    o.put("type", "integer");
    o.put("minimum", min);
    if (max != null) {
      o.put("maximum", max);
    }
    return o;
  }
}
