/**
 * The KubeVirt containerDisk image: assembled by us, written as a tar (OCI archive or Docker
 * archive) or an OCI image layout, or pushed to a registry with Jib core's registry client. No Maven
 * types here; {@code dev.vmpackager.mojo.ContainerizeMojo} and the {@code push} goal parse the image
 * reference once and call {@link dev.vmpackager.image.ContainerDiskBuilder} and
 * {@link dev.vmpackager.image.ImagePublisher}, both with one {@link dev.vmpackager.image.BuildRequest}.
 *
 * <h2>Image</h2>
 * A scratch image with one layer: the tar entries {@code disk/} (directory, 0555) and
 * {@code disk/<vm name>.<format>} (0444), both uid/gid 107 (KubeVirt's qemu user), nothing else
 * (KubeVirt refuses a {@code /disk} with more than one entry). Per platform of {@code vm.platform}
 * one config ({@code os=linux}, the architecture, no entrypoint, the labels, and the
 * {@code INSTANCETYPE_KUBEVIRT_IO_DEFAULT_INSTANCETYPE}/{@code _PREFERENCE} variables CDI copies to
 * imported volumes) and one manifest over the one layer; several platforms give an OCI image index
 * (a Docker manifest list with {@code imageFormat=Docker}). OCI manifests and the index carry the
 * project's OCI annotations ({@code org.opencontainers.image.title}, {@code version},
 * {@code description}, {@code url}, {@code source}, {@code revision}, {@code created}, ...); the
 * same keys are config labels in both formats (Docker V2.2 manifests have no annotations).
 *
 * <h2>Why not Jib's high-level API</h2>
 * Jib core 0.28.1 writes no manifest annotations, writes a multi-platform image only as a Docker
 * manifest list and only to a registry, and copies and hashes a finished layer blob once more,
 * single-threaded, into its tar. So {@link dev.vmpackager.image.ImageJson} writes config, manifests
 * and index (as Jib JSON templates, serialised by Jib's {@code JsonTemplateMapper}: the bytes in the
 * tar are the bytes Jib's {@code RegistryClient.pushManifest} sends), {@link dev.vmpackager.image.ImageArchive}
 * writes the tar and layout, and {@link dev.vmpackager.image.RegistryPusher} pushes with Jib's
 * {@code RegistryClient} (bearer or basic auth as Jib does, blobs the registry lacks, manifests by
 * digest, then index/tags).
 *
 * <h2>Reproducible</h2>
 * The config's {@code created} and every tar entry's mtime are the spec's timestamp
 * ({@code project.build.outputTimestamp}); the gzip header has no time and no name; blocks are
 * deflated independently, so the output does not depend on the thread count; JSON fields are in a
 * fixed order and maps sorted. The same disk and spec give the same layer, manifest, index and
 * tar bytes on every build and machine with this plugin version.
 *
 * <h2>Fast: the layer is written once</h2>
 * {@link dev.vmpackager.image.LayerWriter} reads the disk once: our tar writer, then
 * {@link dev.vmpackager.image.ParallelGzipOutputStream} on every core, computing digest and diff id
 * on the way (or, with {@code vm.layerCompression=none}, the plain tar hashed once). The blob goes
 * straight to its final place: into the image tar after a placeholder entry header that is then
 * patched in place ({@link dev.vmpackager.image.ChannelOutput}), into the layout's
 * {@code blobs/sha256/}, or, for the registry target, into a blob file under the working folder.
 * {@link dev.vmpackager.image.LayerRecord} records that place; {@code push} sends those bytes
 * (a window of the tar) and a rebuild of the same disk copies them kernel-side instead of
 * compressing again. Measured (README, {@code bench/image-benchmark.sh}, 1.5 GiB qcow2, 2 cores):
 * gzip build 0.14 of {@code tar | gzip -6}; within 1.5x of {@code cp} (1.27x) only when the layer
 * is reused; a fresh {@code none} build is 3.5x {@code cp}, because the layer's SHA-256, one
 * sequential pass at about 1.3 GB/s, costs more than twice the kernel's page-cache copy, and a
 * gzip build adds the deflating on two cores.
 *
 * <h2>State: one folder per image</h2>
 * What {@code containerize} leaves for {@code push} and {@code chart} (the spec, the layer record and
 * the digest) lives in a folder of its own per image reference, {@link dev.vmpackager.image.ImageState}:
 * two executions or disks never share a state file. {@code push} sends only the layer recorded for
 * the image it pushes, checked unchanged ({@link dev.vmpackager.image.LayerRecord#require}), and
 * fails naming what changed otherwise; it never compresses a disk of its own accord.
 *
 * <h2>Registries</h2>
 * How a registry is reached (credentials, CA file, retries, the error model, the parsed image
 * reference) is {@code dev.vmpackager.registry}'s, shared with the chart push; this package only
 * drives Jib's registry client ({@link dev.vmpackager.image.RegistryPusher}, every call through the
 * request's {@code RetryPolicy}) and never imports {@code dev.vmpackager.publish}. Credentials go to
 * Jib's client and are never logged. {@code allowInsecure} lets the client fall back to unverified
 * TLS and plain http (with a warning); as in Jib, credentials are sent over plain http only with
 * {@code -DsendCredentialsOverHttp=true}. A CA file is trusted by installing, around the push only,
 * a default {@code SSLContext} that trusts the JVM's CAs plus that file
 * ({@code RegistryTrust.withDefault} explains why the {@code javax.net.ssl.trustStore} property
 * cannot work inside Maven). A preflight connection ({@code RegistryProbe}) turns an unknown host, a
 * closed port or an untrusted certificate into an immediate error instead of the registry client's
 * 50 seconds of retries.
 */
package dev.vmpackager.image;
