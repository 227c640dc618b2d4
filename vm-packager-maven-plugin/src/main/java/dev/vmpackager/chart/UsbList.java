package dev.vmpackager.chart;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The Virtualization package's {@code usbList} string and the host devices a VM asks for.
 *
 * <p>{@code usbList} is {@code <resource>;<vendor>;<product>} tuples split by {@code ,}, e.g.
 * {@code kubevirt.io/wifi-dongle;0bda;0811,kubevirt.io/gsm-dongle;0bda;2838}. KubeVirt parses the
 * ids with {@code strconv.ParseInt(s, 16, 32)}, so a {@code 0x} prefix would break the cluster's
 * device plugin: it is refused here, at build time.
 */
public final class UsbList {

  /** The POM parameter, for messages. */
  static final String PARAMETER = "<usbList> (vm.usbList)";

  private static final String FORM =
      "tuples split by ',' each '<resource name>;<vendor id>;<product id>' with a domain-prefixed"
          + " resource name and ids of exactly 4 hex digits without 0x and no spaces,"
          + " e.g. kubevirt.io/wifi-dongle;0bda;0811,kubevirt.io/gsm-dongle;0bda;2838";

  /** A Kubernetes extended resource name: DNS subdomain prefix, '/', qualified name (max 63). */
  private static final Pattern RESOURCE = Pattern.compile(
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
          + "/[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$");

  private static final Pattern HEX4 = Pattern.compile("^[0-9a-fA-F]{4}$");

  /** A DNS-1123 label, the form of a host device's name. */
  private static final Pattern LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$");

  private UsbList() {}

  /**
   * @param text the {@code usbList} string; {@code null} or empty for none
   * @return the tuples in order, ids in lower case
   * @throws ChartConfigException naming {@code usbList} and the allowed form when a tuple is malformed
   *     or a resource appears twice
   */
  public static List<UsbResource> parse(String text) throws ChartConfigException {
    List<UsbResource> out = new ArrayList<>();
    if (text == null || text.isEmpty()) {
      return out;
    }
    if (text.chars().anyMatch(Character::isWhitespace)) {
      throw bad("'" + text + "' contains whitespace");
    }
    Set<String> seen = new HashSet<>();
    for (String tuple : text.split(",", -1)) {
      if (tuple.isEmpty()) {
        throw bad("'" + text + "' has an empty tuple (a doubled, leading or trailing ',')");
      }
      String[] parts = tuple.split(";", -1);
      if (parts.length != 3) {
        throw bad("tuple '" + tuple + "' has " + parts.length + " field(s), not 3");
      }
      String resource = parts[0];
      if (!RESOURCE.matcher(resource).matches()) {
        throw bad("'" + resource + "' in tuple '" + tuple
            + "' is not a Kubernetes extended resource name such as kubevirt.io/wifi-dongle");
      }
      for (int i = 1; i <= 2; i++) {
        if (!HEX4.matcher(parts[i]).matches()) {
          throw bad("the " + (i == 1 ? "vendor" : "product") + " id '" + parts[i] + "' in tuple '"
              + tuple + "' is not exactly 4 hex digits without 0x");
        }
      }
      if (!seen.add(resource)) {
        throw bad("resource '" + resource + "' is declared twice; give each resource one tuple");
      }
      out.add(new UsbResource(resource, parts[1].toLowerCase(Locale.ROOT), parts[2].toLowerCase(Locale.ROOT)));
    }
    return out;
  }

  /**
   * @param resources parsed tuples
   * @return the {@code usbList} string for them
   */
  public static String format(List<UsbResource> resources) {
    return String.join(",", resources.stream().map(UsbResource::toString).toList());
  }

