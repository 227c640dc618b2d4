package dev.vmpackager.edge;

import static dev.vmpackager.edge.KubevirtHelperRules.map;
import static dev.vmpackager.edge.KubevirtHelperRules.string;

import java.util.Locale;
import java.util.Map;

/**
 * The IMAGE registry of the package: the boot image's registry and the folder its repository is
 * in, {@code registry.example.com/apps/vm} giving {@code oci://registry.example.com/apps}. The
 * profile's values then name each image under it {@code %ImageRegistryURL%/vm}, which the deployment
 * manager replaces with that host and path, so an operator who moves the images (a mirror, another
 * project) changes the Registry, not the values.
 *
 * @param rootUrl the Registry's {@code rootUrl}, {@code oci://host[:port][/path]}
 * @param prefix {@code host[:port][/path]}: what {@code %ImageRegistryURL%} stands for
 */
record ImageRegistry(String rootUrl, String prefix) {

  /** Docker Hub, where a repository without a registry host is. */
  private static final String DOCKER_HUB = "docker.io";

  /**
   * @param repository the boot image's repository as the chart's values write it ({@code image.repository})
   * @return its registry
   * @throws DeploymentPackageException naming {@code <image>} when the registry cannot be a catalog rootUrl
   */
  static ImageRegistry of(String repository) throws DeploymentPackageException {
    String full = qualified(repository);
    int slash = full.lastIndexOf('/');
    String prefix = full.substring(0, slash);
    String root = "oci://" + prefix;
    CatalogLimits.check(root, CatalogLimits.ROOT_URL, CatalogLimits.ROOT_URL_MAX, "<image> (vm.image)",
        "a Registry rootUrl (the image's registry host with a domain or a port, and its folder)");
    return new ImageRegistry(root, prefix);
  }

  /**
   * Writes {@code image.repository} and each {@code vm.disks.<disk>.image.repository} under this
   * registry as {@code %ImageRegistryURL%/...}; an image elsewhere, and an empty one (the boot image's
   * name and the disk's), stay as they are.
   *
   * @param values the profile's values, changed in place
   */
  void rewrite(Map<String, Object> values) {
    rewriteRepository(map(values.get("image")));
    for (Object disk : map(map(values.get("vm")).get("disks")).values()) {
      rewriteRepository(map(map(disk).get("image")));
    }
  }

  private void rewriteRepository(Map<String, Object> image) {
    String repository = string(image.get("repository"));
    if (repository.isEmpty()) {
      return;
    }
    String full = qualified(repository);
    if (full.startsWith(prefix + "/")) {
      image.put("repository", DeploymentPackage.IMAGE_REGISTRY_URL + full.substring(prefix.length()));
    }
  }

  /**
   * @return the repository with its registry host written out, as the kubelet reads it: a first
   *     component without {@code .} or {@code :} (and not {@code localhost}) is a Docker Hub path, one
   *     component alone is in Docker Hub's {@code library/}
   */
  private static String qualified(String repository) {
    int slash = repository.indexOf('/');
    String first = slash < 0 ? "" : repository.substring(0, slash);
    if (!first.isEmpty() && (first.contains(".") || first.contains(":") || first.equals("localhost"))) {
      return first.toLowerCase(Locale.ROOT) + repository.substring(slash);
    }
    return DOCKER_HUB + "/" + (slash < 0 ? "library/" : "") + repository;
  }
}
