/**
 * The Maven face of the plugin, and the only package that imports Maven's API. Each goal is a thin
 * Mojo: it reads its own parameters (documented in Javadoc, so {@code vm-packager:help} and the site
 * list them), resolves the VM once ({@link dev.vmpackager.mojo.AbstractVmMojo#resolveVm}), builds one
 * request object and calls one plain-Java service in its own package: {@code convert} the disk
 * converter ({@code dev.vmpackager.disk.convert}), {@code containerize} and {@code push} the image
 * builder and publisher ({@code dev.vmpackager.image}), {@code chart} the chart generator
 * ({@code dev.vmpackager.chart}) and chart publisher ({@code dev.vmpackager.publish}).
 *
 * <p>What several goals share lives in the abstract Mojos: {@link dev.vmpackager.mojo.AbstractVmMojo}
 * (project, skipping, the VM and its disks, names, the build timestamp),
 * {@link dev.vmpackager.mojo.AbstractImageMojo} (the image reference, parsed once) and
 * {@link dev.vmpackager.mojo.AbstractRegistryMojo} (credentials from settings.xml, decrypted, never
 * logged). The {@code *Config} classes are the POM's nested configuration shapes ({@code <vm>},
 * {@code <disks>}, {@code <ports>}, {@code <usbDevices>}...), mapped onto the VM model and the chart
 * spec here, so no other package sees a Maven type. Services report progress as events
 * ({@code dev.vmpackager.event}); {@link dev.vmpackager.mojo.MavenLogListener} turns them into the
 * build log.
 */
package dev.vmpackager.mojo;
