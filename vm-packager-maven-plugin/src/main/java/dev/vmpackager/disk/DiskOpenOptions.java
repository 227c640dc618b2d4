package dev.vmpackager.disk;

import dev.vmpackager.event.BuildListener;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How a disk may be opened.
 *
 * @param allowExternalReferences whether the image may point at other files (qcow2 backing files,
 *     VMDK descriptors naming extents, differencing parents); even then they never leave the
 *     source's folder. Split VMDK extents named by a descriptor are always allowed within the folder.
 * @param scratchDirectory where a reader may put a temporary file it needs (the inflated disk of a
 *     gzip-compressed OVA entry); the conversion output's folder, so multi-gigabyte scratch data goes
 *     where the output goes and not to a possibly small {@code /tmp}
 * @param listener where a reader reports long work done while opening (inflating that entry), as
 *     progress lines
 */
public record DiskOpenOptions(boolean allowExternalReferences, Path scratchDirectory, BuildListener listener) {

  /** The safe default: nothing outside the image itself; scratch files in the JVM's temp folder. */
  public static final DiskOpenOptions DEFAULT = new DiskOpenOptions(false);

  /** Options with scratch files in the JVM's temp folder ({@code java.io.tmpdir}). */
  public DiskOpenOptions(boolean allowExternalReferences) {
    this(allowExternalReferences, Path.of(System.getProperty("java.io.tmpdir")));
  }

  /** Options with scratch files in {@code scratchDirectory} and no progress lines. */
  public DiskOpenOptions(boolean allowExternalReferences, Path scratchDirectory) {
    this(allowExternalReferences, scratchDirectory, BuildListener.NONE);
  }

  public DiskOpenOptions {
    Objects.requireNonNull(scratchDirectory, "scratchDirectory");
    Objects.requireNonNull(listener, "listener");
  }
}
