package dev.vmpackager.publish;

/**
 * What a chart push produced.
 *
 * @param reference {@code <host>/<path>/<chart>:<tag>}, what {@code helm pull oci://<host>/<path>/<chart> --version <version>} fetches
 * @param tag the OCI tag: the chart version with {@code +} written {@code _}
 * @param digest the manifest digest, {@code sha256:...}; the same chart and timestamp always give the same digest
 * @param chartName the chart's name
 * @param chartVersion the chart's version
 */
public record ChartPushResult(String reference, String tag, String digest, String chartName, String chartVersion) {

  /** @return {@code <reference>@<digest>}, a reference that pins exactly this push */
  public String pinnedReference() {
    return reference.substring(0, reference.lastIndexOf(':')) + "@" + digest;
  }
}
