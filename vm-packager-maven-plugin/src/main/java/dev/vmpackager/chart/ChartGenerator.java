package dev.vmpackager.chart;

import dev.vmpackager.event.BuildListener;
import dev.vmpackager.io.DiskFullException;
import dev.vmpackager.io.FileTrees;
import dev.vmpackager.io.TempPaths;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Writes a Helm chart (apiVersion v2) running one KubeVirt VirtualMachine from a {@link ChartSpec}:
 * Chart.yaml, a commented values.yaml and its values.schema.json, templates (helpers, the
 * VirtualMachine, the Service, the cloud-init Secret, NOTES.txt), a README listing the values and,
 * with USB devices, the cluster operator's {@code usbList} / {@code permittedHostDevices} snippet.
 * Every VM setting is a value, so a deployer can change it at {@code helm install}. The VM's disks
 * besides the boot disk ({@code vm.disks}) and its NICs ({@code vm.interfaces}) appear only when
 * the spec has them: the template resources keep those parts between {@code ##if} lines (see
 * {@link #conditionals}), so a one-disk, one-NIC chart is byte for byte what it always was.
 *
 * <p>The user's own files ({@code src/main/helm/}) are laid over the generated ones: a file with
 * the same path replaces the generated file, {@code values.yaml} is merged into the generated
 * values, and {@code Chart.yaml} is refused (its fields come from the POM).
 */
public final class ChartGenerator {

  /** Helm refuses bigger files in a chart archive (its default decompressed file limit). */
  static final long MAX_USER_FILE = 5L * 1024 * 1024;

  /** The file carrying the USB snippet for the cluster operator. */
  public static final String USB_FILE = "kubevirt-usb.yaml";

  private final BuildListener listener;

  /** @param listener where warnings (e.g. a run strategy that breaks upgrades) go */
  public ChartGenerator(BuildListener listener) {
    this.listener = listener;
  }

  /**
   * Writes the chart folder {@code helmDir/<chart name>/}, replacing what was there. The chart is
   * written into a temporary folder beside it first, so a failure leaves no half-written chart.
   *
   * @param spec the checked chart settings
   * @param helmDir the parent folder, e.g. {@code target/helm}
   * @return the chart folder
   * @throws ChartConfigException when the user's chart files are wrong (unknown value keys, a Chart.yaml)
   * @throws IOException when files cannot be read or written
   */
  public Path generate(ChartSpec spec, Path helmDir) throws ChartConfigException, IOException {
    SortedMap<String, byte[]> files = files(spec);
    Path target = helmDir.resolve(spec.name());
    // Not Files.createTempDirectory: its 0700 would stay on the chart folder after the rename.
    Path tmp = TempPaths.createDirectory(target);
    Path writing = target;
    try {
      for (Map.Entry<String, byte[]> e : files.entrySet()) {
        Path f = tmp.resolve(e.getKey());
        writing = target.resolve(e.getKey());
        Files.createDirectories(f.getParent());
        Files.write(f, e.getValue());
      }
      writing = target;
      FileTrees.deleteRecursively(target);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      // Named by where the file goes in the chart, not by the temporary folder that is removed.
      throw DiskFullException.named(e, writing);
    } finally {
      FileTrees.deleteRecursively(tmp);
    }
    listener.info("Wrote Helm chart " + spec.name() + " " + spec.version() + " (" + files.size() + " files) to " + target);
    return target;
  }

  /**
   * @param spec the checked chart settings
   * @return the chart's files by '/'-separated relative path
   * @throws ChartConfigException when the user's chart files are wrong
   * @throws IOException when the user's chart files cannot be read
   */
  public SortedMap<String, byte[]> files(ChartSpec spec) throws ChartConfigException, IOException {
    if (spec.runStrategy() == RunStrategy.Halted || spec.runStrategy() == RunStrategy.Once) {
      listener.warn("<vm><runStrategy> is " + spec.runStrategy() + ": the VM will not be running after install,"
          + " and upgrades through the cluster's KubeVirt Helper (which waits for a running VM) would fail;"
          + " use Always unless that is what you want");
    }
    if (spec.storagePullMethod().equals("node")
        && (!spec.storageSecretRef().isEmpty() || !spec.storageCertConfigMap().isEmpty())) {
      listener.warn("<vm><storageSecretRef> and <storageCertConfigMap> are read by CDI's importer, which pulls the"
          + " image only with <storagePullMethod>pod</storagePullMethod>; with node the kubelet pulls it with the"
          + " node's credentials");
    }
    ChartValues values = ChartValues.of(spec);
    SortedMap<String, byte[]> user = userFiles(spec);
    if (user.containsKey("values.yaml")) {
      values.mergeOverrides(spec.userChartDirectory().orElseThrow().resolve("values.yaml"));
      user.remove("values.yaml");
    }
    SortedMap<String, String> text = new TreeMap<>();
    text.put("Chart.yaml", chartYaml(spec));
    text.put("values.yaml", values.yaml(spec));
    text.put("values.schema.json", values.schema(spec));
    text.put("templates/_helpers.tpl", template(spec, "_helpers.tpl"));
    text.put("templates/virtualmachine.yaml", template(spec, "virtualmachine.yaml"));
    text.put("templates/service.yaml", template(spec, "service.yaml"));
    text.put("templates/NOTES.txt", template(spec, "NOTES.txt") + usbNotes(spec));
    if (spec.hasCloudInit()) {
      text.put("templates/cloudinit-secret.yaml", secret(spec));
    }
    if (!spec.usbList().isEmpty()) {
      text.put(USB_FILE, usbSnippet(spec));
    }
    text.put("README.md", readme(spec, values));
    SortedMap<String, byte[]> out = new TreeMap<>();
    text.forEach((k, v) -> out.put(k, v.getBytes(StandardCharsets.UTF_8)));
    for (Map.Entry<String, byte[]> e : user.entrySet()) {
      if (out.containsKey(e.getKey())) {
        listener.info("src/main/helm/" + e.getKey() + " replaces the generated " + e.getKey());
      }
      out.put(e.getKey(), e.getValue());
    }
    return out;
  }

  private SortedMap<String, byte[]> userFiles(ChartSpec spec) throws ChartConfigException, IOException {
    SortedMap<String, byte[]> out = new TreeMap<>();
    Path root = spec.userChartDirectory().orElse(null);
    if (root == null || !Files.isDirectory(root)) {
      return out;
    }
    List<Path> found = new ArrayList<>();
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        found.add(file);
        return FileVisitResult.CONTINUE;
      }
    });
    for (Path f : found) {
      StringBuilder rel = new StringBuilder();
      for (Path part : root.relativize(f)) {
        rel.append(rel.length() > 0 ? "/" : "").append(part);
      }
      String r = rel.toString();
      String param = "src/main/helm/" + r;
      if (r.equals("Chart.yaml")) {
        throw new ChartConfigException(param, "The chart file " + f + " cannot replace the generated Chart.yaml;"
            + " set <chartName>, <chartVersion>, <appVersion> and <description> in the POM instead");
      }
      if (!Files.isRegularFile(f)) {
        throw new ChartConfigException(param, "The chart file " + f + " is not a regular file (a link or device?)");
      }
      if (Files.size(f) > MAX_USER_FILE) {
        throw new ChartConfigException(param, "The chart file " + f + " is larger than 5 MiB, which Helm refuses");
      }
      out.put(r, Files.readAllBytes(f));
    }
    return out;
  }

  private static String chartYaml(ChartSpec spec) {
    StringBuilder b = new StringBuilder();
    b.append("# Generated by vm-packager-maven-plugin.\n");
    b.append("apiVersion: v2\n");
    b.append("name: ").append(Text.quote(spec.name())).append('\n');
    b.append("description: ").append(Text.quote(spec.description())).append('\n');
    b.append("type: application\n");
    b.append("version: ").append(Text.quote(spec.version())).append('\n');
    b.append("appVersion: ").append(Text.quote(spec.appVersion())).append('\n');
    b.append("kubeVersion: ").append(Text.quote(ChartSpec.KUBE_VERSION)).append('\n');
    spec.home().filter(ChartGenerator::isUrl).ifPresent(h -> b.append("home: ").append(Text.quote(h)).append('\n'));
    List<String> sources = spec.sources().stream().filter(ChartGenerator::isUrl).toList();
    if (!sources.isEmpty()) {
      b.append("sources:\n");
      sources.forEach(s -> b.append("  - ").append(Text.quote(s)).append('\n'));
    }
    List<Maintainer> maintainers = spec.maintainers().stream()
        .filter(m -> m.name() != null && !m.name().isBlank()).toList();
    if (!maintainers.isEmpty()) {
      b.append("maintainers:\n");
      for (Maintainer m : maintainers) {
        b.append("  - name: ").append(Text.quote(m.name().strip())).append('\n');
        if (m.email() != null && m.email().strip().matches("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$")) {
          b.append("    email: ").append(Text.quote(m.email().strip())).append('\n');
        }
        if (m.url() != null && isUrl(m.url().strip())) {
          b.append("    url: ").append(Text.quote(m.url().strip())).append('\n');
        }
      }
    }
    b.append("annotations:\n");
    b.append("  ").append(Text.key("vmpackager.dev/kubevirt-tested-version")).append(": ")
        .append(Text.quote(ChartSpec.KUBEVIRT_TESTED)).append('\n');
    b.append("  ").append(Text.key("vmpackager.dev/kubevirt-schema-version")).append(": ")
        .append(Text.quote(ChartSpec.KUBEVIRT_SCHEMAS)).append('\n');
    b.append("  ").append(Text.key("vmpackager.dev/cdi-version")).append(": ")
        .append(Text.quote(ChartSpec.CDI_VERSION)).append('\n');
    return b.toString();
  }

  private static boolean isUrl(String s) {
    return s.matches("^https?://[^\\s\"]+$");
  }

  private static String template(ChartSpec spec, String name) {
    try (InputStream in = ChartGenerator.class.getResourceAsStream("templates/" + name)) {
      if (in == null) {
        throw new IllegalStateException("template resource missing: " + name);
      }
      String t = conditionals(new String(in.readAllBytes(), StandardCharsets.UTF_8), flags(spec));
      return t.replace("__CHART__", spec.name())
          .replace("__DISK_NAMES__", quotedNames(spec.disks().stream().map(ChartDisk::name).toList()))
          .replace("__NIC_NAMES__", quotedNames(spec.nics().stream().skip(1).map(ChartNic::name).toList()))
          .replace("__HAS_USER_DATA__", spec.cloudInitUserData().isPresent() ? "true" : "")
          .replace("__HAS_NETWORK_DATA__", spec.cloudInitNetworkData().isPresent() ? "true" : "");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The template parts a chart needs: {@code disks} when the VM has disks besides its boot disk,
   * {@code nics} when its NICs are described (model, MAC address), {@code multus} when it has
   * more than one. Without them the templates are those of a one-disk, one-NIC chart, byte for byte.
   */
  private static Set<String> flags(ChartSpec spec) {
    Set<String> flags = new TreeSet<>();
    if (!spec.disks().isEmpty()) {
      flags.add("disks");
    }
    if (spec.nicsDescribed()) {
      flags.add("nics");
    }
    if (spec.nics().size() > 1) {
      flags.add("multus");
    }
    return flags;
  }

  /**
   * Keeps the lines of a template resource that apply: a line {@code ##if flag} (or
   * {@code ##if !flag}) starts a part kept only when the flag is set (or not), {@code ##else} and
   * {@code ##end} close it; the marker lines themselves are dropped. Helm never sees them.
   *
   * @param template the resource's text
   * @param flags the flags set
   * @return the template without the parts that do not apply
   */
  static String conditionals(String template, Set<String> flags) {
    StringBuilder out = new StringBuilder(template.length());
    // Each open part: whether its enclosing part is kept, and whether its current branch is.
    Deque<boolean[]> open = new ArrayDeque<>();
    boolean keep = true;
    for (String line : template.split("(?<=\n)")) {
      String marker = line.strip();
      if (line.startsWith("##if ")) {
        String flag = marker.substring(5).strip();
        boolean negated = flag.startsWith("!");
        boolean branch = flags.contains(negated ? flag.substring(1) : flag) != negated;
        open.push(new boolean[] {keep, branch});
        keep = keep && branch;
      } else if (line.startsWith("##else")) {
        boolean[] part = requireOpen(open, marker);
        part[1] = !part[1];
        keep = part[0] && part[1];
      } else if (line.startsWith("##end")) {
        keep = requireOpen(open, marker)[0];
        open.pop();
      } else if (keep) {
        out.append(line);
      }
    }
    if (!open.isEmpty()) {
      throw new IllegalStateException("template has an ##if without ##end");
    }
    return out.toString();
  }

  private static boolean[] requireOpen(Deque<boolean[]> open, String marker) {
    if (open.isEmpty()) {
      throw new IllegalStateException("template has " + marker + " without ##if");
    }
    return open.peek();
  }

  /** @return the names as Go template string literals, space-separated, for {@code list ...} */
  private static String quotedNames(List<String> names) {
    return String.join(" ", names.stream().map(Text::quote).toList());
  }

  /** The Secret holds the data base64-encoded, so nothing in it can be read as a Helm template. */
  private static String secret(ChartSpec spec) {
    StringBuilder data = new StringBuilder();
    spec.cloudInitUserData().ifPresent(u -> data
        .append("  # The cloud-init user-data file given to the build (<vm><cloudInit>), base64-encoded;\n")
        .append("  # the VirtualMachine reads it through secretRef.\n")
        .append("  userdata: ").append(base64(u)).append('\n'));
    spec.cloudInitNetworkData().ifPresent(n -> data
        .append("  # The network-data file given to the build (<vm><cloudInitNetworkData>), base64-encoded;\n")
        .append("  # the VirtualMachine reads it through networkDataSecretRef.\n")
        .append("  networkdata: ").append(base64(n)).append('\n'));
    return "{{- if and .Values.cloudInit.enabled (not .Values.cloudInit.existingSecret) }}\n"
        + "apiVersion: v1\n"
        + "kind: Secret\n"
        + "metadata:\n"
        + "  name: {{ .Values.vm.name }}-cloudinit\n"
        + "  labels:\n"
        + "    {{- include \"" + spec.name() + ".labels\" . | nindent 4 }}\n"
        + "type: Opaque\n"
        + "data:\n"
        + data
        + "{{- end }}\n";
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String usbNotes(ChartSpec spec) {
    StringBuilder b = new StringBuilder();
    b.append("{{- if .Values.vm.usbDevices }}\n\n");
    b.append("USB passthrough: the VM is given these host devices:\n");
    b.append("{{- range .Values.vm.usbDevices }}\n");
    b.append("  {{ .name }}: {{ .resource }}\n");
    b.append("{{- end }}\n");
    b.append("The VM only starts once the cluster permits them. The cluster operator enables the\n");
    b.append("HostDevices feature gate and permits each resource in the KubeVirt CR.\n");
    if (!spec.usbList().isEmpty()) {
      b.append("With the Virtualization package, set its usbList value to:\n");
      b.append("  ").append(UsbList.format(spec.usbList())).append('\n');
      b.append("or merge this into the KubeVirt CR (the chart's ").append(USB_FILE).append(" carries it):\n");
      for (String line : kubevirtPatch(spec).split("\n")) {
        b.append("  ").append(line).append('\n');
      }
    }
    b.append("{{- end }}\n");
    return b.toString();
  }

  private static String kubevirtPatch(ChartSpec spec) {
    StringBuilder b = new StringBuilder();
    b.append("apiVersion: kubevirt.io/v1\n");
    b.append("kind: KubeVirt\n");
    b.append("metadata:\n");
    b.append("  name: kubevirt\n");
    b.append("  namespace: kubevirt\n");
    b.append("spec:\n");
    b.append("  configuration:\n");
    b.append("    developerConfiguration:\n");
    b.append("      featureGates:\n");
    b.append("        - HostDevices\n");
    b.append("    permittedHostDevices:\n");
    b.append("      usb:\n");
    for (UsbResource r : spec.usbList()) {
      b.append("        - resourceName: ").append(Text.quote(r.resourceName())).append('\n');
      b.append("          selectors:\n");
      b.append("            - vendor: ").append(Text.quote(r.vendor())).append('\n');
      b.append("              product: ").append(Text.quote(r.product())).append('\n');
    }
    return b.toString();
  }

  private static String usbSnippet(ChartSpec spec) {
    return "# USB devices of the " + spec.name() + " chart, for the cluster operator (vm-packager).\n"
        + "#\n"
        + "# The Virtualization package's usbList value:\n"
        + "#   " + UsbList.format(spec.usbList()) + "\n"
        + "#\n"
        + "# Or merge this into the KubeVirt CR. USB passthrough needs the HostDevices feature gate.\n"
        + "# A merge patch replaces whole lists: add the feature gates and permitted devices the\n"
        + "# cluster already has before applying it.\n"
        + "#   kubectl patch kubevirt kubevirt -n kubevirt --type merge --patch-file " + USB_FILE + "\n"
        + kubevirtPatch(spec);
  }

  private static String readme(ChartSpec spec, ChartValues values) {
    StringBuilder b = new StringBuilder();
    b.append("# ").append(spec.name()).append("\n\n");
    b.append(spec.description()).append("\n\n");
    b.append("A [KubeVirt](https://kubevirt.io) VirtualMachine packaged by vm-packager-maven-plugin: chart ")
        .append(spec.version()).append(", application ").append(spec.appVersion()).append(".\n");
    b.append("Generated for KubeVirt ").append(ChartSpec.KUBEVIRT_TESTED).append(" (validated against the ")
        .append(ChartSpec.KUBEVIRT_SCHEMAS).append(" API schemas) and CDI ").append(ChartSpec.CDI_VERSION)
        .append(".\n\n");
    b.append("## Install\n\n```sh\nhelm install ").append(spec.name()).append(" ").append(spec.name()).append("-")
        .append(spec.version()).append(".tgz --set vm.memory=2Gi\n```\n\n");
    List<String> needs = new ArrayList<>(List.of("KubeVirt"));
    if (spec.disks().stream().anyMatch(d -> d.storageType().equals("dataVolume")
        || d.storageType().isEmpty() && spec.storage() == ChartSpec.StorageType.dataVolume)) {
      needs.add("CDI (the disks with dataVolume storage are imported from their images into PVCs)");
    } else if (spec.storage() == ChartSpec.StorageType.dataVolume) {
      needs.add("CDI (the root disk is imported from the image into a PVC)");
    }
    if (spec.nics().size() > 1) {
      needs.add("Multus (for the NICs beyond the first)");
    }
    b.append("The cluster needs ").append(String.join(", ", needs.subList(0, needs.size() - 1)))
        .append(needs.size() > 1 ? " and " : "").append(needs.get(needs.size() - 1))
        .append(". `values.schema.json` rejects misspelled values and wrong types.\n\n");
    b.append("## Values\n\n| Value | Default | Description |\n| --- | --- | --- |\n");
    flatten(b, values.tree(), "", values.comments());
    b.append("\n`cloudInit.enabled` attaches the cloud-init user-data and network data that the build put into the")
        .append(" chart's Secret (`templates/cloudinit-secret.yaml`, keys `userdata` and `networkdata`); the VM reads")
        .append(" them through `secretRef` and `networkDataSecretRef` of `cloudInitNoCloud`, or of `cloudInitConfigDrive`")
        .append(" with `cloudInit.type=configDrive` (cloudbase-init on Windows reads a config drive).\n");
    b.append("\n`cloudInit.existingSecret` keeps secrets (passwords, keys) out of the chart: name a Secret you create in")
        .append(" the release's namespace with the key `userdata` (and/or `networkdata`), and the chart renders no Secret")
        .append(" of its own; the VM reads yours:\n\n```sh\nkubectl create secret generic my-vm-cloudinit")
        .append(" --from-file=userdata=user-data.yaml --from-file=networkdata=network-config.yaml\nhelm install ")
        .append(spec.name()).append(" ").append(spec.name()).append("-").append(spec.version())
        .append(".tgz --set cloudInit.enabled=true --set cloudInit.existingSecret=my-vm-cloudinit\n```\n");
    if (!spec.disks().isEmpty()) {
      ChartDisk first = spec.disks().get(0);
      b.append("\n## The VM's disks\n\nThe VM boots from `rootdisk` (`image`, `vm.diskBus`, `vm.storage`); its other disks are")
          .append(" under `vm.disks`, each from its own containerDisk image, tried in this order after it (`bootOrder` 2, 3...):")
          .append(spec.disks().stream().map(d -> " `" + d.name() + "`").collect(java.util.stream.Collectors.joining(",")))
          .append(". An empty `bus`, `storage.type` or `storage.storageClass` follows the root disk's. Each is a value of")
          .append(" its own, so `--set` changes one disk (a list would be replaced whole):\n\n```sh\nhelm install ")
          .append(spec.name()).append(' ').append(spec.name()).append('-').append(spec.version()).append(".tgz \\\n")
          .append("  --set vm.disks.").append(first.name()).append(".bus=sata \\\n")
          .append("  --set vm.disks.").append(first.name()).append(".storage.type=dataVolume,vm.disks.")
          .append(first.name()).append(".storage.size=20Gi\n```\n\n")
          .append("With `dataVolume` storage, CDI imports each disk into the PVC `<vm.name>-<disk>` (the root disk's is")
          .append(" `<vm.name>-rootdisk`) and the VM keeps it. A registry mirror needs each disk's `image.repository`.\n");
    }
    b.append("\n## Data disks\n\n`vm.extraDisks` adds disks besides the root disk, each an empty disk (it lives as long as")
        .append(" the VM's pod) or an existing PersistentVolumeClaim; `bus` defaults to `vm.diskBus`:\n\n```yaml\n")
        .append("vm:\n  extraDisks:\n    - {name: ").append(exampleName("scratch", spec)).append(", emptyDiskCapacity: 10Gi}\n")
        .append("    - {name: ").append(exampleName("data", spec)).append(", bus: scsi, persistentVolumeClaim: my-app-data}\n```\n");
    if (spec.nicsDescribed()) {
      b.append("\n## Network interfaces\n\n`vm.interfaces` holds the VM's NICs in the guest's order, each with its `model`")
          .append(" (empty: virtio) and the `macAddress` the guest knows (empty: KubeVirt picks one). `default` is on the")
          .append(" pod network (masquerade, the Service's ports)");
      if (spec.nics().size() > 1) {
        ChartNic second = spec.nics().get(1);
        b.append("; each other NIC is bridged onto the Multus network its `network` value names (a")
            .append(" NetworkAttachmentDefinition, `name` or `namespace/name`), which must exist. `helm install` fails")
            .append(" while a `network` is empty:\n\n```sh\nhelm install ").append(spec.name()).append(' ')
            .append(spec.name()).append('-').append(spec.version()).append(".tgz --set vm.interfaces.")
            .append(second.name()).append(".network=my-network\n```\n");
      } else {
        b.append(".\n");
      }
    }
    if (!spec.usbList().isEmpty()) {
      b.append("\n## USB devices\n\nThe VM uses USB host devices. The cluster operator sets the Virtualization")
          .append(" package's `usbList` value to\n\n```\n").append(UsbList.format(spec.usbList()))
          .append("\n```\n\nor permits them in the KubeVirt CR with the `HostDevices` feature gate; `")
          .append(USB_FILE).append("` in this chart carries that snippet.\n");
    }
    return b.toString();
  }

  /** @return {@code name}, or {@code <name>-2} when one of the VM's disks has that name already */
  private static String exampleName(String name, ChartSpec spec) {
    return spec.disks().stream().anyMatch(d -> d.name().equals(name)) ? name + "-2" : name;
  }

  private static void flatten(StringBuilder b, Map<?, ?> map, String prefix, Map<String, String> comments) {
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String p = prefix + e.getKey();
      if (e.getValue() instanceof Map<?, ?> m && !m.isEmpty() && !ChartValues.isOpen(p)) {
        flatten(b, m, p + ".", comments);
      } else {
        StringBuilder v = new StringBuilder();
        if (e.getValue() instanceof Map<?, ?> || e.getValue() instanceof List<?>) {
          Text.json(v, e.getValue(), 0);
        } else {
          v.append(Text.scalar(e.getValue()));
        }
        String cell = v.toString().replace("\n", " ").replaceAll(" +", " ").replace("|", "\\|");
        String doc = comments.getOrDefault(p, "").replace("\n", " ").replace("|", "\\|");
        b.append("| `").append(p).append("` | `").append(cell).append("` | ").append(doc).append(" |\n");
      }
    }
  }
}
