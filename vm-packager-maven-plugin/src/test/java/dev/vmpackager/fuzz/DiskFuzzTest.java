package dev.vmpackager.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vmpackager.vm.VmDescriptions;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzz tests of the disk readers: each target writes the fuzzed bytes as a file in a
 * fresh case folder, opens it through {@link dev.vmpackager.disk.DiskImages#open} (content detection
 * and the name check, as the plugin does) and walks the whole disk as the converter does
 * ({@link DiskWalk}). {@link FuzzCase#check} asserts the properties: only the project's own
 * {@code DiskImageException}s escape, nothing is opened outside the case folder, and
 * {@link Timeout} is the per-input time limit (jazzer's {@code -timeout} when fuzzing).
 *
 * <p>Under {@code mvn test} these run in regression mode over the seed and crash inputs in
 * {@code src/test/resources/dev/vmpackager/fuzz/DiskFuzzTestInputs/<method>/}; to fuzz, see
 * {@code src/test/fuzz/run-campaign.sh}.
 */
class DiskFuzzTest {

  /**
   * Seconds per input: real inputs take milliseconds; a loop in a table must end in an error instead.
   * Jazzer passes it to libFuzzer as {@code -timeout} when fuzzing; in regression mode JUnit enforces
   * it per input, in a separate thread so that a hanging input fails the build instead of hanging it.
   */
  static final int PER_INPUT_SECONDS = 10;

  private static void disk(String name, byte[] data) {
    FuzzCase fc = FuzzCase.get();
    fc.check(() -> DiskWalk.openAndWalk(fc, fc.write(name, data), null, ""), FuzzCase.DISK);
  }

  private static void sparse(String name, SparseInput.Layout layout) {
    FuzzCase fc = FuzzCase.get();
    fc.check(() -> DiskWalk.openAndWalk(fc, fc.writeSparse(name, layout), null, ""), FuzzCase.DISK);
  }

  /** qcow2 v2/v3: header extensions, L1/L2 incl. extended L2 (subclusters), compressed clusters, snapshots, backing files. */
  @FuzzTest
  @Timeout(value = PER_INPUT_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void qcow2(byte[] data) {
    disk("disk.qcow2", data);
  }

  /** VMDK binary extents: monolithicSparse (KDMV, grain directory/tables) and streamOptimized (markers, deflate grains). */
  @FuzzTest
  @Timeout(value = PER_INPUT_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void vmdk(byte[] data) {
    disk("disk.vmdk", data);
  }

  /**
   * VMDK text descriptors: extent lines (FLAT, SPARSE, ZERO, VMFS...) naming the companion extents in
   * the case folder, parentFileNameHint chains, and names that try to leave the folder.
   */
  @FuzzTest
  @Timeout(value = PER_INPUT_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void vmdkDescriptor(byte[] data) {
    disk("disk.vmdk", data);
  }

  /** VDI (VirtualBox): header, block map; the input is a {@link SparseInput}. */
  @FuzzTest
  @Timeout(value = PER_INPUT_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void vdi(byte[] data) {
    sparse("disk.vdi", SparseInput.decode(data));
  }

  /** VHD (vpc): footer, dynamic header, BAT, sector bitmaps; a {@link SparseInput} with checksums fixed. */
  @FuzzTest
  @Timeout(value = PER_INPUT_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void vhd(byte[] data) {
    sparse("disk.vhd", SparseInput.fixVhd(SparseInput.decode(data)));
  }

  /** VHDX: headers, region table, metadata, BAT, log replay; a {@link SparseInput} with CRC-32Cs fixed. */
  @FuzzTest
  @Timeout(value = PER_INPUT_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void vhdx(byte[] data) {
    sparse("disk.vhdx", SparseInput.fixVhdx(SparseInput.decode(data)));
  }

  /** QED: header, L1/L2 tables, backing file name. */
  @FuzzTest
  @Timeout(value = PER_INPUT_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void qed(byte[] data) {
    disk("disk.qed", data);
  }

  /**
   * OVA: the tar index, the manifest, the OVF descriptor, the disk entry (plain, chunked or gzip)
   * walked as a disk, and the same archive read as a VM description. Tar header checksums are fixed
   * for even-length inputs ({@link SparseInput#fixTar}).
   */
  @FuzzTest
  @Timeout(value = PER_INPUT_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void ova(byte[] data) {
    FuzzCase fc = FuzzCase.get();
    byte[] tar = SparseInput.fixTar(data);
    fc.check(() -> DiskWalk.openAndWalk(fc, fc.write("vm.ova", tar), null, ""), FuzzCase.DISK);
    fc.check(() -> {
      Path f = fc.write("vm.ova", tar);
      VmDescriptions.read(f, Optional.empty());
    }, FuzzCase.VM, FuzzCase.DISK);
  }
}
