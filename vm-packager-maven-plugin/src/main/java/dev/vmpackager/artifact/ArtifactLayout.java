package dev.vmpackager.artifact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vmpackager.io.Digests;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;

/**
 * A VM artifact tar read back for its push: the index, the manifest and the config (their digests
 * checked), and where each layer blob lies in the tar, so it is streamed from there.
 *
 * @param tar the tar
 * @param index the {@code index.json} bytes
 * @param manifest the manifest's bytes
 * @param manifestDigest its digest
 * @param config the config blob's bytes
 * @param layers the layer blobs, in the manifest's order
 */
public record ArtifactLayout(Path tar, byte[] index, byte[] manifest, String manifestDigest, byte[] config,
    List<Blob> layers) {

  /** Small JSON files larger than this are not the plugin's. */
  private static final long MAX_JSON = 4L << 20;

  /**
   * A layer blob in the tar.
   *
   * @param digest its digest
   * @param offset where its bytes start in the tar
   * @param size its size
   */
  public record Blob(String digest, long offset, long size) {

    /**
     * @param tar the tar the blob is in
     * @return a stream of the blob's bytes
     */
    public InputStream open(Path tar) throws IOException {
      FileChannel ch = FileChannel.open(tar, StandardOpenOption.READ);
      ch.position(offset);
      return new java.io.FilterInputStream(Channels.newInputStream(ch)) {
        private long left = size;

        @Override
        public int read() throws IOException {
          if (left <= 0) {
            return -1;
          }
          int b = super.read();
          if (b >= 0) {
            left--;
          }
          return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          if (left <= 0) {
            return -1;
          }
          int n = super.read(b, off, (int) Math.min(len, left));
          if (n > 0) {
            left -= n;
          }
          return n;
        }
      };
    }
  }

  /**
   * @param tar a VM artifact tar
   * @return its layout
   * @throws ArtifactException naming the tar when it is not a VM artifact as this plugin writes it
   * @throws IOException when it cannot be read
   */
  public static ArtifactLayout read(Path tar) throws IOException {
    Map<String, TarArchiveEntry> entries = new HashMap<>();
    try (TarFile file = new TarFile(tar)) {
      for (TarArchiveEntry e : file.getEntries()) {
        if (e.isFile()) {
          entries.put(e.getName(), e);
        }
      }
      ObjectMapper json = new ObjectMapper();
      if (!entries.containsKey("oci-layout")) {
        throw bad(tar, "it has no oci-layout file");
      }
      byte[] index = bytes(file, entries, "index.json", tar);
      JsonNode manifests = json.readTree(index).path("manifests");
      if (manifests.size() != 1) {
        throw bad(tar, "its index.json lists " + manifests.size() + " manifests, not one");
      }
      String manifestDigest = manifests.get(0).path("digest").asText();
      byte[] manifest = blob(file, entries, manifestDigest, tar);
      JsonNode m = json.readTree(manifest);
      if (!VmArtifact.ARTIFACT_TYPE.equals(m.path("artifactType").asText())
          || !VmArtifact.CONFIG_MEDIA_TYPE.equals(m.path("config").path("mediaType").asText())) {
        throw bad(tar, "its manifest is not a VirtualMachine artifact's");
      }
      byte[] config = blob(file, entries, m.path("config").path("digest").asText(), tar);
      List<Blob> layers = new ArrayList<>();
      for (JsonNode l : m.path("layers")) {
        String digest = l.path("digest").asText();
        TarArchiveEntry e = entry(entries, digest, tar);
        if (e.getSize() != l.path("size").asLong()) {
          throw bad(tar, "the blob " + digest + " has " + e.getSize() + " bytes, the manifest says "
              + l.path("size").asLong());
        }
        layers.add(new Blob(digest, e.getDataOffset(), e.getSize()));
      }
      return new ArtifactLayout(tar, index, manifest, manifestDigest, config, List.copyOf(layers));
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw bad(tar, "a JSON file in it does not parse: " + e.getOriginalMessage());
    }
  }

  private static byte[] blob(TarFile file, Map<String, TarArchiveEntry> entries, String digest, Path tar)
      throws IOException {
    byte[] b = bytes(file, entries, entry(entries, digest, tar).getName(), tar);
    if (!Digests.sha256(b).equals(digest)) {
      throw bad(tar, "the blob " + digest + " does not have that digest");
    }
    return b;
  }

  private static TarArchiveEntry entry(Map<String, TarArchiveEntry> entries, String digest, Path tar)
      throws ArtifactException {
    if (!Digests.isDigest(digest)) {
      throw bad(tar, "'" + digest + "' is not a sha256 digest");
    }
    TarArchiveEntry e = entries.get(ArtifactTar.blobName(digest));
    if (e == null) {
      throw bad(tar, "it has no blob " + digest);
    }
    return e;
  }

  private static byte[] bytes(TarFile file, Map<String, TarArchiveEntry> entries, String name, Path tar)
      throws IOException {
    TarArchiveEntry e = entries.get(name);
    if (e == null) {
      throw bad(tar, "it has no " + name);
    }
    if (e.getSize() > MAX_JSON) {
      throw bad(tar, name + " is larger than " + MAX_JSON + " bytes");
    }
    try (InputStream in = file.getInputStream(e)) {
      return in.readAllBytes();
    }
  }

  private static ArtifactException bad(Path tar, String why) {
    return new ArtifactException("The VM artifact " + tar + " cannot be pushed: " + why
        + ". Build it again with vm.artifact=true (the vm-artifact goal)");
  }
}
