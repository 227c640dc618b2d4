/**
 * Publishing: the chart pushed to an OCI registry as {@code helm push} writes it
 * ({@link dev.vmpackager.publish.ChartPublisher}), and how a registry is reached
 * ({@link dev.vmpackager.publish.RegistryAccess}: credentials, TLS policy) including Docker's
 * credential store ({@link dev.vmpackager.publish.DockerCredentials}). No Maven types here: the
 * Mojos resolve settings.xml in {@code dev.vmpackager.mojo.RegistryAccessResolver}.
 *
 * <p>References: OCI distribution spec (push: blobs, then the manifest), Helm {@code pkg/registry}
 * (config/layer media types, annotations, tag rules) and {@code pkg/chart/v2/metadata.go}
 * (Chart.yaml fields and sanitizing), Docker CLI credential helpers protocol.
 */
package dev.vmpackager.publish;
