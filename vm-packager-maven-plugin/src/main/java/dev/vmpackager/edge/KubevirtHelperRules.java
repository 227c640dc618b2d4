package dev.vmpackager.edge;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the Virtualization package's KubeVirt Helper does to an update of the VM (a mutating webhook
 * on every VirtualMachine UPDATE, {@code failurePolicy: Fail}), read from the values the package
 * deploys. Its rules ({@code cluster-extensions} {@code pkg/kubevirt-helper}, HEAD {@code 4da3d3d}):
 * a changed template makes it restart the VM, and a failed restart (a VM that is not running)
 * rejects the update; with exactly one DataVolume template, a changed registry URL makes it delete
 * that DataVolume (the disk is imported again); one DataVolume template whose source is not a
 * registry makes every update fail. The generated chart only writes registry sources.
 */
final class KubevirtHelperRules {

  private KubevirtHelperRules() {}

  /**
   * @param values the profile's values
   * @param userVmTemplate whether the user's chart files replace the generated VirtualMachine template
   * @return one warning per rule an update of this VM runs into
   */
  static List<String> warnings(Map<String, Object> values, boolean userVmTemplate) {
    List<String> out = new ArrayList<>();
    Map<String, Object> vm = map(values.get("vm"));
    String runStrategy = string(vm.get("runStrategy"));
    if (runStrategy.equals("Halted") || runStrategy.equals("Once") || runStrategy.equals("Manual")) {
      out.add("<vm><runStrategy> is " + runStrategy + ": the VM is not kept running, and the Edge Orchestrator's"
          + " KubeVirt Helper rejects every update of a VM that is not running (it restarts the VM on each template"
          + " change, and KubeVirt refuses to restart it), so upgrading or re-configuring this deployment package"
          + " fails; use Always or RerunOnFailure");
    }
    List<String> imported = new ArrayList<>();
    Map<String, Object> storage = map(vm.get("storage"));
    String rootType = string(storage.get("type"));
    if (rootType.equals("dataVolume")) {
      imported.add("rootdisk");
    }
    for (Map.Entry<String, Object> d : map(vm.get("disks")).entrySet()) {
      String type = string(map(map(d.getValue()).get("storage")).get("type"));
      if ((type.isEmpty() ? rootType : type).equals("dataVolume")) {
        imported.add(d.getKey());
      }
    }
    if (imported.size() == 1) {
      out.add("The VM has exactly one DataVolume template (" + string(vm.get("name")) + "-" + imported.get(0)
          + "): when an upgrade changes its image (a new version's tag), the Edge Orchestrator's KubeVirt Helper"
          + " deletes that DataVolume and the running VM, CDI imports the new image, and what the VM wrote to the"
          + " disk is lost; keep data on another disk (<vm><extraDisks>) if it must survive upgrades");
    }
    if (userVmTemplate) {
      out.add("src/main/helm/templates/virtualmachine.yaml replaces the generated VirtualMachine: the KubeVirt"
          + " Helper rejects every update of a VM with exactly one DataVolume template whose source is not a"
          + " registry (url: docker://...), which the build cannot check in your template");
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  static String string(Object o) {
    return o == null ? "" : o.toString();
  }
}
