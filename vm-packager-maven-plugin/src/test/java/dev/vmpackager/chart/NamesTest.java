package dev.vmpackager.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.cloud.tools.jib.api.ImageReference;
import org.junit.jupiter.api.Test;

/** Defaults derived from Maven coordinates are valid names, and every derived name passes the chart's checks. */
class NamesTest {

  private static final String LONG = "My-Very_Long.Artifact-Id-That-Goes-On-And-On-Well-Past-Every-Kubernetes-Limit-Really";

  @Test
  void chartAndVmNames() {
    assertEquals("myvm", Names.chartName("MyVM"));
    assertEquals("my-app-server", Names.chartName("My_App.Server"));
    assertEquals("app", Names.chartName("--App--"));
    assertEquals("a-b", Names.vmName("a__.-b"));
    assertEquals("vm", Names.vmName("___"));
    assertEquals("vm-cirros", Names.vmName("vm-cirros"), "valid names are kept");
    String chart = Names.chartName(LONG);
    String vm = Names.vmName(LONG);
    assertEquals(Names.CHART_NAME_MAX, chart.length(), chart);
    assertTrue(vm.length() <= Names.VM_NAME_MAX && !vm.endsWith("-"), vm);
    assertTrue(LONG.toLowerCase().replaceAll("[^a-z0-9]+", "-").startsWith(chart), chart);
  }

  @Test
  void imageNames() throws Exception {
    assertEquals("myvm-containerdisk:1.0-SNAPSHOT", Names.image("MyVM", "1.0-SNAPSHOT"));
    assertEquals("my_app.server-containerdisk:2.1-rc_build.7", Names.image("My_App.Server", "2.1-rc+build.7"));
    assertEquals("a__b-c-containerdisk:_1", Names.image("A__B._C", ".1"));
    assertEquals("vm-containerdisk:latest", Names.image("..", ""));
    String tag = Names.imageTag("1.0." + "x".repeat(200));
    assertEquals(Names.TAG_MAX, tag.length());
    for (String[] c : new String[][] {{"MyVM", "1.0-SNAPSHOT"}, {"My_App.Server", "2.1-rc+build.7"}, {LONG, "1"},
        {"a...b", "-1"}, {"x_-_y", "1.0~beta"}, {"ÄÖÜ-vm", "1"}}) {
      String image = Names.image(c[0], c[1]);
      ImageReference.parse(image); // Jib's own check, as containerize and push make it
      assertTrue(image.length() <= Names.REPOSITORY_MAX + 1 + Names.TAG_MAX, image);
    }
  }

  @Test
  void derivedNamesPassTheChartsChecks() throws Exception {
    for (String artifactId : new String[] {"MyVM", "My_App.Server", LONG, "x", "ÄÖÜ-vm"}) {
      ChartSpec spec = ChartSpec.builder().name(Names.chartName(artifactId)).version("1.0.0").appVersion("1.0")
          .image(Names.image(artifactId, "1.0+build")).vmName(Names.vmName(artifactId)).build();
      assertEquals(Names.vmName(artifactId), spec.vmName());
    }
  }
}
