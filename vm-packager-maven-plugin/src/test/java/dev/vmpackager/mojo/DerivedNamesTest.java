package dev.vmpackager.mojo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.vmpackager.testing.PatternedDisk;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.maven.artifact.DefaultArtifact;
import org.apache.maven.artifact.handler.DefaultArtifactHandler;
import org.apache.maven.model.Build;
import org.apache.maven.model.Model;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.project.MavenProject;
import org.apache.maven.project.MavenProjectHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Defaults taken from an artifactId that is a fine Maven name but not a chart, VM or image name
 * ({@code MyVM}, {@code My_App.Server}): convert, containerize and chart run with the defaults
 * Maven injects from the plugin descriptor and succeed with valid names, saying so; a name the
 * user wrote is still refused, naming the parameter.
 */
class DerivedNamesTest {

  @TempDir Path base;

  private MavenProject project(String artifactId, String version) {
    Model model = new Model();
    model.setGroupId("dev.vmpackager.test");
    model.setArtifactId(artifactId);
    model.setVersion(version);
    model.setPackaging("jar");
    Build build = new Build();
    build.setDirectory(base.resolve("target").toString());
    build.setFinalName(artifactId + "-" + version);
    model.setBuild(build);
    MavenProject project = new MavenProject(model);
    project.setFile(base.resolve("pom.xml").toFile());
    project.setArtifact(new DefaultArtifact("dev.vmpackager.test", artifactId, version, "compile", "jar", null,
        new DefaultArtifactHandler("jar")));
    return project;
  }

  /** The Mojo as Maven hands it over: descriptor defaults, the project, a log the test reads. */
  private static <T extends AbstractVmMojo> T configured(T mojo, String goal, MavenProject project, RecordingLog log)
      throws Exception {
    PluginDescriptor.load().applyDefaults(goal, mojo, project);
    set(mojo, "project", project);
    mojo.setLog(log);
    return mojo;
  }

  private static ChartMojo chartMojo(MavenProject project, RecordingLog log) throws Exception {
    MavenProjectHelper helper = (MavenProjectHelper) Proxy.newProxyInstance(DerivedNamesTest.class.getClassLoader(),
        new Class<?>[] {MavenProjectHelper.class}, (proxy, method, args) -> null);
    return configured(new ChartMojo(helper), "chart", project, log);
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

  private void packagesWithValidNames(String artifactId, String version, String name, String image, String chartVersion)
      throws Exception {
    MavenProject project = project(artifactId, version);
    RecordingLog log = new RecordingLog();
    Path disk = PatternedDisk.create(Files.createDirectories(base.resolve("src/main/vm")).resolve("disk.img"), 4L << 20, 3);

    ConvertMojo convert = configured(new ConvertMojo(), "convert", project, log);
    set(convert, "source", disk.toFile());
    convert.execute();
    assertTrue(Files.isRegularFile(base.resolve("target/vm/" + name + ".qcow2")));

    configured(new ContainerizeMojo(TwoExecutions.decrypter()), "containerize", project, log).execute();
    assertTrue(Files.isRegularFile(base.resolve("target/" + artifactId + "-" + version + "-containerdisk.tar")));
    assertTrue(log.infos.stream().anyMatch(l -> l.startsWith("containerDisk image " + image + "@sha256:")), log.infos.toString());

    chartMojo(project, log).execute();
    Path tgz = base.resolve("target/" + name + "-" + chartVersion + ".tgz");
    assertTrue(Files.isRegularFile(tgz), "chart " + tgz);
    String values = Files.readString(base.resolve("target/helm/" + name + "/values.yaml"));
    assertTrue(values.contains("  name: \"" + name + "\"\n"), values);
    assertTrue(values.contains("  repository: \"" + image.substring(0, image.indexOf(':')) + "\"\n"), values);
    LintResult lint = new Helm(tgz).lint().strict().call();
    assertFalse(lint.isFailed(), lint.getMessages().toString());

    // Each derived name is said once per goal that uses it, with where it came from.
    String chartLine = "chart name '" + name + "' (from artifactId '" + artifactId + "')";
    String vmLine = "VM name '" + name + "' (from artifactId '" + artifactId + "')";
    String imageLine = "image '" + image + "' (from artifactId-containerdisk:version '" + artifactId + "-containerdisk:"
        + version + "')";
    assertEquals(1, log.infos.stream().filter(chartLine::equals).count(), log.infos.toString());
    assertEquals(3, log.infos.stream().filter(vmLine::equals).count(), log.infos.toString()); // convert, containerize, chart
    assertEquals(2, log.infos.stream().filter(imageLine::equals).count(), log.infos.toString()); // containerize, chart
  }

  @Test
  void upperCaseArtifactId() throws Exception {
    packagesWithValidNames("MyVM", "1.0-SNAPSHOT", "myvm", "myvm-containerdisk:1.0-SNAPSHOT", "1.0.0-SNAPSHOT");
  }

  @Test
  void artifactIdWithUnderscoreAndDotAndAVersionWithPlus() throws Exception {
    packagesWithValidNames("My_App.Server", "2.1-rc+build.7", "my-app-server",
        "my_app.server-containerdisk:2.1-rc_build.7", "2.1.0-rc+build.7");
  }

  @Test
  void namesTheUserWroteAreStillRefused() throws Exception {
    MavenProject project = project("MyVM", "1.0-SNAPSHOT");
    ChartMojo m = chartMojo(project, new RecordingLog());
    m.chartName = "MyVM";
    MojoFailureException e = assertThrows(MojoFailureException.class, m::execute);
    assertTrue(e.getMessage().contains("<chartName> (vm.chart.name) 'MyVM'"), e.getMessage());

    m = chartMojo(project, new RecordingLog());
    VmConfig vm = new VmConfig();
    set(vm, "name", "MyVM");
    m.vm = vm;
    e = assertThrows(MojoFailureException.class, m::execute);
    assertTrue(e.getMessage().contains("<vm><name> 'MyVM'"), e.getMessage());

    m = chartMojo(project, new RecordingLog());
    m.image = "registry.example.com/Apps/MyVM:1.0";
    e = assertThrows(MojoFailureException.class, m::execute);
    assertTrue(e.getMessage().contains("<image> (vm.image)") && e.getMessage().contains("Apps/MyVM"), e.getMessage());
    assertFalse(Files.exists(base.resolve("target/helm")), "nothing written");

    // A user's valid names are used as written, without a word about defaults.
    RecordingLog log = new RecordingLog();
    m = chartMojo(project, log);
    m.chartName = "my-vm";
    set(vm, "name", "my-vm");
    m.vm = vm;
    m.image = "registry.example.com/apps/my-vm:1.0";
    m.execute();
    assertTrue(Files.isRegularFile(base.resolve("target/my-vm-1.0.0-SNAPSHOT.tgz")));
    assertTrue(log.infos.stream().noneMatch(l -> l.contains("(from ")), log.infos.toString());
  }

  @Test
  void userPropertiesAreKept() throws Exception {
    PluginDescriptor d = PluginDescriptor.load();
    assertEquals("${vm.chart.name}", d.configuration("chart", "chartName").getTextContent());
    assertEquals("${vm.chart.name}", d.configuration("push", "chartName").getTextContent());
    assertEquals("${vm.image}", d.configuration("containerize", "image").getTextContent());
    assertEquals("", d.configuration("chart", "chartName").getAttribute("default-value"),
        "no ${project.artifactId} default: the Mojo must tell a default from a value the user wrote");
    assertEquals("", d.configuration("chart", "image").getAttribute("default-value"));
  }
}
