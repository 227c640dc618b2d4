package dev.vmpackager.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vmpackager.registry.ImageReference;
import dev.vmpackager.testing.PatternedDisk;
import dev.vmpackager.testing.QemuImg;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** Fixtures and readers shared by the image tests: a small qcow2, tools, and an OCI layout reader. */
final class ImageFixtures {

  static final ObjectMapper JSON = new ObjectMapper();

  private ImageFixtures() {}

  /** A 64 MiB-virtual qcow2 (about 1 MiB of data) made by qemu-img from a patterned raw disk. */
  static Path qcow2(Path dir, String name, long seed) throws Exception {
    Path raw = PatternedDisk.create(dir.resolve(name + ".raw"), 64L << 20, seed);
    Path qcow2 = dir.resolve(name + ".qcow2");
    QemuImg.convert(raw, qcow2, "qcow2");
    Files.delete(raw);
    return qcow2;
  }

  /** Runs a command; fails the test unless it exits 0; returns stdout. */
  static String run(String... cmd) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    // skopeo unpacks oci-archive: tars into $TMPDIR (default /var/tmp): keep it under target/.
    pb.environment().put("TMPDIR", Files.createDirectories(Path.of("target", "tmp").toAbsolutePath()).toString());
    Process p = pb.start();
    byte[] err;
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    err = p.getErrorStream().readAllBytes();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
    }
    assertEquals(0, p.exitValue(), () -> String.join(" ", cmd) + " failed:\n" + out
        + new String(err, StandardCharsets.UTF_8));
    return out;
  }

  /** @return the reference parsed as the goals parse {@code vm.image} */
  static ImageReference ref(String reference) {
    return ImageReference.parse(reference, "vm.image");
  }

  static JsonNode json(String s) throws IOException {
    return JSON.readTree(s);
  }

  static String sha256(Path file) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      byte[] b = new byte[1 << 16];
      int n;
      while ((n = in.read(b)) > 0) {
        md.update(b, 0, n);
      }
    }
    return "sha256:" + HexFormat.of().formatHex(md.digest());
  }

  /** @return {@code sha256:<hex>} of the UTF-8 bytes of {@code text} (e.g. skopeo's --raw output) */
  static String sha256Of(String text) throws Exception {
    return "sha256:" + HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  static Path blob(Path layout, String digest) {
    return layout.resolve("blobs").resolve("sha256").resolve(digest.substring("sha256:".length()));
  }

  /** One tar entry of a layer: name, type, mode, owner, size, content digest. */
  record Entry(String name, boolean directory, int mode, long uid, long gid, long size, String contentSha256) {}

  /** Reads a layer blob (gzip or plain tar)'s tar entries, hashing file contents. */
  static List<Entry> layerEntries(Path layerBlob) throws Exception {
    List<Entry> entries = new ArrayList<>();
    boolean gzip;
    boolean zstd;
    try (InputStream head = Files.newInputStream(layerBlob)) {
      byte[] magic = head.readNBytes(4);
      gzip = magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b;
      zstd = magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5 && (magic[2] & 0xff) == 0x2f
          && (magic[3] & 0xff) == 0xfd;
    }
    // zstd is read back by the zstd CLI, not by the library that wrote it: an independent reader.
    Process unzstd = zstd ? new ProcessBuilder("zstd", "-d", "-c", "-q", layerBlob.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start() : null;
    InputStream raw = new java.io.BufferedInputStream(zstd ? unzstd.getInputStream()
        : Files.newInputStream(layerBlob), 1 << 16);
    try (InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw;
        TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        String sha = null;
        if (e.isFile()) {
          MessageDigest md = MessageDigest.getInstance("SHA-256");
          byte[] b = new byte[1 << 16];
          int n;
          while ((n = tar.read(b)) > 0) {
            md.update(b, 0, n);
          }
          sha = "sha256:" + HexFormat.of().formatHex(md.digest());
        }
        entries.add(new Entry(e.getName(), e.isDirectory(), e.getMode() & 07777, e.getLongUserId(),
            e.getLongGroupId(), e.getSize(), sha));
      }
      if (unzstd != null) {
        in.transferTo(java.io.OutputStream.nullOutputStream());
      }
    }
    if (unzstd != null) {
      assertEquals(0, unzstd.waitFor(), "zstd -d " + layerBlob);
    }
    return entries;
  }
}
