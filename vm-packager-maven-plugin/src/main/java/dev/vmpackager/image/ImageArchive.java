package dev.vmpackager.image;

import dev.vmpackager.event.BuildListener;
import dev.vmpackager.io.FileTrees;
import dev.vmpackager.io.TempPaths;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Writes the image as a tar (an OCI archive, i.e. an OCI image layout in a tar, or a Docker archive
 * as {@code docker save} writes it) or as an OCI image layout folder, with the layer blob written
 * once, straight into its final place:
 *
 * <ul>
 *   <li>in the tar, a placeholder entry header is written, the blob is streamed after it (compressed
 *       on every core, hashed on the way), and then the header is patched in place (name =
 *       digest, size, checksum) with a positional write; config, manifest(s), index and
 *       {@code index.json} (or {@code manifest.json}) follow, since they need the layer's digests;
 *   <li>in the layout folder, the blob is written to a temp file in {@code blobs/sha256/} and renamed
 *       to its digest.
 * </ul>
 *
 * Everything goes to a temp sibling first and is renamed when complete; on failure nothing is left.
 * When the layer of an earlier build is still valid ({@link LayerRecord}), its bytes are copied
 * (kernel-side) instead of compressing the disk again.
 */
final class ImageArchive {

  private static final int FILE_MODE = 0644;
  private static final int DIR_MODE = 0755;

  private ImageArchive() {}

  /**
   * What was written.
   *
   * @param image the JSON documents (the digest is {@code image.digest()})
   * @param layer where the layer blob now sits in the final output
   * @param reused whether the blob was copied from an earlier build
   */
  record Written(ImageJson.Image image, LayerRecord layer, boolean reused) {}

  /** Writes the layer into {@code out}: copied from {@code reuse}, or from the disk. */
  private static LayerInfo layer(ContainerDiskSpec spec, Optional<LayerRecord> reuse, ChannelOutput out, int threads,
      BuildListener listener) throws IOException {
    if (reuse.isPresent()) {
      LayerRecord r = reuse.get();
      listener.info("Reusing the layer " + r.layer().digest() + " (" + (r.layer().size() >> 20) + " MiB) of "
          + spec.disk().getFileName() + " from " + r.file() + ": the disk has not changed");
      try (FileChannel source = FileChannel.open(r.file(), StandardOpenOption.READ)) {
        out.copyFrom(source, r.offset(), r.layer().size());
      }
      return r.layer();
    }
    return LayerWriter.write(spec, threads, out, listener);
  }

