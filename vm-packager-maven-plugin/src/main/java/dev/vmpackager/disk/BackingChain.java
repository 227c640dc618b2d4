package dev.vmpackager.disk;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The images of a backing chain opened so far, outermost (the image the user named) first. An
 * immutable value that travels down the chain in {@link DiskOpenOptions#chain()}: {@link DiskImages#open}
 * extends it by the image it opens, {@link BackingFile} refuses a parent already in it. Since it
 * belongs to one open call and not to a thread, two chains opened at once (on two threads, or one
 * while the other is being opened) never see each other's images.
 */
public final class BackingChain {

  /** Backing chains deeper than this are refused (and loops end here). */
  static final int MAX_DEPTH = 16;

  /** No image opened yet: what the image the user names is opened with. */
  public static final BackingChain NONE = new BackingChain(List.of());

  private final List<Path> files;

  private BackingChain(List<Path> files) {
    this.files = files;
  }

  /**
   * @return how many images the chain holds: while an image is opened through {@link DiskImages#open},
   *     its own place in the chain (1 for the image the user named, 2 for its backing file, ...); 0
   *     for an image opened by its driver directly. Readers with caches size them by it, so a
   *     chain's caches together stay bounded.
   */
  public int depth() {
    return files.size();
  }

  /**
   * @param file the next image, about to be opened
   * @return this chain followed by the image's real path
   * @throws CorruptImageException when the chain already holds {@link #MAX_DEPTH} images
   */
  BackingChain extend(Path file) throws IOException {
    if (files.size() >= MAX_DEPTH) {
      throw new CorruptImageException(file.getFileName() + ": the backing chain is deeper than " + MAX_DEPTH
          + " images (" + describe(file) + ")");
    }
    List<Path> longer = new ArrayList<>(files);
    longer.add(file.toRealPath());
    return new BackingChain(List.copyOf(longer));
  }

  /**
   * Refuses a parent that is already part of the chain (a loop), before it is opened.
   *
   * @param child the child's name, for the message
   * @param what how the child calls its parent
   * @param reference the parent's name as the child stores it
   * @param parent the parent's real path
   * @throws CorruptImageException when the chain holds the parent
   */
  void refuseLoop(String child, String what, String reference, Path parent) throws CorruptImageException {
    if (files.contains(parent)) {
      throw new CorruptImageException(child + ": the backing chain loops: its " + what + " '" + reference
          + "' is already part of it (" + describe(parent) + ")");
    }
  }

  /** @return the chain's file names and then {@code next}'s, as {@code a -> b -> next} */
  private String describe(Path next) {
    StringBuilder b = new StringBuilder();
    for (Path p : files) {
      b.append(p.getFileName()).append(" -> ");
    }
    return b.append(next.getFileName()).toString();
  }
}
