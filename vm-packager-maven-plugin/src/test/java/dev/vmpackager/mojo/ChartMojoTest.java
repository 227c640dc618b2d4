package dev.vmpackager.mojo;

import static org.junit.jupiter.api.Assertions.*;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.File;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.artifact.DefaultArtifact;
import org.apache.maven.artifact.handler.DefaultArtifactHandler;
import org.apache.maven.model.Build;
import org.apache.maven.model.Developer;
import org.apache.maven.model.Model;
import org.apache.maven.model.Scm;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.project.MavenProject;
import org.apache.maven.project.MavenProjectHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chart goal: parameters in, chart and archive out, attached the way the packaging asks. */
class ChartMojoTest {

  @TempDir Path base;

  private final List<Object[]> attached = new ArrayList<>();

  private ChartMojo mojo(String packaging) throws Exception {
    Model model = new Model();
    model.setGroupId("dev.vmpackager.test");
    model.setArtifactId("vm-cirros");
    model.setVersion("1.0-SNAPSHOT");
    model.setPackaging(packaging);
    model.setDescription("Cirros, the classic KubeVirt demo");
    model.setUrl("https://example.com/vm-cirros");
    Scm scm = new Scm();
    scm.setUrl("https://github.com/example/vm-cirros");
    model.setScm(scm);
    Developer dev = new Developer();
    dev.setId("jane");
    dev.setEmail("jane@example.com");
    model.addDeveloper(dev);
    Build build = new Build();
    build.setDirectory(base.resolve("target").toString());
    model.setBuild(build);
    MavenProject project = new MavenProject(model);
    project.setFile(base.resolve("pom.xml").toFile());
    project.setArtifact(new DefaultArtifact("dev.vmpackager.test", "vm-cirros", "1.0-SNAPSHOT", "compile", packaging,
        null, new DefaultArtifactHandler(packaging)));
    MavenProjectHelper helper = (MavenProjectHelper) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {MavenProjectHelper.class}, (proxy, method, args) -> {
          attached.add(args);
          return null;
        });
    ChartMojo m = new ChartMojo(helper);
    m.project = project;
    m.image = "quay.io/kubevirt/cirros-container-disk-demo:v1.7.1";
    m.helmSourceDirectory = base.resolve("src/main/helm").toFile();
    m.outputTimestamp = "2026-01-01T00:00:00Z";
    VmConfig vm = new VmConfig();
    set(vm, "memory", "64M");
    set(vm, "terminationGracePeriodSeconds", 0);
    Files.writeString(base.resolve("user-data"), "#!/bin/sh\necho 'printed from cloud-init userdata'\n");
    set(vm, "cloudInit", new File("user-data")); // relative: resolved against the basedir
    PortConfig http = new PortConfig();
    set(http, "name", "ssh");
    set(http, "port", 22);
    vm.getPorts().add(http);
    m.vm = vm;
    m.usbList = "kubevirt.io/wifi-dongle;0bda;0811,kubevirt.io/gsm-dongle;0bda;2838";
    UsbDeviceConfig wifi = new UsbDeviceConfig();
    set(wifi, "resource", "kubevirt.io/wifi-dongle");
    set(wifi, "count", 3);
    UsbDeviceConfig gsm = new UsbDeviceConfig();
    set(gsm, "resource", "kubevirt.io/gsm-dongle");
    m.usbDevices = List.of(wifi, gsm);
    return m;
  }

  private static void set(Object target, String field, Object value) throws Exception {
    Class<?> c = target.getClass();
    while (c != null) {
      try {
        Field f = c.getDeclaredField(field);
        f.setAccessible(true);
        f.set(target, value);
        return;
      } catch (NoSuchFieldException e) {
        c = c.getSuperclass();
      }
    }
    throw new NoSuchFieldException(field);
  }

  @Test
  void writesPackagesAndAttachesTheChart() throws Exception {
    ChartMojo m = mojo("jar");
    m.execute();
    Path tgz = base.resolve("target/vm-cirros-1.0.0-SNAPSHOT.tgz");
    assertTrue(Files.isRegularFile(tgz));
    Path chart = base.resolve("target/helm/vm-cirros");
    String chartYaml = Files.readString(chart.resolve("Chart.yaml"));
    assertTrue(chartYaml.contains("version: \"1.0.0-SNAPSHOT\""), chartYaml);
    assertTrue(chartYaml.contains("appVersion: \"1.0-SNAPSHOT\""), chartYaml);
    assertTrue(chartYaml.contains("description: \"Cirros, the classic KubeVirt demo\""), chartYaml);
    assertTrue(chartYaml.contains("home: \"https://example.com/vm-cirros\""), chartYaml);
    assertTrue(chartYaml.contains("- \"https://github.com/example/vm-cirros\""), chartYaml);
    assertTrue(chartYaml.contains("name: \"jane\""), chartYaml);
    assertTrue(Files.readString(chart.resolve("values.yaml")).contains("name: \"wifi-dongle-3\""));
    assertTrue(Files.isRegularFile(chart.resolve("templates/cloudinit-secret.yaml")));
    assertEquals(1, attached.size());
    assertEquals("tgz", attached.get(0)[1]);
    assertEquals(tgz.toFile(), attached.get(0)[2]);
    LintResult lint = new Helm(tgz).lint().strict().call();
    assertFalse(lint.isFailed(), lint.getMessages().toString());

    // Again: byte-identical archive.
    byte[] first = Files.readAllBytes(tgz);
    mojo("jar").execute();
    assertArrayEquals(first, Files.readAllBytes(tgz));
  }

  @Test
  void vmAppPackagingMakesTheChartTheMainArtifact() throws Exception {
    ChartMojo m = mojo("vm-app");
    m.execute();
    assertEquals(base.resolve("target/vm-cirros-1.0.0-SNAPSHOT.tgz").toFile(), m.project.getArtifact().getFile());
    assertTrue(attached.isEmpty());
  }

  @Test
  void badConfigurationFailsNamingTheParameterAndWritesNothing() throws Exception {
    ChartMojo m = mojo("jar");
    set(m.vm, "memory", "64 MB");
    MojoFailureException e = assertThrows(MojoFailureException.class, m::execute);
    assertTrue(e.getMessage().contains("<vm><memory>") && e.getMessage().contains("64Mi"), e.getMessage());
    assertFalse(Files.exists(base.resolve("target/helm")));
    assertFalse(Files.exists(base.resolve("target/vm-cirros-1.0.0-SNAPSHOT.tgz")));

    m = mojo("jar");
    m.usbList = "kubevirt.io/wifi-dongle;0x0bda;0811";
    e = assertThrows(MojoFailureException.class, m::execute);
    assertTrue(e.getMessage().contains("<usbList> (vm.usbList)"), e.getMessage());

    m = mojo("jar");
    m.usbList = "kubevirt.io/wifi-dongle;0bda;0811";
    e = assertThrows(MojoFailureException.class, m::execute);
    assertTrue(e.getMessage().contains("'kubevirt.io/gsm-dongle'"), e.getMessage());

    m = mojo("jar");
    Files.writeString(base.resolve("user-data"), "users: []\n");
    e = assertThrows(MojoFailureException.class, m::execute);
    assertTrue(e.getMessage().contains("<vm><cloudInit>") && e.getMessage().contains("user-data"), e.getMessage());

    m = mojo("jar");
    m.chartName = "VM_Cirros";
    e = assertThrows(MojoFailureException.class, m::execute);
    assertTrue(e.getMessage().contains("<chartName> (vm.chart.name)"), e.getMessage());

    m = mojo("jar");
    set(m.vm, "runStrategy", "Running");
    e = assertThrows(MojoFailureException.class, m::execute);
    assertTrue(e.getMessage().contains("<vm><runStrategy>"), e.getMessage());

    m = mojo("jar");
    m.outputTimestamp = "yesterday";
    e = assertThrows(MojoFailureException.class, m::execute);
    assertTrue(e.getMessage().contains("project.build.outputTimestamp"), e.getMessage());
  }

  @Test
  void newVmSettingsReachTheChart() throws Exception {
    ChartMojo m = mojo("jar");
    VmConfig vm = m.vm;
    set(vm, "cpuSockets", 2);
    set(vm, "cpuThreads", 2);
    set(vm, "cpuModel", "host-passthrough");
    set(vm, "firmware", "EFI");
    set(vm, "secureBoot", true);
    java.util.Properties labels = new java.util.Properties();
    labels.setProperty("kubernetes.io/arch", "amd64");
    labels.setProperty("disktype", "ssd");
    set(vm, "nodeSelector", labels);
    Files.writeString(base.resolve("network-config"), "version: 2\nethernets:\n  enp1s0:\n    dhcp4: true\n");
    set(vm, "cloudInitNetworkData", new File("network-config"));
    set(vm, "cloudInitType", "configDrive");
    set(vm, "storage", "dataVolume");
    set(vm, "storageSize", "2Gi");
    set(vm, "storagePullMethod", "Pod");
    set(vm, "storageSecretRef", "registry-credentials");
    set(vm, "storageCertConfigMap", "registry-ca");
    DiskConfig scratch = new DiskConfig();
    set(scratch, "name", "scratch");
    set(scratch, "emptyDiskCapacity", "10Gi");
    DiskConfig data = new DiskConfig();
    set(data, "name", "data");
    set(data, "bus", "SCSI");
    set(data, "persistentVolumeClaim", "app-data");
    vm.getExtraDisks().add(scratch);
    vm.getExtraDisks().add(data);
    MatcherConfig preference = new MatcherConfig();
    set(preference, "name", "cirros");
    set(vm, "preference", preference);
    m.execute();
    String values = Files.readString(base.resolve("target/helm/vm-cirros/values.yaml"));
    for (String expected : new String[] {"cpuSockets: 2", "cpuThreads: 2", "cpuModel: \"host-passthrough\"",
        "firmware: \"efi\"", "secureBoot: true", "\"kubernetes.io/arch\": \"amd64\"", "disktype: \"ssd\"",
        "type: \"configDrive\"", "pullMethod: \"pod\"", "secretRef: \"registry-credentials\"",
        "certConfigMap: \"registry-ca\"", "emptyDiskCapacity: \"10Gi\"", "bus: \"scsi\"",
        "persistentVolumeClaim: \"app-data\"", "name: \"cirros\"", "kind: \"VirtualMachineClusterPreference\""}) {
      assertTrue(values.contains(expected), expected + " in\n" + values);
    }
    assertTrue(Files.readString(base.resolve("target/helm/vm-cirros/templates/cloudinit-secret.yaml")).contains("networkdata: "));
    Path tgz = base.resolve("target/vm-cirros-1.0.0-SNAPSHOT.tgz");
    LintResult lint = new Helm(tgz).lint().strict().call();
    assertFalse(lint.isFailed(), lint.getMessages().toString());
    byte[] first = Files.readAllBytes(tgz);
    m.execute();
    assertArrayEquals(first, Files.readAllBytes(tgz), "byte-identical with every new setting");

    // An instancetype replaces the POM's memory: refused while <memory> is set, fine without it.
    m = mojo("jar");
    MatcherConfig instancetype = new MatcherConfig();
    set(instancetype, "name", "u1.small");
    set(m.vm, "instancetype", instancetype);
    MojoFailureException e = assertThrows(MojoFailureException.class, m::execute);
    assertTrue(e.getMessage().contains("<vm><instancetype>") && e.getMessage().contains("<memory>"), e.getMessage());
    set(m.vm, "memory", null);
    m.execute();
    assertTrue(Files.readString(base.resolve("target/helm/vm-cirros/values.yaml")).contains("name: \"u1.small\""));
  }

  @Test
  void badNewSettingsNameTheParameter() throws Exception {
    Object[][] cases = {
        {"cpuSockets", 0, "<vm><cpuSockets>"},
        {"cloudInitType", "cdrom", "<vm><cloudInitType>"},
        {"secureBoot", true, "<vm><secureBoot>"},
        {"storagePullMethod", "kubelet", "<vm><storagePullMethod>"},
    };
    for (Object[] c : cases) {
      ChartMojo m = mojo("jar");
      set(m.vm, (String) c[0], c[1]);
      MojoFailureException e = assertThrows(MojoFailureException.class, m::execute, (String) c[0]);
      assertTrue(e.getMessage().contains((String) c[2]), e.getMessage());
      assertFalse(Files.exists(base.resolve("target/helm")));
    }
    ChartMojo m = mojo("jar");
    MatcherConfig instancetype = new MatcherConfig();
    set(instancetype, "name", "u1.small");
    set(instancetype, "kind", "Instancetype");
    set(m.vm, "instancetype", instancetype);
    set(m.vm, "memory", null);
    MojoFailureException e = assertThrows(MojoFailureException.class, m::execute);
    assertTrue(e.getMessage().contains("<vm><instancetype><kind>")
        && e.getMessage().contains("VirtualMachineClusterInstancetype or VirtualMachineInstancetype"), e.getMessage());
    m = mojo("jar");
    set(m.vm, "cloudInitNetworkData", new File("missing-network-config"));
    e = assertThrows(MojoFailureException.class, m::execute);
    assertTrue(e.getMessage().contains("<vm><cloudInitNetworkData>") && e.getMessage().contains("missing-network-config"),
        e.getMessage());
  }

  @Test
  void plainTextPasswordsInTheUserDataAreWarnedAbout() throws Exception {
    ChartMojo m = mojo("jar");
    RecordingLog log = new RecordingLog();
    m.setLog(log);
    Files.writeString(base.resolve("user-data"), "#cloud-config\npassword: gocubsgo\nchpasswd: {expire: false}\n");
    m.execute();
    String file = base.resolve("user-data").toString();
    assertTrue(log.warnings.contains("<vm><cloudInit> file " + file + " line 2: password: sets a plain-text password"),
        log.warnings.toString());
    assertTrue(log.warnings.stream().anyMatch(w -> w.contains("cloudInit.existingSecret") && w.contains("passwd:")),
        log.warnings.toString());
    assertTrue(log.warnings.stream().noneMatch(w -> w.contains("gocubsgo")), "never the password itself");

    m = mojo("jar"); // the classic cirros script sets no password
    log = new RecordingLog();
    m.setLog(log);
    m.execute();
    assertEquals(List.of(), log.warnings);
  }

  @Test
  void cloudInitExistingSecretKeepsTheDataOutOfTheChart() throws Exception {
    ChartMojo m = mojo("jar");
    set(m.vm, "cloudInit", null);
    set(m.vm, "cloudInitExistingSecret", "vm-cirros-secrets");
    m.execute();
    Path chart = base.resolve("target/helm/vm-cirros");
    assertFalse(Files.exists(chart.resolve("templates/cloudinit-secret.yaml")));
    String values = Files.readString(chart.resolve("values.yaml"));
    assertTrue(values.contains("  enabled: true\n") && values.contains("  existingSecret: \"vm-cirros-secrets\"\n"), values);
    Path tgz = base.resolve("target/vm-cirros-1.0.0-SNAPSHOT.tgz");
    LintResult lint = new Helm(tgz).lint().strict().call();
    assertFalse(lint.isFailed(), lint.getMessages().toString());
    String rendered = new Helm(tgz).template().withKubeVersion("1.33.0").withName("es").call();
    assertFalse(rendered.contains("kind: Secret"), rendered);
    assertTrue(rendered.contains("secretRef:\n              name: \"vm-cirros-secrets\""), rendered);

    // With a user-data file as well the build fails: the file would end up in the chart after all.
    m = mojo("jar");
    set(m.vm, "cloudInitExistingSecret", "vm-cirros-secrets");
    MojoFailureException e = assertThrows(MojoFailureException.class, m::execute);
    assertTrue(e.getMessage().contains("<vm><cloudInitExistingSecret>")
        && e.getMessage().contains("kubectl create secret generic vm-cirros-secrets --from-file=userdata="), e.getMessage());
    m = mojo("jar");
    set(m.vm, "cloudInit", null);
    set(m.vm, "cloudInitExistingSecret", "VM_Secrets");
    e = assertThrows(MojoFailureException.class, m::execute);
    assertTrue(e.getMessage().contains("<vm><cloudInitExistingSecret> 'VM_Secrets'"), e.getMessage());
  }

  @Test
  void pinDigestReadsTheDigestFile() throws Exception {
    String digest = "sha256:" + "c0".repeat(32);
    // The state of the chart's image quay.io/kubevirt/cirros-container-disk-demo:v1.7.1.
    Path state = Files.createDirectories(
        base.resolve("target/vm/containerdisk/quay.io/kubevirt/cirros-container-disk-demo+v1.7.1"));
    Files.writeString(state.resolve("image.digest"), digest + "\n");
    ChartMojo m = mojo("jar");
    m.pinDigest = true;
    m.execute();
    assertTrue(Files.readString(base.resolve("target/helm/vm-cirros/values.yaml")).contains("digest: \"" + digest + "\""));

    Files.writeString(state.resolve("image.digest"), "latest\n");
    mojo("jar").execute(); // without pinDigest the file is not read
    assertTrue(Files.readString(base.resolve("target/helm/vm-cirros/values.yaml")).contains("digest: \"\""));
    m = mojo("jar");
    m.pinDigest = true;
    MojoFailureException e = assertThrows(MojoFailureException.class, m::execute);
    assertTrue(e.getMessage().contains(state.resolve("image.digest").toString()) && e.getMessage().contains("'latest'")
        && e.getMessage().contains("vm.image.pinDigest"), e.getMessage());
  }

  @Test
  void pinDigestPinsTheChartsOwnImageNotAnotherExecutions() throws Exception {
    ChartMojo m = mojo("jar");
    // Two containerize executions, the chart's image first, then a data disk's image.
    TwoExecutions.convertedDisk(base, "os", 1);
    TwoExecutions.convertedDisk(base, "data", 2);
    TwoExecutions.containerize(m.project, "os", m.image, "os.tar").execute();
    TwoExecutions.containerize(m.project, "data", "quay.io/kubevirt/cirros-data:v1.7.1", "data.tar").execute();
    String os = skopeoDigest(base.resolve("target/os.tar"));
    String data = skopeoDigest(base.resolve("target/data.tar"));
    assertNotEquals(os, data);
    m.pinDigest = true;
    m.execute();
    String values = Files.readString(base.resolve("target/helm/vm-cirros/values.yaml"));
    assertTrue(values.contains("digest: \"" + os + "\""),
        () -> "pinned to the chart's own image " + os + ":\n" + values);

    // A chart whose image containerize never built is not pinned to another image's digest.
    ChartMojo other = mojo("jar");
    other.image = "quay.io/kubevirt/never-built:v1";
    other.pinDigest = true;
    other.execute();
    assertTrue(Files.readString(base.resolve("target/helm/vm-cirros/values.yaml")).contains("digest: \"\""));
  }

  private static String skopeoDigest(Path tar) throws Exception {
    Process p = new ProcessBuilder("skopeo", "inspect", "--format", "{{.Digest}}", "oci-archive:" + tar)
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
    assertEquals(0, p.waitFor(), "skopeo inspect " + tar);
    assertTrue(out.matches("sha256:[0-9a-f]{64}"), out);
    return out;
  }

  @Test
  void timestamps() throws Exception {
    ChartMojo m = mojo("jar");
    assertEquals(Instant.parse("2026-01-01T00:00:00Z"), m.buildTimestamp());
    m.outputTimestamp = "1700000000";
    assertEquals(Instant.ofEpochSecond(1700000000L), m.buildTimestamp());
    m.outputTimestamp = "2026-03-01T10:00:00+02:00";
    assertEquals(Instant.parse("2026-03-01T08:00:00Z"), m.buildTimestamp());
  }

  @Test
  void skipWritesNothing() throws Exception {
    ChartMojo m = mojo("jar");
    m.skipChart = true;
    m.execute();
    assertFalse(Files.exists(base.resolve("target")));
    assertTrue(attached.isEmpty());
  }
}
