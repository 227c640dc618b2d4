package dev.vmpackager.vm;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** MAC addresses as descriptions write them, in the one form the model keeps. */
public final class MacAddress {

  private static final Pattern SEPARATED = Pattern.compile("\\p{XDigit}{2}([:-])\\p{XDigit}{2}(\\1\\p{XDigit}{2}){4}");
  private static final Pattern BARE = Pattern.compile("\\p{XDigit}{12}");

  private MacAddress() {}

  /**
   * @param written a MAC address as OVF ({@code 00:50:56:aa:bb:cc}), Windows
   *     ({@code 00-50-56-AA-BB-CC}) or VirtualBox ({@code 080027C08E7C}) write it
   * @return lower case with colons, e.g. {@code 08:00:27:c0:8e:7c}; empty when the text is none of
   *     these forms, or names a multicast address (no NIC has one)
   */
  public static Optional<String> normalize(String written) {
    String s = written.strip();
    String hex;
    if (SEPARATED.matcher(s).matches()) {
      hex = s.replace(":", "").replace("-", "");
    } else if (BARE.matcher(s).matches()) {
      hex = s;
    } else {
      return Optional.empty();
    }
    hex = hex.toLowerCase(Locale.ROOT);
    if ((Character.digit(hex.charAt(1), 16) & 1) != 0) {
      return Optional.empty();
    }
    StringBuilder b = new StringBuilder(17);
    for (int i = 0; i < 12; i += 2) {
      if (i > 0) {
        b.append(':');
      }
      b.append(hex, i, i + 2);
    }
    return Optional.of(b.toString());
  }
}
