package dev.vmpackager.artifact;

import dev.vmpackager.io.Digests;
import dev.vmpackager.io.TempPaths;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes the OCI image layout tar in the order KubeVirt's {@code Builder.WriteTar} does:
 * {@code oci-layout}, {@code index.json}, the manifest, the config, each disk; regular files of
 * mode 0644 owned by root, no directory entries, every time the creation time. A blob two disks
 * share is written once.
 */
final class ArtifactTar {

  /** The {@code oci-layout} file. */
  static final byte[] OCI_LAYOUT = "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.US_ASCII);

  private ArtifactTar() {}

  static void write(Path output, byte[] index, byte[] manifest, byte[] config, List<DiskLayerStep.Layer> layers,
      Instant created) throws IOException {
    Path tmp = TempPaths.createFile(output);
    try {
      try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20);
          TarArchiveOutputStream tar = new TarArchiveOutputStream(file, StandardCharsets.UTF_8.name())) {
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        Set<String> written = new HashSet<>();
        bytes(tar, "oci-layout", OCI_LAYOUT, created);
        bytes(tar, "index.json", index, created);
        bytes(tar, blobName(Digests.sha256(manifest)), manifest, created);
        bytes(tar, blobName(Digests.sha256(config)), config, created);
        written.add(Digests.sha256(config));
        for (DiskLayerStep.Layer l : layers) {
          if (written.add(l.digest())) {
            tar.putArchiveEntry(entry(blobName(l.digest()), l.size(), created));
            Files.copy(l.file(), tar);
            tar.closeArchiveEntry();
          }
        }
        tar.finish();
      }
      Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** @return {@code blobs/sha256/<hex>} */
  static String blobName(String digest) {
    return "blobs/sha256/" + digest.substring("sha256:".length());
  }

  private static void bytes(TarArchiveOutputStream tar, String name, byte[] data, Instant created) throws IOException {
    tar.putArchiveEntry(entry(name, data.length, created));
    tar.write(data);
    tar.closeArchiveEntry();
  }

  private static TarArchiveEntry entry(String name, long size, Instant created) {
    TarArchiveEntry e = new TarArchiveEntry(name, true);
    e.setMode(0100644);
    e.setSize(size);
    e.setModTime(created.toEpochMilli());
    e.setUserId(0);
    e.setGroupId(0);
    e.setUserName("");
    e.setGroupName("");
    return e;
  }
}
