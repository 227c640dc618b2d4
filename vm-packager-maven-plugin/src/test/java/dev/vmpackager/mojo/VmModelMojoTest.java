package dev.vmpackager.mojo;

import static dev.vmpackager.chart.ChartTesting.KUBE;
import static dev.vmpackager.chart.ChartTesting.assertManifestsValid;
import static dev.vmpackager.chart.ChartTesting.documents;
import static dev.vmpackager.chart.ChartTesting.only;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.Helm;
import dev.vmpackager.artifact.ArtifactLayout;
import dev.vmpackager.image.ImageState;
import dev.vmpackager.registry.ImageReference;
import dev.vmpackager.testing.LocalRegistry;
import dev.vmpackager.testing.PatternedDisk;
import dev.vmpackager.testing.QemuImg;
import dev.vmpackager.vm.VmFixtures;
import java.io.File;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.maven.artifact.DefaultArtifact;
import org.apache.maven.execution.DefaultMavenExecutionRequest;
import org.apache.maven.execution.DefaultMavenExecutionResult;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.artifact.handler.DefaultArtifactHandler;
import org.apache.maven.model.Build;
import org.apache.maven.model.Model;
import org.apache.maven.project.MavenProject;
import org.apache.maven.project.MavenProjectHelper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A VM with two disks through every goal: from {@code <disks>}, from a libvirt domain XML beside
 * its qcow2 disks, and from an OVA holding two disks. Each disk is converted to its own file (the
 * same guest data as its source, by {@code qemu-img compare}), wrapped in its own image whose
 * {@code /disk/} holds that file, and the chart boots the first and attaches the second, with the
 * described hardware, valid against the strict KubeVirt schemas.
 */
class VmModelMojoTest {

  private static final String IMAGE = "registry.example.com/apps/app-vm:1.0";

  @TempDir
  Path base;

  Path vmDir;
  final RecordingLog log = new RecordingLog();

  @BeforeEach
  void folders() throws Exception {
    vmDir = Files.createDirectories(base.resolve("src/main/vm"));
  }

  @Test
  void twoDisksFromThePom() throws Exception {
    Path os = PatternedDisk.create(vmDir.resolve("os.raw"), 8L << 20, 1);
    Path data = base.resolve("src/main/vm/data.qcow2");
    QemuImg.convert(PatternedDisk.create(base.resolve("data.raw"), 4L << 20, 2), data, "qcow2");
    List<VmDiskConfig> disks = List.of(disk("os", "src/main/vm/os.raw", null), disk("data", "src/main/vm/data.qcow2",
        "sata"));
    VmConfig vm = new VmConfig();
    set(vm, "memory", "2Gi");
    set(vm, "cpuCores", 2);

    run(vm, disks, null);
    QemuImg.assertIdentical(os, "raw", base.resolve("target/vm/app-vm-os.qcow2"), "qcow2");
    QemuImg.assertIdentical(data, "qcow2", base.resolve("target/vm/app-vm-data.qcow2"), "qcow2");
    assertImage(base.resolve("target/app-vm-1.0-containerdisk.tar"), "app-vm-os.qcow2");
    assertImage(base.resolve("target/app-vm-1.0-data-containerdisk.tar"), "app-vm-data.qcow2");

    JsonNode spec = chartVm();
    assertDisks(spec, "os", "virtio", "data", "sata", "registry.example.com/apps/app-vm-data:1.0");
    assertEquals("2Gi", spec.at("/domain/memory/guest").asText());
    assertEquals(2, spec.at("/domain/cpu/cores").asInt());
    assertEquals(1, spec.at("/domain/devices/interfaces").size(), "no NIC given: the one pod interface");
    // The chart goal logs the VM with where each setting came from.
    assertTrue(log.infos.contains("memory 2Gi (from <vm><memory>)"), log.infos.toString());
    assertTrue(log.infos.stream().anyMatch(l -> l.startsWith("disk data: data.qcow2, bus sata")), log.infos.toString());
  }

