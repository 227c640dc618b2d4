package dev.vmpackager.disk;

import dev.vmpackager.event.BuildListener;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How a disk may be opened.
 *
 * @param allowExternalReferences whether the image may read a backing chain (qcow2 and QED backing
 *     files, VMDK delta disks' parents); even then they never leave the source's folder. A VMDK
 *     descriptor's extents are part of its disk and are read either way, within the folder.
 * @param scratchDirectory where a reader may put a temporary file it needs (the inflated disk of a
 *     gzip-compressed OVA entry); the conversion output's folder, so multi-gigabyte scratch data goes
 *     where the output goes and not to a possibly small {@code /tmp}
 * @param listener where a reader reports long work done while opening (inflating that entry), as
 *     progress lines
 * @param chain the backing chain the image is opened in: {@link BackingChain#NONE} for the image
 *     the user names; {@link DiskImages#open} hands its driver the chain extended by the image
 * @param ovaEntry for an OVA, the entry of the disk to open (as the OVF's {@code References} name
 *     it, e.g. {@code app-disk2.vmdk}); empty for the first disk of its {@code DiskSection}. A VM
 *     with several disks converts each by its entry.
 */
public record DiskOpenOptions(boolean allowExternalReferences, Path scratchDirectory, BuildListener listener,
    BackingChain chain, String ovaEntry) {

  /** The safe default: no backing chains; scratch files in the JVM's temp folder. */
  public static final DiskOpenOptions DEFAULT = new DiskOpenOptions(false);

  /** Options with scratch files in the JVM's temp folder ({@code java.io.tmpdir}). */
  public DiskOpenOptions(boolean allowExternalReferences) {
    this(allowExternalReferences, Path.of(System.getProperty("java.io.tmpdir")));
  }

  /** Options with scratch files in {@code scratchDirectory} and no progress lines. */
  public DiskOpenOptions(boolean allowExternalReferences, Path scratchDirectory) {
    this(allowExternalReferences, scratchDirectory, BuildListener.NONE);
  }

  /** Options for the image the user names: the start of its backing chain. */
  public DiskOpenOptions(boolean allowExternalReferences, Path scratchDirectory, BuildListener listener) {
    this(allowExternalReferences, scratchDirectory, listener, BackingChain.NONE, "");
  }

  /**
   * Options for the image the user names, opening the OVA entry {@code ovaEntry}.
   *
   * @param allowExternalReferences see {@link #allowExternalReferences()}
   * @param scratchDirectory see {@link #scratchDirectory()}
   * @param listener see {@link #listener()}
   * @param ovaEntry see {@link #ovaEntry()}
   */
  public DiskOpenOptions(boolean allowExternalReferences, Path scratchDirectory, BuildListener listener,
      String ovaEntry) {
    this(allowExternalReferences, scratchDirectory, listener, BackingChain.NONE, ovaEntry);
  }

  public DiskOpenOptions {
    Objects.requireNonNull(scratchDirectory, "scratchDirectory");
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(chain, "chain");
    ovaEntry = ovaEntry == null ? "" : ovaEntry;
  }

  /** @return the same options for an image opened in {@code next} */
  DiskOpenOptions inChain(BackingChain next) {
    return new DiskOpenOptions(allowExternalReferences, scratchDirectory, listener, next, ovaEntry);
  }
}
