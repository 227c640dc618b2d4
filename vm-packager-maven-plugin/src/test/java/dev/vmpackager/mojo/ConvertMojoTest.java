package dev.vmpackager.mojo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.testing.PatternedDisk;
import dev.vmpackager.testing.QemuImg;
import dev.vmpackager.testing.VmFolders;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.maven.model.Build;
import org.apache.maven.model.Model;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.project.MavenProject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The convert goal's wiring: parameters, the default source, messages naming the parameter. */
class ConvertMojoTest {

  @TempDir
  Path base;

  Path vmDir;

  @BeforeEach
  void project() throws Exception {
    vmDir = Files.createDirectories(base.resolve("src/main/vm"));
  }

  private ConvertMojo mojo(Object... fieldValues) throws Exception {
    Model model = new Model();
    model.setGroupId("g");
    model.setArtifactId("app");
    model.setVersion("1.0");
    Build build = new Build();
    build.setDirectory(base.resolve("target").toString());
    model.setBuild(build);
    MavenProject project = new MavenProject(model);
    project.setFile(base.resolve("pom.xml").toFile());
    ConvertMojo m = new ConvertMojo();
    set(m, "project", project);
    set(m, "format", "qcow2");
    set(m, "sourceFormat", "auto");
    set(m, "engine", "java");
    for (int i = 0; i < fieldValues.length; i += 2) {
      set(m, (String) fieldValues[i], fieldValues[i + 1]);
    }
    return m;
  }

  private static void set(Object o, String name, Object value) throws Exception {
    for (Class<?> c = o.getClass(); c != null; c = c.getSuperclass()) {
      try {
        Field f = c.getDeclaredField(name);
        f.setAccessible(true);
        f.set(o, value);
        return;
      } catch (NoSuchFieldException next) {
        // look in the superclass
      }
    }
    throw new NoSuchFieldException(name);
  }

  @Test
  void convertsTheOneDiskInSrcMainVm() throws Exception {
    PatternedDisk.create(vmDir.resolve("app.img"), 8L << 20, 1);
    Files.writeString(vmDir.resolve("user-data"), "#cloud-config\n");
    mojo().execute();
    Path out = base.resolve("target/vm/app.qcow2");
    QemuImg.assertIdentical(vmDir.resolve("app.img"), "raw", out, "qcow2");
    mojo("format", "raw").execute();
    QemuImg.assertIdentical(vmDir.resolve("app.img"), "raw", base.resolve("target/vm/app.raw"), "raw");
  }

  @Test
  void configurationErrorsNameTheParameter() throws Exception {
    PatternedDisk.create(vmDir.resolve("app.img"), 1L << 20, 1);
    assertMessage(mojo("sourceFormat", "vmdk4"), "<sourceFormat> (vm.sourceFormat)");
    assertMessage(mojo("engine", "vbox"), "<engine> (vm.engine)");
    assertMessage(mojo("format", "vdi"), "<format> (vm.format)");
    assertMessage(mojo("format", "raw", "compress", true), "<compress> (vm.compress)");
    assertMessage(mojo("source", base.resolve("missing.qcow2").toFile()), "<source> (vm.source)");
    PatternedDisk.create(vmDir.resolve("other.qcow2.img"), 1L << 20, 1);
    assertMessage(mojo(), "app.img, other.qcow2.img");
  }

  @Test
  void badDiskIsABuildFailureNamingTheFile() throws Exception {
    Path bad = PatternedDisk.create(vmDir.resolve("app.vmdk"), 1L << 20, 1);
    MojoFailureException e = assertThrows(MojoFailureException.class, () -> mojo().execute());
    assertTrue(e.getMessage().contains("app.vmdk: the name says vmdk"), e.getMessage());
    assertFalse(Files.exists(base.resolve("target/vm/app.qcow2")));
    // Forcing raw accepts it.
    mojo("sourceFormat", "raw", "source", bad.toFile()).execute();
    assertTrue(Files.exists(base.resolve("target/vm/app.qcow2")));
  }

  @Test
  void convertsTheSplitDiskOfAVmwareWorkstationFolderByDefault() throws Exception {
    // The folder: .vmx, .nvram, .vmsd, .vmxf, vmware.log and disk.vmdk + disk-s001..s003.vmdk.
    Path raw = PatternedDisk.create(base.resolve("src.raw"), 4608L << 20, 2);
    Path disk = VmFolders.vmwareWorkstation(vmDir, "ws-vm", raw);
    mojo().execute();
    QemuImg.assertIdentical(disk, "vmdk", base.resolve("target/vm/app.qcow2"), "qcow2");
    mojo("engine", "qemu-img", "format", "raw").execute();
    QemuImg.assertIdentical(raw, "raw", base.resolve("target/vm/app.raw"), "raw");
  }

