package dev.vmpackager.vm.ovf;

import java.math.BigInteger;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Allocation units as OVFs write them: DSP0004 programmatic units ({@code byte * 2^20},
 * {@code byte * 10^9}, {@code byte * 1024}) and the words older tools write ({@code MegaBytes},
 * {@code MB}, {@code GigaBytes}, ...), the words binary as VirtualBox's reader and OVF 0.9 take them.
 */
final class OvfUnits {

  private static final Pattern FACTOR = Pattern.compile("\\s*\\*\\s*(?:(\\d{1,4})\\s*\\^\\s*(\\d{1,3})|(\\d{1,19}))");

  private OvfUnits() {}

  /**
   * @param units an {@code AllocationUnits} or {@code ovf:capacityAllocationUnits} value
   * @return bytes per unit; empty when the units are not ones we know (empty text is bytes)
   */
  static Optional<BigInteger> bytesPerUnit(String units) {
    String u = units.strip().toLowerCase(Locale.ROOT);
    switch (u) {
      case "", "byte", "bytes" -> {
        return Optional.of(BigInteger.ONE);
      }
      case "kilobytes", "kb", "kib" -> {
        return Optional.of(BigInteger.ONE.shiftLeft(10));
      }
      case "megabytes", "mb", "mib" -> {
        return Optional.of(BigInteger.ONE.shiftLeft(20));
      }
      case "gigabytes", "gb", "gib" -> {
        return Optional.of(BigInteger.ONE.shiftLeft(30));
      }
      case "terabytes", "tb", "tib" -> {
        return Optional.of(BigInteger.ONE.shiftLeft(40));
      }
      default -> {
        // DSP0004: "byte" followed by factors "* N" or "* B^E".
      }
    }
    if (!u.startsWith("byte")) {
      return Optional.empty();
    }
    BigInteger v = BigInteger.ONE;
    Matcher m = FACTOR.matcher(u);
    int at = u.startsWith("bytes") ? 5 : 4;
    while (at < u.length()) {
      m.region(at, u.length());
      if (!m.lookingAt()) {
        return Optional.empty();
      }
      if (m.group(3) != null) {
        v = v.multiply(new BigInteger(m.group(3)));
      } else {
        int exp = Integer.parseInt(m.group(2));
        if (exp > 80) {
          return Optional.empty();
        }
        v = v.multiply(new BigInteger(m.group(1)).pow(exp));
      }
      at = m.end();
      if (v.bitLength() > 200) {
        return Optional.of(v); // already more bytes than anything holds: stop multiplying a hostile chain
      }
    }
    return v.signum() > 0 ? Optional.of(v) : Optional.empty();
  }
}
