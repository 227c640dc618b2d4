/**
 * The KubeVirt containerDisk image: built with Jib core 0.28.1, written as a tar or an OCI image
 * layout, or pushed to a registry. No Maven types here; {@code dev.vmpackager.mojo.ContainerizeMojo}
 * and the {@code push} goal call {@link dev.vmpackager.image.ContainerDiskBuilder} and
 * {@link dev.vmpackager.image.ImagePublisher}.
 *
 * <h2>Image</h2>
 * A scratch image with one layer: the tar entries {@code disk/} (directory, 0555) and
 * {@code disk/<vm name>.<format>} (0444), both uid/gid 107 (KubeVirt's qemu user), nothing else
 * (KubeVirt refuses a {@code /disk} with more than one entry). Config: {@code os=linux}, the
 * architecture(s) of {@code vm.platform}, no entrypoint, the labels (the pre-defined OCI annotation
 * keys filled from the project, plus the user's), and the
 * {@code INSTANCETYPE_KUBEVIRT_IO_DEFAULT_INSTANCETYPE}/{@code _PREFERENCE} variables CDI copies to
 * imported volumes. Jib core has no API for manifest annotations, so the OCI annotation keys are
 * config labels (where {@code skopeo inspect}, {@code docker inspect} and registries' UIs show them).
 *
 * <h2>Reproducible</h2>
 * The config's {@code created} and the tar entries' mtime are the spec's timestamp
 * ({@code project.build.outputTimestamp}); the gzip header has no time and no name; blocks are
 * deflated independently, so the output does not depend on the thread count. The same disk gives
 * the same layer, manifest and image digest on every build and machine with this plugin version.
 *
 * <h2>Fast</h2>
 * Jib compresses layers itself, on one thread, at about 40 MiB/s. Instead,
 * {@link dev.vmpackager.image.LayerCache} writes the layer (our own tar writer, then
 * {@link dev.vmpackager.image.ParallelGzipOutputStream} on every core, computing digest and diff id
 * on the way, reading the disk once) straight into Jib's application-layer cache under
 * {@code target/vm/jib-cache/}, keyed the way Jib keys it. Jib then finds the layer "cached", and
 * writes or pushes exactly that blob; the push goal finds it there too and does not compress again.
 * Both Jib cache paths are set, so nothing goes to {@code ~/.cache}.
 *
 * <h2>Registries</h2>
 * Credentials go to Jib ({@code RegistryImage.addCredential}) and are never logged.
 * {@code allowInsecure} sets Jib's {@code setAllowInsecureRegistries} (with a warning). A CA file is
 * trusted by installing, around the Jib call only, a default {@code SSLContext} that trusts the
 * JVM's CAs plus that file ({@link dev.vmpackager.image.RegistryTrust} explains why the
 * {@code javax.net.ssl.trustStore} property cannot work inside Maven). A preflight connection
 * turns an unknown host, a closed port or an untrusted certificate into an immediate error instead
 * of Jib's 50 seconds of retries. Several platforms need the Docker format: Jib core 0.28.1 writes
 * a Docker manifest list but not an OCI index.
 */
package dev.vmpackager.image;