  @Test
  void vmxAsSourceFailsSayingItIsADescription() throws Exception {
    // Outside src/main/vm/, where it would be read as the VM's description (<definition>).
    Files.writeString(base.resolve("ws-vm.vmx"), VmFolders.vmx("ws-vm", "disk.vmdk"));
    PatternedDisk.create(vmDir.resolve("app.img"), 1L << 20, 1);
    MojoFailureException e = assertThrows(MojoFailureException.class,
        () -> mojo("source", base.resolve("ws-vm.vmx").toFile()).execute());
    assertTrue(e.getMessage().contains("ws-vm.vmx: is a VMware VM description (.vmx), not a disk image"),
        e.getMessage());
    assertTrue(e.getMessage().contains("point <source> (vm.source) at the VM's disk (this one attaches disk.vmdk)"),
        e.getMessage());
    assertFalse(Files.exists(base.resolve("target/vm/app.qcow2")));
    // Forced raw, it is still no disk: its 1440 bytes are not whole sectors.
    MojoFailureException raw = assertThrows(MojoFailureException.class,
        () -> mojo("source", base.resolve("ws-vm.vmx").toFile(), "sourceFormat", "raw").execute());
    assertTrue(raw.getMessage().contains("not a whole number of 512-byte sectors"), raw.getMessage());
  }

  @Test
  void skipped() throws Exception {
    mojo("skipConvert", true).execute();
    mojo("skip", true).execute();
    assertFalse(Files.exists(base.resolve("target/vm")));
  }

  private static VmConfig named(String name) throws Exception {
    VmConfig vm = new VmConfig();
    set(vm, "name", name);
    return vm;
  }

  @Test
  void eachConvertedDiskKeepsItsOwnUpToDateState() throws Exception {
    Path os = PatternedDisk.create(base.resolve("os.img"), 4L << 20, 1);
    Path data = PatternedDisk.create(base.resolve("data.img"), 4L << 20, 2);
    mojo("vm", named("os"), "source", os.toFile()).execute();
    mojo("vm", named("data"), "source", data.toFile()).execute();
    Path osOut = base.resolve("target/vm/os.qcow2");
    Path dataOut = base.resolve("target/vm/data.qcow2");
    assertTrue(Files.isRegularFile(base.resolve("target/vm/.os.qcow2.state")), "the state is per output file");
    assertTrue(Files.isRegularFile(base.resolve("target/vm/.data.qcow2.state")), "the state is per output file");
    Object osKey = Files.readAttributes(osOut, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    Object dataKey = Files.readAttributes(dataOut, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    // The next build: neither execution's state was overwritten by the other's, both are up to date.
    mojo("vm", named("os"), "source", os.toFile()).execute();
    mojo("vm", named("data"), "source", data.toFile()).execute();
    assertEquals(osKey, Files.readAttributes(osOut, java.nio.file.attribute.BasicFileAttributes.class).fileKey(),
        "not converted again");
    assertEquals(dataKey, Files.readAttributes(dataOut, java.nio.file.attribute.BasicFileAttributes.class).fileKey(),
        "not converted again");
    QemuImg.assertIdentical(os, "raw", osOut, "qcow2");
    QemuImg.assertIdentical(data, "raw", dataOut, "qcow2");
  }

  @Test
  void twoExecutionsConvertingIntoOneFileFailBeforeOverwriting() throws Exception {
    Path os = PatternedDisk.create(base.resolve("os.img"), 4L << 20, 1);
    Path data = PatternedDisk.create(base.resolve("data.img"), 4L << 20, 2);
    ConvertMojo first = mojo("source", os.toFile());
    first.execute();
    // The second execution forgot its own <vm><name>: both would write target/vm/app.qcow2.
    ConvertMojo second = mojo("source", data.toFile());
    second.project = first.project;
    MojoFailureException e = assertThrows(MojoFailureException.class, second::execute);
    assertTrue(e.getMessage().contains(os.toString()) && e.getMessage().contains(data.toString())
        && e.getMessage().contains(base.resolve("target/vm/app.qcow2").toString())
        && e.getMessage().contains("<vm><name>"), e.getMessage());
    QemuImg.assertIdentical(os, "raw", base.resolve("target/vm/app.qcow2"), "qcow2");
    // The same source again (e.g. vm-packager:convert on the command line) is no conflict.
    ConvertMojo again = mojo("source", os.toFile());
    again.project = first.project;
    again.execute();
  }

  private static void assertMessage(ConvertMojo m, String part) {
    Exception e = assertThrows(Exception.class, m::execute);
    assertTrue(e instanceof MojoFailureException || e instanceof MojoExecutionException, e.toString());
    assertTrue(e.getMessage().contains(part), () -> "'" + part + "' missing from: " + e.getMessage());
  }
}
