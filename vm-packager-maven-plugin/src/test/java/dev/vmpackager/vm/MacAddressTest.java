package dev.vmpackager.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** MAC addresses in the forms OVF, Windows and VirtualBox write them. */
class MacAddressTest {

  @Test
  void formsDescriptionsWrite() {
    assertEquals(Optional.of("00:50:56:aa:bb:cc"), MacAddress.normalize("00:50:56:AA:BB:CC"));
    assertEquals(Optional.of("00:50:56:aa:bb:cc"), MacAddress.normalize(" 00-50-56-aa-bb-cc "));
    assertEquals(Optional.of("08:00:27:c0:8e:7c"), MacAddress.normalize("080027C08E7C"));
  }

  @Test
  void malformedMixedOrMulticastAreNone() {
    assertEquals(Optional.empty(), MacAddress.normalize("00:50:56:aa:bb"));
    assertEquals(Optional.empty(), MacAddress.normalize("00:50-56:aa:bb:cc"));
    assertEquals(Optional.empty(), MacAddress.normalize("0050.56aa.bbcc"));
    assertEquals(Optional.empty(), MacAddress.normalize("00:50:56:aa:bb:cg"));
    assertEquals(Optional.empty(), MacAddress.normalize("01:00:5e:00:00:01"));
    assertEquals(Optional.empty(), MacAddress.normalize(""));
  }
}