  @Test
  void vmArtifactOfTwoDisksFromThePomAndItsPush() throws Exception {
    Path os = PatternedDisk.create(vmDir.resolve("os.raw"), 8L << 20, 1);
    QemuImg.convert(PatternedDisk.create(base.resolve("data.raw"), (4L << 20) + 512, 2),
        base.resolve("src/main/vm/data.qcow2"), "qcow2");
    List<VmDiskConfig> disks = List.of(disk("os", "src/main/vm/os.raw", null), disk("data", "src/main/vm/data.qcow2",
        "sata"));
    try (LocalRegistry registry = LocalRegistry.plain(base.resolve("registry"))) {
      String image = registry.hostPort() + "/apps/app-vm:1.0";
      run(null, disks, image, null);
      Path tar = base.resolve("target/app-vm-1.0-vm.oci.tar");

      VmArtifactMojo off = vmArtifact(disks, image);
      off.execute();
      assertFalse(Files.exists(tar), "vm.artifact is false by default: nothing is built");

      VmArtifactMojo a = vmArtifact(disks, image);
      a.artifact = true;
      a.execute();
      ArtifactLayout layout = ArtifactLayout.read(tar);
      JsonNode manifest = new ObjectMapper().readTree(layout.manifest());
      assertEquals("rootdisk", manifest.at("/layers/0/annotations/io.kubevirt.disk.name").asText(), "the chart's name");
      assertEquals("8Mi", manifest.at("/layers/0/annotations/io.kubevirt.disk.size").asText());
      assertEquals("data", manifest.at("/layers/1/annotations/io.kubevirt.disk.name").asText());
      assertEquals("4194816", manifest.at("/layers/1/annotations/io.kubevirt.disk.size").asText());
      JsonNode vm = new ObjectMapper().readTree(layout.config());
      assertManifestsValid(List.of(vm));
      assertEquals(chartVm().at("/domain"), vm.at("/spec/template/spec/domain"), "the chart's domain");
      assertEquals("data", vm.at("/spec/template/spec/volumes/1/persistentVolumeClaim/claimName").asText());

      PushMojo noRepository = push(disks, image);
      set(noRepository, "artifact", true);
      noRepository.execute();
      assertTrue(log.infos.contains("No <artifactRepository> (vm.artifact.repository) is set: the VM artifact " + tar
          + " is not pushed"), log.infos.toString());

      PushMojo p = push(disks, image);
      set(p, "artifactRepository", "oci://" + registry.hostPort() + "/vms");
      p.execute();
      JsonNode index = new ObjectMapper().readTree(registry.skopeo("inspect", "--raw",
          "docker://" + registry.hostPort() + "/vms/app-vm:1.0"));
      assertEquals("application/vnd.kubevirt.virtualmachine.v1", index.path("artifactType").asText());
      assertEquals(layout.manifestDigest(), index.at("/manifests/0/digest").asText());

      Files.delete(tar);
      PushMojo missing = push(disks, image);
      set(missing, "artifactRepository", "oci://" + registry.hostPort() + "/vms");
      org.apache.maven.plugin.MojoFailureException e = org.junit.jupiter.api.Assertions.assertThrows(
          org.apache.maven.plugin.MojoFailureException.class, missing::execute);
      assertTrue(e.getMessage().contains("vm.artifact.repository") && e.getMessage().contains("vm.artifact=true")
          && e.getMessage().contains(tar.toString()), e.getMessage());
    }
  }

  private VmArtifactMojo vmArtifact(List<VmDiskConfig> disks, String image) throws Exception {
    VmArtifactMojo a = new VmArtifactMojo();
    common(a, null, disks);
    a.image = image;
    a.outputTimestamp = "2026-01-01T00:00:00Z";
    a.helmSourceDirectory = base.resolve("src/main/helm").toFile();
    return a;
  }

  @SuppressWarnings("deprecation")
  private PushMojo push(List<VmDiskConfig> disks, String image) throws Exception {
    PushMojo p = new PushMojo(TwoExecutions.decrypter());
    common(p, null, disks);
    // The images go to the test registry; the chart is not pushed.
    p.image = image;
    p.allowInsecureRegistries = true;
    p.outputTimestamp = "2026-01-01T00:00:00Z";
    p.session = new MavenSession(null, null, new DefaultMavenExecutionRequest(), new DefaultMavenExecutionResult());
    return p;
  }