  /**
   * Writes the image tar atomically.
   *
   * @param spec the image
   * @param refName the image reference (the OCI layout's {@code ref.name}, the Docker archive's tag)
   * @param output the tar
   * @param reuse an earlier build's valid layer
   */
  static Written writeTar(ContainerDiskSpec spec, String refName, Path output, Optional<LayerRecord> reuse,
      int threads, BuildListener listener) throws IOException {
    boolean oci = spec.format() == ManifestFormat.OCI;
    long mtime = spec.creationTime().getEpochSecond();
    Path tmp = TempPaths.createFile(output);
    try {
      ImageJson.Image image;
      LayerInfo layer;
      long layerData;
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
          ChannelOutput out = new ChannelOutput(ch)) {
        if (oci) {
          directory(out, "blobs/", mtime);
          directory(out, "blobs/sha256/", mtime);
          file(out, "oci-layout", ImageJson.OCI_LAYOUT_FILE, mtime);
        }
        long header = out.position();
        out.write(new byte[DiskLayerTar.BLOCK]); // placeholder, patched below
        layerData = out.position();
        layer = layer(spec, reuse, out, threads, listener);
        if (out.position() - layerData != layer.size()) {
          throw new IOException("the layer blob has " + (out.position() - layerData) + " bytes, not " + layer.size());
        }
        out.write(new byte[DiskLayerTar.padding(layer.size())]);
        String layerName = oci ? "blobs/sha256/" + layer.hex()
            : layer.hex() + switch (layer.compression()) {
              case GZIP -> ".tar.gz";
              case ZSTD -> ".tar.zst";
              case NONE -> ".tar";
            };
        out.patch(header, DiskLayerTar.header(layerName, '0', layer.size(), FILE_MODE, 0, mtime));

        image = ImageJson.of(spec, layer);
        if (oci) {
          Set<String> written = new LinkedHashSet<>();
          for (ImageJson.Document d : image.configs()) {
            blob(out, d, written, mtime);
          }
          for (ImageJson.Document d : image.manifests()) {
            blob(out, d, written, mtime);
          }
          if (image.index().isPresent()) {
            blob(out, image.index().get(), written, mtime);
          }
          file(out, "index.json", ImageJson.layoutIndex(image.root(), refName), mtime);
        } else {
          file(out, "config.json", image.configs().get(0).bytes(), mtime);
          file(out, "manifest.json", ImageJson.dockerArchiveManifest("config.json", layerName, refName), mtime);
        }
        out.write(new byte[2 * DiskLayerTar.BLOCK]);
        out.flush();
      }
      Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return new Written(image, new LayerRecord(output.toAbsolutePath(), layerData, layer), reuse.isPresent());
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Writes the OCI image layout folder: built in a temp sibling folder, then it replaces
   * {@code output} (whatever was there).
   */
  static Written writeLayout(ContainerDiskSpec spec, String refName, Path output, Optional<LayerRecord> reuse,
      int threads, BuildListener listener) throws IOException {
    Path tmp = TempPaths.createDirectory(output);
    try {
      Path blobs = Files.createDirectories(tmp.resolve("blobs").resolve("sha256"));
      Files.write(tmp.resolve("oci-layout"), ImageJson.OCI_LAYOUT_FILE);
      LayerInfo layer;
      Path layerTmp = blobs.resolve(".layer.tmp");
      try (FileChannel ch = FileChannel.open(layerTmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
          ChannelOutput out = new ChannelOutput(ch)) {
        layer = layer(spec, reuse, out, threads, listener);
        out.flush();
      }
      Files.move(layerTmp, blobs.resolve(layer.hex()), StandardCopyOption.ATOMIC_MOVE);
      ImageJson.Image image = ImageJson.of(spec, layer);
      for (ImageJson.Document d : image.configs()) {
        Files.write(blobs.resolve(d.hex()), d.bytes());
      }
      for (ImageJson.Document d : image.manifests()) {
        Files.write(blobs.resolve(d.hex()), d.bytes());
      }
      if (image.index().isPresent()) {
        Files.write(blobs.resolve(image.index().get().hex()), image.index().get().bytes());
      }
      Files.write(tmp.resolve("index.json"), ImageJson.layoutIndex(image.root(), refName));
      FileTrees.deleteRecursively(output);
      Files.move(tmp, output, StandardCopyOption.ATOMIC_MOVE);
      Path blob = output.toAbsolutePath().resolve("blobs").resolve("sha256").resolve(layer.hex());
      return new Written(image, new LayerRecord(blob, 0, layer), reuse.isPresent());
    } finally {
      FileTrees.deleteRecursively(tmp);
    }
  }

  /**
   * Writes the layer blob alone into {@code dir/<hex>} (the registry target's copy, pushed from
   * there), replacing older blobs in {@code dir}.
   */
  static LayerRecord writeBlob(ContainerDiskSpec spec, Path dir, int threads, BuildListener listener)
      throws IOException {
    Path tmp = TempPaths.createFile(dir.resolve("layer"));
    try {
      LayerInfo layer;
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
          ChannelOutput out = new ChannelOutput(ch)) {
        layer = LayerWriter.write(spec, threads, out, listener);
        out.flush();
      }
      Path blob = dir.resolve(layer.hex());
      try (var old = Files.list(dir)) {
        for (Path p : old.toList()) {
          if (!p.equals(tmp) && Files.isRegularFile(p)) {
            Files.delete(p);
          }
        }
      }
      Files.move(tmp, blob, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return new LayerRecord(blob.toAbsolutePath(), 0, layer);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void blob(OutputStream out, ImageJson.Document d, Set<String> written, long mtime)
      throws IOException {
    if (written.add(d.digest())) {
      file(out, "blobs/sha256/" + d.hex(), d.bytes(), mtime);
    }
  }

  private static void directory(OutputStream out, String name, long mtime) throws IOException {
    out.write(DiskLayerTar.header(name, '5', 0, DIR_MODE, 0, mtime));
  }

  private static void file(OutputStream out, String name, byte[] data, long mtime) throws IOException {
    out.write(DiskLayerTar.header(name, '0', data.length, FILE_MODE, 0, mtime));
    out.write(data);
    out.write(new byte[DiskLayerTar.padding(data.length)]);
  }
}
