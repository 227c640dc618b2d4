package dev.vmpackager.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.vmpackager.testing.QemuBoot.Bus;
import dev.vmpackager.testing.QemuBoot.Firmware;
import dev.vmpackager.testing.QemuBoot.Machine;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a rendered KubeVirt VirtualMachine (e.g. {@code helm template} of the plugin's chart) tells
 * {@link QemuBoot}: the hardware, read as KubeVirt reads it, with KubeVirt's defaults, and which disk
 * and image it boots from. A VM that KubeVirt would reject or that qemu cannot reproduce (an
 * instancetype, Secure Boot without SMM, a machine type other than q35, a CD-ROM boot disk) is an
 * {@link IllegalArgumentException} naming the field.
 *
 * @param name {@code metadata.name}
 * @param machine the hardware to boot
 * @param machineType {@code domain.machine.type}, {@code q35} when unset (KubeVirt's x86_64 default)
 * @param bootDisk the name of the disk with the lowest {@code bootOrder}, or the first disk when none has one
 * @param bootImage the boot disk's image: its volume's {@code containerDisk.image}, or the registry
 *     URL (without {@code docker://}) of the DataVolume template its {@code dataVolume} names
 */
public record RenderedVm(String name, Machine machine, String machineType, String bootDisk, Optional<String> bootImage) {

  private static final Pattern QUANTITY = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?");
  private static final Map<String, BigDecimal> UNITS = Map.ofEntries(
      Map.entry("", BigDecimal.ONE),
      Map.entry("Ki", BigDecimal.valueOf(1L << 10)), Map.entry("Mi", BigDecimal.valueOf(1L << 20)),
      Map.entry("Gi", BigDecimal.valueOf(1L << 30)), Map.entry("Ti", BigDecimal.valueOf(1L << 40)),
      Map.entry("Pi", BigDecimal.valueOf(1L << 50)), Map.entry("Ei", BigDecimal.valueOf(1L << 60)),
      Map.entry("k", BigDecimal.TEN.pow(3)), Map.entry("M", BigDecimal.TEN.pow(6)), Map.entry("G", BigDecimal.TEN.pow(9)),
      Map.entry("T", BigDecimal.TEN.pow(12)), Map.entry("P", BigDecimal.TEN.pow(15)), Map.entry("E", BigDecimal.TEN.pow(18)));
  private static final BigDecimal MIB = BigDecimal.valueOf(1L << 20);

  /**
   * @param manifests a multi-document YAML stream holding exactly one VirtualMachine
   * @return what that VirtualMachine boots
   */
  public static RenderedVm fromManifests(String manifests) throws IOException {
    List<JsonNode> vms = new ArrayList<>();
    YAMLMapper yaml = new YAMLMapper();
    try (MappingIterator<JsonNode> it = yaml.readerFor(JsonNode.class).readValues(manifests)) {
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && "VirtualMachine".equals(doc.path("kind").asText())) {
          vms.add(doc);
        }
      }
    }
    if (vms.size() != 1) {
      throw new IllegalArgumentException("expected one VirtualMachine in the manifests, found " + vms.size());
    }
    return of(vms.get(0));
  }

  /**
   * @param vm a VirtualMachine ({@code apiVersion: kubevirt.io/v1})
   * @return what it boots
   */
  public static RenderedVm of(JsonNode vm) {
    String name = vm.at("/metadata/name").asText("");
    JsonNode spec = vm.path("spec");
    if (spec.has("instancetype")) {
      throw new IllegalArgumentException(name + ": spec.instancetype gives CPU and memory from a cluster resource, "
          + "which a rendered manifest does not hold");
    }
    JsonNode domain = spec.at("/template/spec/domain");
    if (!domain.isObject()) {
      throw new IllegalArgumentException(name + ": no spec.template.spec.domain");
    }

    JsonNode cpu = domain.path("cpu");
    int sockets = cpu.path("sockets").asInt(1);
    int cores = cpu.path("cores").asInt(1);
    int threads = cpu.path("threads").asInt(1);

    JsonNode memory = domain.at("/memory/guest");
    String memoryField = "domain.memory.guest";
    if (memory.isMissingNode()) {
      memory = domain.at("/resources/requests/memory");
      memoryField = "domain.resources.requests.memory";
    }
    if (memory.isMissingNode()) {
      throw new IllegalArgumentException(name + ": neither domain.memory.guest nor domain.resources.requests.memory is set");
    }
    long memoryMiB = mebibytes(memory.asText(), name + ": " + memoryField);

    JsonNode bootloader = domain.at("/firmware/bootloader");
    Firmware firmware = bootloader.has("efi") ? Firmware.EFI : Firmware.BIOS;
    // KubeVirt: "secureBoot ... Defaults to true" when efi is present.
    boolean secureBoot = firmware == Firmware.EFI && bootloader.at("/efi/secureBoot").asBoolean(true);
    if (secureBoot && !domain.at("/features/smm/enabled").asBoolean(false)) {
      throw new IllegalArgumentException(name + ": domain.firmware.bootloader.efi has Secure Boot on but "
          + "domain.features.smm.enabled is not true: KubeVirt rejects the VM (SecureBoot requires SMM)");
    }

    String machineType = domain.at("/machine/type").asText("q35");
    if (!machineType.equals("q35") && !machineType.startsWith("pc-q35-")) {
      throw new IllegalArgumentException(name + ": domain.machine.type '" + machineType
          + "' is not q35: KubeVirt on x86_64 runs q35 machines only");
    }

    JsonNode disks = domain.at("/devices/disks");
    if (!disks.isArray() || disks.isEmpty()) {
      throw new IllegalArgumentException(name + ": domain.devices.disks is empty");
    }
    JsonNode boot = disks.get(0);
    for (JsonNode d : disks) {
      if (d.has("bootOrder") && (!boot.has("bootOrder") || d.path("bootOrder").asInt() < boot.path("bootOrder").asInt())) {
        boot = d;
      }
    }
    String bootDisk = boot.path("name").asText();
    if (!boot.has("disk")) {
      throw new IllegalArgumentException(name + ": boot disk " + bootDisk + " is not a disk (cdrom, lun): "
          + boot.toString());
    }
    // KubeVirt's defaulting webhook sets an unset bus to virtio.
    Bus bus = Bus.of(boot.at("/disk/bus").asText("virtio"));

    return new RenderedVm(name, new Machine(sockets, cores, threads, memoryMiB, firmware, secureBoot, bus),
        machineType, bootDisk, bootImage(spec, bootDisk));
  }

  private static Optional<String> bootImage(JsonNode spec, String bootDisk) {
    for (JsonNode v : spec.at("/template/spec/volumes")) {
      if (!bootDisk.equals(v.path("name").asText())) {
        continue;
      }
      if (v.has("containerDisk")) {
        return Optional.of(v.at("/containerDisk/image").asText());
      }
      String dataVolume = v.at("/dataVolume/name").asText(null);
      for (JsonNode t : spec.path("dataVolumeTemplates")) {
        if (t.at("/metadata/name").asText().equals(dataVolume) && t.at("/spec/source/registry/url").isTextual()) {
          return Optional.of(t.at("/spec/source/registry/url").asText().replaceFirst("^docker://", ""));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * @param quantity a Kubernetes quantity such as {@code 1Gi}, {@code 512M} or {@code 1073741824}
   * @param field what it is, for the message
   * @return its size in MiB, rounded up (qemu takes whole MiB)
   */
  static long mebibytes(String quantity, String field) {
    Matcher m = QUANTITY.matcher(quantity);
    if (!m.matches()) {
      throw new IllegalArgumentException(field + " '" + quantity + "' is not a memory quantity such as 1Gi or 512M");
    }
    BigDecimal bytes = new BigDecimal(m.group(1)).multiply(UNITS.get(m.group(2) == null ? "" : m.group(2)));
    return bytes.divide(MIB, 0, RoundingMode.CEILING).longValueExact();
  }
}
