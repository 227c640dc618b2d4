package dev.vmpackager.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vmpackager.vm.VmDescriptions;
import java.util.Optional;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzz tests of the VM description readers, through {@link VmDescriptions#read} as the
 * plugin calls it. The case folder holds disks under the names the seed descriptions give them, so
 * the readers get past the disk lookups to the rest. Properties as in {@link DiskFuzzTest}: only the
 * project's own {@code VmDescriptionException} / {@code DiskImageException} escape, nothing outside the
 * case folder is opened, and each input finishes within the time limit.
 */
class VmDescriptionFuzzTest {

  private static void read(String name, byte[] data) {
    FuzzCase fc = FuzzCase.get();
    fc.check(() -> VmDescriptions.read(fc.write(name, data), Optional.empty()), FuzzCase.VM, FuzzCase.DISK);
  }

  /** OVF 1.x/2.x descriptors: sections, references, deployment options, units. */
  @FuzzTest
  @Timeout(value = DiskFuzzTest.PER_INPUT_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void ovf(byte[] data) {
    read("vm.ovf", data);
  }

  /** libvirt domain XML. */
  @FuzzTest
  @Timeout(value = DiskFuzzTest.PER_INPUT_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void libvirt(byte[] data) {
    read("vm.xml", data);
  }

  /** VMware .vmx key/value files. */
  @FuzzTest
  @Timeout(value = DiskFuzzTest.PER_INPUT_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void vmx(byte[] data) {
    read("vm.vmx", data);
  }

  /** VirtualBox .vbox XML. */
  @FuzzTest
  @Timeout(value = DiskFuzzTest.PER_INPUT_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void vbox(byte[] data) {
    read("vm.vbox", data);
  }
}
