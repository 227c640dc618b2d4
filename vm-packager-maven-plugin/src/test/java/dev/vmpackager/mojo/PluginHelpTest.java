package dev.vmpackager.mojo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What {@code mvn vm-packager:help -Ddetail} prints comes from the plugin descriptor, which
 * maven-plugin-plugin builds from the Mojos' fields and Javadoc: each goal lists only the
 * parameters it reads, and the {@code <vm>} element is explained field by field.
 */
class PluginHelpTest {

  private final PluginDescriptor descriptor;

  PluginHelpTest() throws Exception {
    descriptor = PluginDescriptor.load();
  }

  @Test
  void eachGoalListsOnlyTheParametersItReads() {
    Map<String, List<String>> notRead = Map.of(
        "convert", List.of("chartName", "chartVersion", "image", "outputTimestamp", "tags", "registryUsername"),
        "containerize", List.of("chartName", "chartVersion", "chartRepository", "usbList"),
        "push", List.of("usbList", "appVersion"),
        "chart", List.of("tags", "registryUsername", "chartRepository", "deploymentPackage"),
        "deployment-package", List.of("tags", "registryUsername", "skipChart"));
    notRead.forEach((goal, names) -> {
      for (String name : names) {
        assertFalse(descriptor.parameters(goal).containsKey(name), goal + " lists " + name + ", which it never reads");
      }
    });
    Map<String, List<String>> read = Map.of(
        "convert", List.of("vm", "format", "source", "skip"),
        "containerize", List.of("vm", "format", "image", "outputTimestamp", "tags"),
        "push", List.of("vm", "format", "disks", "definition", "image", "chartName", "chartVersion", "chartRepository", "outputTimestamp", "tags"),
        "chart", List.of("vm", "image", "chartName", "chartVersion", "outputTimestamp", "usbList"),
        "deployment-package", List.of("deploymentPackage", "virtualizationPackageVersion", "chartRepository", "vm",
            "image", "chartName", "chartVersion", "description", "usbList", "usbDevices", "outputTimestamp"));
    read.forEach((goal, names) -> {
      for (String name : names) {
        assertTrue(descriptor.parameters(goal).containsKey(name), goal + " must list " + name);
      }
    });
  }

  @Test
  void theVmParameterExplainsEveryFieldAndThatItIsNoProperty() {
    String chart = descriptor.parameters("chart").get("vm");
    for (Field f : VmConfig.class.getDeclaredFields()) {
      if (!Modifier.isStatic(f.getModifiers())) {
        // The descriptor holds the Javadoc as text; the list items are "* field: meaning; default".
        assertTrue(Pattern.compile("(\\* |, )" + f.getName() + "[:,]").matcher(chart).find(),
            "the chart goal's <vm> help explains " + f.getName() + ":\n" + chart);
      }
    }
    assertTrue(chart.contains("its fields are not -D user properties (-Dvm.memory=4Gi does nothing)"), chart);
    assertTrue(chart.contains("--set vm.memory=4Gi"), chart);
    assertTrue(chart.contains("default 1Gi") && chart.contains("default 180"), chart);
    for (String goal : List.of("convert", "containerize")) {
      String vm = descriptor.parameters(goal).get("vm");
      assertTrue(vm.contains("reads its <name>") && vm.contains("several disks") && vm.contains("-Dgoal=chart") && vm.contains("not as -D properties"),
          goal + ": " + vm);
    }
  }

  @Test
  void theImagesDefaultInstancetypeIsNotTheVmsInstancetype() {
    Map<String, String> containerize = descriptor.parameters("containerize");
    assertFalse(containerize.containsKey("instancetype"), "reads like <vm><instancetype>");
    assertFalse(containerize.containsKey("preference"), "reads like <vm><preference>");
    assertEquals("instancetype", descriptor.alias("containerize", "defaultInstancetype"), "old POMs keep working");
    assertEquals("preference", descriptor.alias("containerize", "defaultPreference"));
    String doc = containerize.get("defaultInstancetype");
    assertTrue(doc.contains("not the VM's") && doc.contains("<vm><instancetype>"), doc);
    assertEquals("${vm.image.defaultInstancetype}",
        descriptor.configuration("containerize", "defaultInstancetype").getTextContent());
  }
}
