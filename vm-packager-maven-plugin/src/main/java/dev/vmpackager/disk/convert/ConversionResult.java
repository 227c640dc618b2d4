package dev.vmpackager.disk.convert;

import dev.vmpackager.disk.DiskFormat;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What a conversion did.
 *
 * @param output the converted disk
 * @param sourceFormat the format the source was read as
 * @param virtualSize the guest disk size
 * @param outputSize the converted file's length in bytes
 * @param elapsed how long it took
 * @param upToDate true when nothing was done because the output was up to date
 */
public record ConversionResult(Path output, DiskFormat sourceFormat, long virtualSize, long outputSize,
    Duration elapsed, boolean upToDate) {}
