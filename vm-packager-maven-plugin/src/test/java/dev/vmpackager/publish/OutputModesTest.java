package dev.vmpackager.publish;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.testing.PatternedDisk;
import dev.vmpackager.testing.UmaskModes;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every output of a build (converted disk and its state, image archives, OCI layout, digest and
 * spec files, layer records, chart folder, chart archive) gets the modes the umask gives, as any
 * Maven output does: no private 0600 chart or 0700 chart folder left by a temporary file's mode.
 */
class OutputModesTest {

  @TempDir Path tmp;

  @Test
  void everyOutputHasTheUmasksModes() throws Exception {
    Path source = PatternedDisk.create(tmp.resolve("source.raw"), 4L << 20, 5);
    Path project = tmp.resolve("project");
    ReproducibleBuildMain.main(new String[] {project.toString(), source.toString()});
    Path target = project.resolve("target");
    assertTrue(Files.isRegularFile(target.resolve("myvm-1.0.0.tgz")));
    assertTrue(Files.isDirectory(target.resolve("helm/myvm/templates")));
    UmaskModes.assertAsCreated(target);
  }
}
