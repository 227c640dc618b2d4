package dev.vmpackager.mojo;

import dev.vmpackager.testing.PatternedDisk;
import dev.vmpackager.testing.QemuImg;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.apache.maven.project.MavenProject;
import org.apache.maven.settings.crypto.DefaultSettingsDecrypter;
import org.sonatype.plexus.components.cipher.DefaultPlexusCipher;
import org.sonatype.plexus.components.sec.dispatcher.DefaultSecDispatcher;

/**
 * A project with several convert/containerize executions, each with its own {@code <vm><name>} (so
 * its own converted disk), {@code <image>} and {@code <imageTar>}, as Maven would configure them.
 */
final class TwoExecutions {

  private TwoExecutions() {}

  /** Writes {@code target/vm/<vm name>.qcow2} as convert does, with content of its own ({@code seed}). */
  static Path convertedDisk(Path base, String vmName, long seed) throws Exception {
    Path raw = PatternedDisk.create(base.resolve(vmName + "-" + seed + ".raw"), 8L << 20, seed);
    Path disk = Files.createDirectories(base.resolve("target/vm")).resolve(vmName + ".qcow2");
    Path tmp = base.resolve(vmName + "-" + seed + ".qcow2");
    QemuImg.convert(raw, tmp, "qcow2");
    Files.move(tmp, disk, StandardCopyOption.REPLACE_EXISTING);
    return disk;
  }

  /** One containerize execution writing {@code target/<tar>}. */
  static ContainerizeMojo containerize(MavenProject project, String vmName, String image, String tar) throws Exception {
    ContainerizeMojo m = new ContainerizeMojo(decrypter());
    m.project = project;
    VmConfig vm = new VmConfig();
    set(vm, "name", vmName);
    m.vm = vm;
    m.image = image;
    m.format = "qcow2";
    Path target = Path.of(project.getBuild().getDirectory());
    m.imageTar = target.resolve(tar).toFile();
    m.imageLayout = target.resolve("layout").toFile();
    m.target = "tar";
    m.imageFormat = "OCI";
    m.platform = "linux/amd64";
    m.layerCompression = "gzip";
    m.outputTimestamp = "2026-01-01T00:00:00Z";
    return m;
  }

  static DefaultSettingsDecrypter decrypter() {
    return new DefaultSettingsDecrypter(new DefaultSecDispatcher(new DefaultPlexusCipher(), Map.of(), "none"));
  }

  static void set(Object target, String field, Object value) throws Exception {
    for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
      try {
        Field f = c.getDeclaredField(field);
        f.setAccessible(true);
        f.set(target, value);
        return;
      } catch (NoSuchFieldException e) {
        // look in the superclass
      }
    }
    throw new NoSuchFieldException(field);
  }
}
