package dev.vmpackager.disk.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.io.DiskFullException;
import dev.vmpackager.testing.TinyTmpfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A conversion whose output does not fit its (3 MiB tmpfs) disk ends in a clear error and leaves nothing. */
class DiskConverterFullDiskTest {

  @TempDir static Path shared;
  static TinyTmpfs tmpfs;
  static Path source;
  static byte[] sourceSha;

  @BeforeAll
  static void setUp() throws Exception {
    source = TinyTmpfs.randomFile(shared.resolve("source.raw"), 16L << 20, 5);
    sourceSha = sha(source);
    tmpfs = TinyTmpfs.mount("converter", "3m");
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (tmpfs != null) {
      tmpfs.close();
    }
  }

  @ParameterizedTest
  @CsvSource({"QCOW2, JAVA", "RAW, JAVA", "QCOW2, QEMU_IMG", "RAW, QEMU_IMG"})
  void fullDiskNamesTheOutputAndLeavesNothing(DiskFormat format, ConversionRequest.Engine engine) throws Exception {
    Path out = tmpfs.dir().resolve("vm." + format.id());
    ConversionRequest req = ConversionRequest.builder().source(source).output(out).outputFormat(format)
        .engine(engine).build();
    DiskFullException e = assertThrows(DiskFullException.class, () -> new DiskConverter().convert(req));
    assertTrue(e.getMessage().startsWith(out + ": the disk is full (No space left on device)"), e.getMessage());
    assertEquals(out.toString(), e.getFile());
    assertEquals(List.of(), tmpfs.names(), "no temp, partial output or state file left");
    assertArrayEquals(sourceSha, sha(source), "the source is unchanged");
  }

  static byte[] sha(Path f) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f));
  }
}
