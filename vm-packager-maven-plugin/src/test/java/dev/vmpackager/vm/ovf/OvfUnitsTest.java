package dev.vmpackager.vm.ovf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Allocation units as VMware, VirtualBox, Forklift's and DSP0004's examples write them. */
class OvfUnitsTest {

  static Optional<BigInteger> shift(int bits) {
    return Optional.of(BigInteger.ONE.shiftLeft(bits));
  }

  @Test
  void unitsRealOvfsUse() {
    assertEquals(shift(0), OvfUnits.bytesPerUnit(""));
    assertEquals(shift(0), OvfUnits.bytesPerUnit("byte"));
    assertEquals(shift(20), OvfUnits.bytesPerUnit("byte * 2^20"));
    assertEquals(shift(30), OvfUnits.bytesPerUnit("byte*2^30"));
    assertEquals(shift(20), OvfUnits.bytesPerUnit("MegaBytes"));
    assertEquals(shift(20), OvfUnits.bytesPerUnit("MB"));
    assertEquals(shift(30), OvfUnits.bytesPerUnit("GigaBytes"));
    assertEquals(shift(30), OvfUnits.bytesPerUnit("GB"));
    assertEquals(Optional.of(BigInteger.valueOf(1_000_000_000L)), OvfUnits.bytesPerUnit("byte * 10^9"));
    assertEquals(shift(10), OvfUnits.bytesPerUnit("byte * 1024"));
    assertEquals(shift(20), OvfUnits.bytesPerUnit("bytes * 2^20"));
    assertEquals(Optional.of(BigInteger.valueOf(1024L * 1_000_000)), OvfUnits.bytesPerUnit("byte * 1024 * 10^6"));
  }

  @Test
  void otherUnitsAreUnknown() {
    assertEquals(Optional.empty(), OvfUnits.bytesPerUnit("hertz * 10^6"));
    assertEquals(Optional.empty(), OvfUnits.bytesPerUnit("byte * 2^"));
    assertEquals(Optional.empty(), OvfUnits.bytesPerUnit("byte * 0"));
    assertEquals(Optional.empty(), OvfUnits.bytesPerUnit("byte * 2^999"));
    assertEquals(Optional.empty(), OvfUnits.bytesPerUnit("bytes * 2^20 please"));
  }
}