  @Test
  void twoDisksFromALibvirtDomain() throws Exception {
    Files.writeString(vmDir.resolve("debian12-app.xml"), VmFixtures.text("libvirt/virt-manager-q35-uefi.xml"));
    Path os = vmDir.resolve("debian12-app.qcow2");
    Path data = vmDir.resolve("debian12-app-data.qcow2");
    QemuImg.convert(PatternedDisk.create(base.resolve("os.raw"), 8L << 20, 3), os, "qcow2");
    QemuImg.convert(PatternedDisk.create(base.resolve("data.raw"), 4L << 20, 4), data, "qcow2");

    run(null, null, null);
    List<String> files = converted();
    assertEquals(2, files.size(), files.toString());
    // The domain's boot order decides which is first; each converted file holds its own source's data.
    for (String f : files) {
      Path source = f.contains("data") ? data : os;
      QemuImg.assertIdentical(source, "qcow2", base.resolve("target/vm").resolve(f), "qcow2");
    }
    JsonNode spec = chartVm();
    assertEquals("4Gi", spec.at("/domain/memory/guest").asText(), "4194304 KiB in the domain");
    assertTrue(spec.at("/domain/firmware/bootloader/efi").isObject(), spec.toString());
    assertEquals(2, spec.at("/domain/devices/disks").size(), spec.toString());
    assertEquals(2, spec.at("/volumes").size(), spec.toString());
  }

  @Test
  void dataVolumeStorageGivesEveryDiskADataVolumeOfAKnownSize() throws Exception {
    Files.writeString(vmDir.resolve("debian12-app.xml"), VmFixtures.text("libvirt/virt-manager-q35-uefi.xml"));
    QemuImg.convert(PatternedDisk.create(base.resolve("os.raw"), 8L << 20, 3), vmDir.resolve("debian12-app.qcow2"),
        "qcow2");
    QemuImg.convert(PatternedDisk.create(base.resolve("data.raw"), 4L << 20, 4),
        vmDir.resolve("debian12-app-data.qcow2"), "qcow2");
    VmConfig vm = new VmConfig();
    set(vm, "storage", "dataVolume");
    set(vm, "storageSize", "10Gi");

    run(vm, null, null);
    Path chart = base.resolve("target/helm/app-vm");
    List<JsonNode> docs = documents(new Helm(chart).template().withKubeVersion(KUBE).withName("dv").call());
    assertManifestsValid(docs);
    JsonNode templates = only(docs, "VirtualMachine").at("/spec/dataVolumeTemplates");
    assertEquals(2, templates.size(), templates.toString());
    // A libvirt domain declares no capacity: the other disk's PVC takes the VM's <storageSize>.
    for (JsonNode t : templates) {
      assertEquals("10Gi", t.at("/spec/storage/resources/requests/storage").asText(t.at("/spec/pvc/resources/requests/storage").asText()),
          t.toString());
    }
  }

  @Test
  void twoDisksFromAnOva() throws Exception {
    Path raw1 = PatternedDisk.create(base.resolve("d1.raw"), 1L << 20, 5);
    Path raw2 = PatternedDisk.create(base.resolve("d2.raw"), 2L << 20, 6);
    Path vmdk1 = base.resolve("appvm-1.vmdk");
    Path vmdk2 = base.resolve("appvm-2.vmdk");
    QemuImg.convert(raw1, vmdk1, "vmdk", "-o", "subformat=streamOptimized");
    QemuImg.convert(raw2, vmdk2, "vmdk", "-o", "subformat=streamOptimized");
    byte[] d1 = Files.readAllBytes(vmdk1);
    byte[] d2 = Files.readAllBytes(vmdk2);
    String ovf = VmFixtures.text("ovf/vmware-two-disks-efi.ovf").replace("@SIZE1@", String.valueOf(d1.length))
        .replace("@SIZE2@", String.valueOf(d2.length));
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("appvm.ovf", ovf.getBytes(StandardCharsets.UTF_8));
    entries.put("appvm-2.vmdk", d2);
    entries.put("appvm-1.vmdk", d1);
    entries.put("appvm-3.nvram", new byte[8684]);
    VmFixtures.ova(vmDir.resolve("appvm.ova"), entries);

    run(null, null, null);
    QemuImg.assertIdentical(raw1, "raw", base.resolve("target/vm/app-vm-appvm-1.qcow2"), "qcow2");
    QemuImg.assertIdentical(raw2, "raw", base.resolve("target/vm/app-vm-appvm-2.qcow2"), "qcow2");
    assertImage(base.resolve("target/app-vm-1.0-containerdisk.tar"), "app-vm-appvm-1.qcow2");
    assertImage(base.resolve("target/app-vm-1.0-appvm-2-containerdisk.tar"), "app-vm-appvm-2.qcow2");

    JsonNode spec = chartVm();
    assertDisks(spec, "appvm-1", "sata", "appvm-2", "sata", "registry.example.com/apps/app-vm-appvm-2:1.0");
    assertEquals("4Gi", spec.at("/domain/memory/guest").asText());
    assertEquals(2, spec.at("/domain/cpu/cores").asInt());
    assertTrue(spec.at("/domain/firmware/bootloader/efi").isObject(), spec.toString());
    assertEquals("e1000e", spec.at("/domain/devices/interfaces/0/model").asText());
    assertEquals("00:50:56:8e:2a:41", spec.at("/domain/devices/interfaces/0/macAddress").asText());

    // Up to date per disk: a second build converts nothing.
    log.infos.clear();
    convert(null, null).execute();
    assertEquals(2, log.infos.stream().filter(l -> l.contains("is up to date")).count(), log.infos.toString());
  }

