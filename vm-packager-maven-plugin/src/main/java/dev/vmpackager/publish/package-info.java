/**
 * Publishing the chart: pushed to an OCI registry as {@code helm push} writes it
 * ({@link dev.vmpackager.publish.ChartPublisher}, through the ORAS SDK), its Chart.yaml read back
 * from the package ({@link dev.vmpackager.publish.ChartMetadata}). How a registry is reached
 * (credentials, TLS, retries, the error model) is {@code dev.vmpackager.registry}'s, shared with the
 * image push; this package never imports {@code dev.vmpackager.image}. No Maven types here.
 *
 * <p>References: OCI distribution spec (push: blobs, then the manifest), Helm {@code pkg/registry}
 * (config/layer media types, annotations, tag rules) and {@code pkg/chart/v2/metadata.go}
 * (Chart.yaml fields and sanitizing).
 */
package dev.vmpackager.publish;
