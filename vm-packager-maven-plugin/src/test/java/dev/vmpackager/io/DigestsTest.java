package dev.vmpackager.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The digest every OCI descriptor, state file and chart value writes, and the one check of its form. */
class DigestsTest {

  @TempDir Path dir;

  @Test
  void aFileHashesAsItsBytes() throws Exception {
    byte[] bytes = new byte[200_000];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (i * 31);
    }
    Path f = Files.write(dir.resolve("f"), bytes);
    assertEquals(Digests.sha256(bytes), Digests.sha256(f));
    // sha256sum's answer for the empty input
    assertEquals("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        Digests.sha256(Files.write(dir.resolve("empty"), new byte[0])));
  }

  @Test
  void onlyTheOciFormIsADigest() {
    assertTrue(Digests.isDigest("sha256:" + "0a".repeat(32)));
    assertFalse(Digests.isDigest("sha256:" + "0A".repeat(32)), "lower-case hex only");
    assertFalse(Digests.isDigest("sha256:" + "0a".repeat(31)));
    assertFalse(Digests.isDigest("sha256:" + "0a".repeat(32) + "\n"));
    assertFalse(Digests.isDigest("sha512:" + "0a".repeat(64)));
    assertFalse(Digests.isDigest(null));
  }
}