  @Test
  void pushSendsEveryDisksImageAndDevicesPropertyWinsOverTheVmElement() throws Exception {
    PatternedDisk.create(vmDir.resolve("os.raw"), 4L << 20, 7);
    PatternedDisk.create(vmDir.resolve("data.raw"), 2L << 20, 8);
    List<VmDiskConfig> disks = List.of(disk("os", "src/main/vm/os.raw", null), disk("data", "src/main/vm/data.raw",
        null));
    try (LocalRegistry registry = LocalRegistry.plain(base.resolve("registry"))) {
      String image = registry.hostPort() + "/apps/app-vm:1.0";
      run(null, disks, image, null);
      PushMojo p = new PushMojo(TwoExecutions.decrypter());
      common(p, null, disks);
      p.image = image;
      p.outputTimestamp = "2026-01-01T00:00:00Z";
      p.allowInsecureRegistries = true;
      p.session = new MavenSession(null, null, new DefaultMavenExecutionRequest(), new DefaultMavenExecutionResult());
      p.execute();
      for (String r : List.of(image, registry.hostPort() + "/apps/app-vm-data:1.0")) {
        JsonNode pushed = new ObjectMapper().readTree(registry.skopeo("inspect", "docker://" + r));
        String built = ImageState.of(base.resolve("target/vm"), ImageReference.parse(r, "vm.image")).digest().orElseThrow();
        assertEquals(built, pushed.path("Digest").asText(), r);
      }
    }

    // <vm><devices>virtio</devices> with -Dvm.devices=compatible: the property wins (the log says so).
    VmConfig vm = new VmConfig();
    set(vm, "devices", "virtio");
    log.infos.clear();
    MavenProjectHelper helper = (MavenProjectHelper) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {MavenProjectHelper.class}, (proxy, method, args) -> null);
    ChartMojo m = new ChartMojo(helper);
    common(m, vm, disks);
    m.devices = "compatible";
    m.image = IMAGE;
    m.outputTimestamp = "2026-01-01T00:00:00Z";
    m.execute();
    assertTrue(log.infos.contains("devices compatible (from vm.devices)"), log.infos.toString());
  }

  // ---- harness -------------------------------------------------------------------------------

  private void run(VmConfig vm, List<VmDiskConfig> disks, String devices) throws Exception {
    run(vm, disks, IMAGE, devices);
  }

  private void run(VmConfig vm, List<VmDiskConfig> disks, String image, String devices) throws Exception {
    convert(vm, disks).execute();
    ContainerizeMojo c = new ContainerizeMojo(TwoExecutions.decrypter());
    common(c, vm, disks);
    c.image = image;
    c.imageTar = base.resolve("target/app-vm-1.0-containerdisk.tar").toFile();
    c.imageLayout = base.resolve("target/app-vm-1.0-containerdisk-oci").toFile();
    c.target = "tar";
    c.imageFormat = "OCI";
    c.platform = "linux/amd64";
    c.layerCompression = "gzip";
    c.outputTimestamp = "2026-01-01T00:00:00Z";
    c.execute();
    MavenProjectHelper helper = (MavenProjectHelper) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {MavenProjectHelper.class}, (proxy, method, args) -> null);
    ChartMojo m = new ChartMojo(helper);
    common(m, vm, disks);
    m.image = image;
    m.outputTimestamp = "2026-01-01T00:00:00Z";
    m.helmSourceDirectory = base.resolve("src/main/helm").toFile();
    m.execute();
  }

  private ConvertMojo convert(VmConfig vm, List<VmDiskConfig> disks) throws Exception {
    ConvertMojo m = new ConvertMojo();
    common(m, vm, disks);
    set(m, "sourceFormat", "auto");
    set(m, "engine", "java");
    return m;
  }

  private void common(AbstractVmMojo m, VmConfig vm, List<VmDiskConfig> disks) throws Exception {
    m.project = project();
    m.format = "qcow2";
    m.disks = disks;
    set(m, "vm", vm);
    m.setLog(log);
  }

  private MavenProject project() {
    Model model = new Model();
    model.setGroupId("dev.vmpackager.test");
    model.setArtifactId("app-vm");
    model.setVersion("1.0");
    Build build = new Build();
    build.setDirectory(base.resolve("target").toString());
    build.setFinalName("app-vm-1.0");
    model.setBuild(build);
    MavenProject project = new MavenProject(model);
    project.setFile(base.resolve("pom.xml").toFile());
    project.setArtifact(new DefaultArtifact("dev.vmpackager.test", "app-vm", "1.0", "compile", "jar", null,
        new DefaultArtifactHandler("jar")));
    return project;
  }

  private static VmDiskConfig disk(String name, String source, String bus) throws Exception {
    VmDiskConfig d = new VmDiskConfig();
    set(d, "name", name);
    set(d, "source", new File(source));
    set(d, "bus", bus);
    return d;
  }

  private List<String> converted() throws Exception {
    List<String> out = new ArrayList<>();
    try (var s = Files.list(base.resolve("target/vm"))) {
      s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".qcow2")).sorted().forEach(out::add);
    }
    return out;
  }

  /** The image's one layer holds /disk/ and the disk's converted file, named as convert wrote it. */
  private void assertImage(Path tar, String diskFile) throws Exception {
    assertTrue(Files.isRegularFile(tar), tar.toString());
    Process p = new ProcessBuilder("skopeo", "inspect", "--raw", "oci-archive:" + tar)
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    JsonNode manifest = new ObjectMapper().readTree(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor());
    assertEquals(1, manifest.path("layers").size(), manifest.toString());
    Process t = new ProcessBuilder("tar", "-xOf", tar.toString(), "blobs/sha256/"
        + manifest.at("/layers/0/digest").asText().substring(7)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    Process list = new ProcessBuilder("tar", "-tz").redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try (var in = t.getInputStream(); var out = list.getOutputStream()) {
      in.transferTo(out);
    }
    String names = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, list.waitFor());
    assertTrue(names.lines().anyMatch(l -> l.replaceFirst("^\\./", "").equals("disk/" + diskFile)), names);
  }

  private JsonNode chartVm() throws Exception {
    Path chart = base.resolve("target/helm/app-vm");
    assertFalse(new Helm(chart).lint().strict().call().isFailed());
    List<JsonNode> docs = documents(new Helm(chart).template().withKubeVersion(KUBE).withName("two").call());
    assertManifestsValid(docs);
    return only(docs, "VirtualMachine").at("/spec/template/spec");
  }

  private static void assertDisks(JsonNode spec, String boot, String bootBus, String other, String otherBus,
      String otherImage) {
    JsonNode disks = spec.at("/domain/devices/disks");
    assertEquals(2, disks.size(), disks.toString());
    assertEquals("rootdisk", disks.get(0).path("name").asText(), "the boot disk (" + boot + ") is the root disk");
    assertEquals(bootBus, disks.get(0).at("/disk/bus").asText());
    assertEquals(1, disks.get(0).path("bootOrder").asInt());
    assertEquals(other, disks.get(1).path("name").asText());
    assertEquals(otherBus, disks.get(1).at("/disk/bus").asText());
    assertEquals(2, disks.get(1).path("bootOrder").asInt());
    JsonNode volumes = spec.at("/volumes");
    assertEquals(IMAGE, volumes.get(0).at("/containerDisk/image").asText());
    assertEquals(other, volumes.get(1).path("name").asText());
    assertEquals(otherImage, volumes.get(1).at("/containerDisk/image").asText());
  }

  private static void set(Object target, String field, Object value) throws Exception {
    for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
      try {
        Field f = c.getDeclaredField(field);
        f.setAccessible(true);
        f.set(target, value);
        return;
      } catch (NoSuchFieldException next) {
        // look in the superclass
      }
    }
    throw new NoSuchFieldException(field);
  }
}
