package dev.vmpackager.mojo;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.artifact.DefaultArtifact;
import org.apache.maven.artifact.handler.DefaultArtifactHandler;
import org.apache.maven.model.Build;
import org.apache.maven.model.Model;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.project.MavenProject;
import org.apache.maven.project.MavenProjectHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The deployment-package goal: off unless asked, then the archive written, logged and attached. */
class DeploymentPackageMojoTest {

  @TempDir Path base;

  private final List<Object[]> attached = new ArrayList<>();
  private final RecordingLog log = new RecordingLog();

  /** The README's configuration example, with vm.deploymentPackage=true. */
  private DeploymentPackageMojo mojo(String version) throws Exception {
    Model model = new Model();
    model.setGroupId("com.example.edge");
    model.setArtifactId("librespeed-vm");
    model.setVersion(version);
    model.setPackaging("vm-app");
    Build build = new Build();
    build.setDirectory(base.resolve("target").toString());
    model.setBuild(build);
    MavenProject project = new MavenProject(model);
    project.setFile(base.resolve("pom.xml").toFile());
    project.setArtifact(new DefaultArtifact("com.example.edge", "librespeed-vm", version, "compile", "vm-app",
        null, new DefaultArtifactHandler("vm-app")));
    MavenProjectHelper helper = (MavenProjectHelper) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {MavenProjectHelper.class}, (proxy, method, args) -> {
          attached.add(args);
          return null;
        });
    DeploymentPackageMojo m = new DeploymentPackageMojo(helper);
    m.setLog(log);
    m.project = project;
    m.image = "registry.example.com/apps/librespeed-vm:" + version;
    m.chartRepository = "oci://registry.example.com/charts";
    m.helmSourceDirectory = base.resolve("src/main/helm").toFile();
    m.outputTimestamp = "2026-01-01T00:00:00Z";
    m.virtualizationPackageVersion = "0.8.0";
    m.deploymentPackage = true;
    VmConfig vm = new VmConfig();
    set(vm, "name", "librespeed");
    set(vm, "memory", "2Gi");
    set(vm, "cpuCores", 2);
    Files.writeString(base.resolve("user-data"), "#cloud-config\npackages: [librespeed]\n");
    set(vm, "cloudInit", new File("user-data"));
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
    Field f = target.getClass().getDeclaredField(field);
    f.setAccessible(true);
    f.set(target, value);
  }

  @Test
  void withoutVmDeploymentPackageTheGoalDoesNothing() throws Exception {
    DeploymentPackageMojo m = mojo("0.0.1");
    m.deploymentPackage = false;
    m.chartRepository = null; // not needed when off
    m.execute();
    assertFalse(Files.exists(base.resolve("target")), "nothing written");
    assertTrue(attached.isEmpty());
    assertTrue(log.infos.stream().anyMatch(l -> l.contains("vm.deploymentPackage is not true")), log.infos.toString());
  }

  @Test
  void writesLogsAndAttachesTheArchive() throws Exception {
    mojo("0.0.1").execute();
    Path out = base.resolve("target/librespeed-vm-0.0.1-deployment-package.tar.gz");
    assertTrue(Files.isRegularFile(out));
    assertEquals(1, attached.size());
    assertEquals("tar.gz", attached.get(0)[1]);
    assertEquals("deployment-package", attached.get(0)[2]);
    assertEquals(out.toFile(), attached.get(0)[3]);
    assertTrue(log.infos.stream().anyMatch(l -> l.contains(
        "usbList=kubevirt.io/wifi-dongle;0bda;0811,kubevirt.io/gsm-dongle;0bda;2838")), log.infos.toString());
    assertTrue(log.warnings.isEmpty(), log.warnings.toString());
    assertFalse(log.infos.stream().anyMatch(l -> l.startsWith("memory ")), "the chart goal logs the VM model, not this one");

    byte[] first = Files.readAllBytes(out);
    mojo("0.0.1").execute();
    assertArrayEquals(first, Files.readAllBytes(out), "the same bytes in every build");
  }

  @Test
  void aSnapshotVersionFailsNamingTheParameterAndTheLimit() throws Exception {
    MojoFailureException e = assertThrows(MojoFailureException.class, () -> mojo("1.0-SNAPSHOT").execute());
    assertTrue(e.getMessage().contains("<chartVersion> (vm.chart.version) '1.0.0-SNAPSHOT'")
        && e.getMessage().contains("no upper case") && e.getMessage().contains("Edge Orchestrator"), e.getMessage());
    assertFalse(Files.exists(base.resolve("target/librespeed-vm-1.0.0-SNAPSHOT-deployment-package.tar.gz")));
    assertTrue(attached.isEmpty());
  }

  @Test
  void aVmTheKubevirtHelperWouldRejectOnUpdateIsFlagged() throws Exception {
    DeploymentPackageMojo m = mojo("0.0.1");
    set(m.vm, "runStrategy", "Halted");
    m.execute();
    assertTrue(log.warnings.stream().anyMatch(w -> w.contains("KubeVirt Helper rejects every update")), log.warnings.toString());
  }
}
