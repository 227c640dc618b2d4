package dev.vmpackager.edge;

import static dev.vmpackager.edge.EdgeTesting.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.vmpackager.chart.ChartDisk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A VM the Virtualization package's KubeVirt Helper would reject on update, or whose disk it would
 * replace, is flagged when the package is built (its rules: shared/reference/edge-orchestrator-deployment-package.md 9.2).
 */
class KubevirtHelperRulesTest {

  @TempDir Path tmp;

  @Test
  void aVmThatIsNotKeptRunningIsFlagged() throws Exception {
    for (String strategy : List.of("Halted", "Once", "Manual")) {
      List<String> w = packageOf(readmeUsbExample().runStrategy(strategy).build()).build().warnings();
      assertEquals(1, w.size(), strategy + ": " + w);
      assertTrue(w.get(0).contains("<vm><runStrategy> is " + strategy) && w.get(0).contains("KubeVirt Helper rejects"), w.get(0));
    }
    for (String strategy : List.of("Always", "RerunOnFailure")) {
      assertEquals(List.of(), packageOf(readmeUsbExample().runStrategy(strategy).build()).build().warnings(), strategy);
    }
  }

  @Test
  void exactlyOneDataVolumeTemplateIsFlaggedForItsDiskReplacement() throws Exception {
    List<String> one = packageOf(readmeUsbExample().storage("dataVolume").storageSize("20Gi").build()).build().warnings();
    assertEquals(1, one.size(), one.toString());
    assertTrue(one.get(0).contains("librespeed-rootdisk") && one.get(0).contains("is lost"), one.get(0));
    // A containerDisk boot disk and one imported data disk: one DataVolume template again.
    List<String> data = packageOf(readmeUsbExample().addDisk(ChartDisk.named("data")
        .withImage("registry.example.com/apps/data:1").withStorage("dataVolume", "5Gi", "")).build()).build().warnings();
    assertEquals(1, data.size(), data.toString());
    assertTrue(data.get(0).contains("librespeed-data"), data.get(0));
  }

  @Test
  void theUsersOwnVirtualMachineTemplateCannotBeChecked() throws Exception {
    Path helm = Files.createDirectories(tmp.resolve("helm/templates"));
    Files.writeString(helm.resolve("virtualmachine.yaml"), "# the user's own\n");
    List<String> w = packageOf(readmeUsbExample().userChartDirectory(tmp.resolve("helm")).build()).build().warnings();
    assertEquals(1, w.size(), w.toString());
    assertTrue(w.get(0).contains("src/main/helm/templates/virtualmachine.yaml"), w.get(0));
  }
}
