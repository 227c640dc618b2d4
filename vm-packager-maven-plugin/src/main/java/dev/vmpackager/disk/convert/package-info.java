/**
 * Disk conversion to qcow2 or raw: {@link dev.vmpackager.disk.convert.DiskConverter} with an
 * immutable {@link dev.vmpackager.disk.convert.ConversionRequest}, a parallel pure-Java engine with
 * bounded memory, an optional qemu-img engine, atomic output and an up-to-date check.
 *
 * <p>The java engine: {@code JavaConversion} creates the output's
 * {@link dev.vmpackager.disk.DiskImageWriter} and runs a {@code ConversionPipeline} (guest windows,
 * worker pool, turns in guest order) into it; each worker loads a window through a
 * {@code SourceWindow} (mapped or read, zero-scanned by {@code ZeroScan} into {@code DataRuns}) and
 * compresses qcow2 clusters with a {@code ClusterCompressor}.
 */
package dev.vmpackager.disk.convert;
