/**
 * Registry access that every push shares (the containerDisk image through Jib's registry client,
 * the chart through ORAS, and the outputs to come): how a registry is reached
 * ({@link dev.vmpackager.registry.RegistryAccess}: host, credentials, TLS policy), where credentials
 * come from besides Maven's settings ({@link dev.vmpackager.registry.DockerCredentials}: Docker's
 * config.json and credential helpers), which certificates are trusted
 * ({@link dev.vmpackager.registry.RegistryTrust}: the one reader of a CA file;
 * {@link dev.vmpackager.registry.RegistryProbe}: a connection and TLS handshake before a push), how
 * calls are tried again ({@link dev.vmpackager.registry.RetryPolicy} with one classification of
 * failures, {@code RegistryFaults}), what a failure is ({@link dev.vmpackager.registry.RegistryException}
 * and its subclasses {@link dev.vmpackager.registry.RegistryAuthenticationException} and
 * {@link dev.vmpackager.registry.RegistryUnreachableException}), and the image reference parsed
 * once ({@link dev.vmpackager.registry.ImageReference}).
 *
 * <p>No Maven types here: the Mojos resolve settings.xml in
 * {@code dev.vmpackager.mojo.RegistryAccessResolver}. The packages that push ({@code image},
 * {@code publish}) use this one and never each other. Secrets are never logged or put in a message.
 *
 * <p>References: OCI distribution spec (status codes, blobs then manifests), Docker CLI credential
 * helpers protocol.
 */
package dev.vmpackager.registry;
