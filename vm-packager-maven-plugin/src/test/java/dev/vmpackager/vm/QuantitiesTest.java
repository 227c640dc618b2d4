package dev.vmpackager.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Memory from a description becomes the quantity a person would write. */
class QuantitiesTest {

  @Test
  void largestBinaryUnitThatDividesExactly() {
    assertEquals("4Gi", Quantities.memory(4096L << 20));
    assertEquals("1536Mi", Quantities.memory(1536L << 20));
    assertEquals("1Ti", Quantities.memory(1L << 40));
    assertEquals("2048Ti", Quantities.memory(2048L << 40), "no unit above Ti");
    assertEquals("1000Ki", Quantities.memory(1000L << 10));
    assertEquals("1073741825", Quantities.memory((1L << 30) + 1), "not a whole KiB: bytes");
    assertThrows(IllegalArgumentException.class, () -> Quantities.memory(0));
  }

  @Test
  void pomQuantities() {
    assertTrue(Quantities.isMemory("2Gi"));
    assertTrue(Quantities.isMemory("1.5G"));
    assertFalse(Quantities.isMemory("2 GiB"));
    assertFalse(Quantities.isMemory("0Gi"));
    assertFalse(Quantities.isMemory("lots"));
  }

  /** As Kubernetes' resource.NewQuantity(n, BinarySI).String() writes a disk size (io.kubevirt.disk.size). */
  @Test
  void diskSizesAsKubernetesWritesThem() {
    assertEquals("10Gi", Quantities.bytes(10L << 30));
    assertEquals("1536Mi", Quantities.bytes(1536L << 20));
    assertEquals("24579Ki", Quantities.bytes((24L << 20) + 3 * 1024));
    assertEquals("6291968", Quantities.bytes((6L << 20) + 512), "no whole KiB: plain bytes");
    assertEquals("512", Quantities.bytes(512));
    assertEquals("2Pi", Quantities.bytes(2L << 50), "beyond Ti, unlike memory()");
    assertEquals("1Ei", Quantities.bytes(1L << 60));
    assertThrows(IllegalArgumentException.class, () -> Quantities.bytes(0));
  }
}
