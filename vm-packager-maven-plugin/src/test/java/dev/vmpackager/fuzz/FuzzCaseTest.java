package dev.vmpackager.fuzz;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.disk.CorruptImageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The fuzz harness's checks fail when they should: a harness that cannot fail proves nothing. */
class FuzzCaseTest {

  private final FuzzCase fc = FuzzCase.get();

  @Test
  void anOpenOutsideTheCaseFolderIsAFinding() throws IOException {
    Path inCase = fc.write("x.vmdk", new byte[] {1});
    fc.check(() -> Files.readAllBytes(inCase.resolveSibling("flat.vmdk")));
    AssertionError parent = assertThrows(AssertionError.class,
        () -> fc.check(() -> Files.readAllBytes(inCase.resolveSibling("../outside-flat.vmdk")), FuzzCase.DISK));
    assertTrue(parent.getMessage().contains("outside-flat.vmdk"), parent.getMessage());
    assertThrows(AssertionError.class,
        () -> fc.check(() -> Files.newByteChannel(inCase.getParent().resolveSibling("sibling/outside-flat.vmdk"))
            .close()));
    // Even when the reader then fails with its own exception, the open counts.
    assertThrows(AssertionError.class, () -> fc.check(() -> {
      Files.readAllBytes(inCase.getParent().getParent().resolve("outside-tiny.raw"));
      throw new CorruptImageException("x");
    }, FuzzCase.DISK));
  }

  @Test
  void onlyTheProjectsOwnExceptionsMayEscape() {
    fc.check(() -> {
      throw new CorruptImageException("disk.qcow2: corrupt");
    }, FuzzCase.DISK);
    assertThrows(IllegalArgumentException.class, () -> fc.check(() -> {
      throw new IllegalArgumentException("bad");
    }, FuzzCase.DISK));
    assertThrows(AssertionError.class, () -> fc.check(() -> {
      throw new IOException("plain");
    }, FuzzCase.DISK));
    assertThrows(StackOverflowError.class, () -> fc.check(() -> {
      throw new StackOverflowError();
    }, FuzzCase.DISK));
  }

  @Test
  void sparseInputsDecodeToTheirSegments() {
    byte[] in = {0, 0, 0, 0, 2, 0, 3, 7, 8, 9, 0, 0, 0, 8, 0, 0};
    SparseInput.Layout l = SparseInput.decode(in);
    assertTrue(l.size() == 8 * 512 && l.read(1024, 3)[2] == 9, "segment at sector 2, size from the 0-length record");
  }
}
