package dev.vmpackager.vm;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.testing.QemuImg;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.function.Executable;

/** Fixtures for the description readers: the descriptions under {@code vm/}, tiny disks, OVAs. */
public final class VmFixtures {

  private VmFixtures() {}

  /**
   * @param path a resource under {@code src/test/resources/vm/}
   * @return its text
   */
  public static String text(String path) throws IOException {
    try (InputStream in = VmFixtures.class.getResourceAsStream("/vm/" + path)) {
      assertNotNull(in, "missing test resource vm/" + path);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /**
   * @param file where to write a 1 MiB streamOptimized VMDK, made by qemu-img as exports ship them
   * @return {@code file}
   */
  public static Path vmdk(Path file) throws IOException, InterruptedException {
    QemuImg.ok("create", "-q", "-f", "vmdk", "-o", "subformat=streamOptimized", file, "1M");
    return file;
  }

  /**
   * @param out the OVA to write
   * @param entries entry name to content, in archive order (the .ovf first)
   * @return {@code out}
   */
  public static Path ova(Path out, Map<String, byte[]> entries) throws IOException {
    try (OutputStream o = Files.newOutputStream(out); TarArchiveOutputStream tar = new TarArchiveOutputStream(o)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        TarArchiveEntry te = new TarArchiveEntry(e.getKey());
        te.setSize(e.getValue().length);
        tar.putArchiveEntry(te);
        tar.write(e.getValue());
        tar.closeArchiveEntry();
      }
    }
    return out;
  }

  /** @return the SHA-256 of the bytes, in hex, as a manifest writes it */
  public static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  /** @return the bytes of the text in UTF-8 */
  public static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Asserts the reader refuses with a {@link VmDescriptionException} whose message names all the
   * given parts (the file, the element, the problem).
   *
   * @return the exception
   */
  public static VmDescriptionException refused(Executable read, String... parts) {
    VmDescriptionException e = assertThrows(VmDescriptionException.class, read);
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), () -> "message lacks \"" + p + "\": " + e.getMessage());
    }
    return e;
  }
}