  /**
   * Expands the requested devices into host device entries with unique, readable names: a
   * resource asked for once gets its short name ({@code gsm-dongle}), one asked for several times
   * gets numbered names ({@code wifi-dongle-1}, {@code wifi-dongle-2}...).
   *
   * @param requests the {@code <usbDevices>} entries in order
   * @param declared the {@code usbList} tuples
   * @return the host devices in request order
   * @throws ChartConfigException when a resource is not in {@code usbList}, a count is below 1, a
   *     name is not a DNS label, or two devices end up with the same name
   */
  public static List<HostDevice> hostDevices(List<UsbDeviceRequest> requests, List<UsbResource> declared)
      throws ChartConfigException {
    Map<String, UsbResource> byName = new LinkedHashMap<>();
    declared.forEach(r -> byName.put(r.resourceName(), r));
    Map<String, Integer> unnamed = new LinkedHashMap<>();
    for (UsbDeviceRequest r : requests) {
      if (r.resource() == null || r.resource().isBlank()) {
        throw new ChartConfigException("<usbDevices>",
            "<usbDevices><device> needs a <resource>, one of the usbList resources " + byName.keySet());
      }
      if (!byName.containsKey(r.resource())) {
        throw new ChartConfigException("<usbDevices>", "<usbDevices> asks for resource '" + r.resource()
            + "' which <usbList> (vm.usbList) does not declare"
            + (byName.isEmpty() ? " (usbList is empty)" : "; declared: " + String.join(", ", byName.keySet()))
            + ". Add a tuple '" + r.resource() + ";<vendor id>;<product id>' to usbList");
      }
      if (r.count() < 1) {
        throw new ChartConfigException("<usbDevices>", "<usbDevices><device><count> for '" + r.resource()
            + "' is " + r.count() + "; it must be 1 or more");
      }
      boolean named = r.name() != null && !r.name().isBlank();
      if (named && r.count() != 1) {
        throw new ChartConfigException("<usbDevices>", "<usbDevices><device> for '" + r.resource()
            + "' has both <name> '" + r.name() + "' and <count> " + r.count()
            + "; an explicit name is for one device, drop the name to get numbered names");
      }
      if (!named) {
        unnamed.merge(r.resource(), r.count(), Integer::sum);
      }
    }
    Map<String, Integer> next = new LinkedHashMap<>();
    Set<String> names = new HashSet<>();
    List<HostDevice> out = new ArrayList<>();
    for (UsbDeviceRequest r : requests) {
      boolean named = r.name() != null && !r.name().isBlank();
      if (named) {
        String name = r.name().trim();
        if (!LABEL.matcher(name).matches()) {
          throw new ChartConfigException("<usbDevices>", "<usbDevices><device><name> '" + name
              + "' must be lower-case letters, digits and '-' (a DNS label), e.g. wifi-dongle-1");
        }
        add(out, names, name, r.resource());
        continue;
      }
      String base = readable(byName.get(r.resource()).shortName());
      int total = unnamed.get(r.resource());
      for (int i = 0; i < r.count(); i++) {
        String name = total == 1 ? base : base + "-" + next.merge(r.resource(), 1, Integer::sum);
        add(out, names, name, r.resource());
      }
    }
    return out;
  }

  private static void add(List<HostDevice> out, Set<String> names, String name, String resource)
      throws ChartConfigException {
    if (!names.add(name)) {
      throw new ChartConfigException("<usbDevices>", "<usbDevices> gives two devices the name '" + name
          + "'; host device names must be unique, change or drop the explicit <name>");
    }
    out.add(new HostDevice(name, resource));
  }

  /** Lower-cases a resource's short name and maps what a DNS label cannot hold to '-'. */
  private static String readable(String shortName) {
    String s = shortName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    s = s.replaceAll("^-+|-+$", "");
    if (s.length() > 56) { // room for "-NNNNNN"
      s = s.substring(0, 56).replaceAll("-+$", "");
    }
    return s.isEmpty() ? "usb" : s;
  }

  private static ChartConfigException bad(String what) {
    return new ChartConfigException(PARAMETER, PARAMETER + " is malformed: " + what + ". Allowed form: " + FORM);
  }
}
