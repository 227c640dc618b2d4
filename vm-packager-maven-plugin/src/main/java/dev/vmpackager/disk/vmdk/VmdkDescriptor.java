package dev.vmpackager.disk.vmdk;

import dev.vmpackager.disk.CorruptImageException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed VMDK text descriptor: its {@code key=value} settings and its extent lines.
 *
 * @param settings the settings, keys as written, values unquoted
 * @param extents the extent lines in order
 */
record VmdkDescriptor(Map<String, String> settings, List<ExtentLine> extents) {

  /** The "no parent" content ID. */
  static final String NO_PARENT = "ffffffff";

  /**
   * One extent line: {@code RW 4194304 SPARSE "disk-s001.vmdk"} or {@code RW 2048 FLAT "f.vmdk" 0}.
   *
   * @param access RW, RDONLY or NOACCESS
   * @param sectors the extent's size in 512-byte sectors
   * @param type FLAT, SPARSE, ZERO, VMFS, VMFSSPARSE, ...
   * @param fileName the extent file, null for ZERO extents
   * @param offset the start sector in a flat file (0 when absent)
   * @param lineNumber where it stands in the descriptor, for messages
   */
  record ExtentLine(String access, long sectors, String type, String fileName, long offset, int lineNumber) {}

  private static final Pattern EXTENT = Pattern.compile(
      "^(RW|RDONLY|NOACCESS)\\s+(\\d{1,19})\\s+([A-Za-z]+)(?:\\s+\"([^\"]*)\"(?:\\s+(\\d{1,19}))?)?\\s*$");
  private static final Pattern ACCESS = Pattern.compile("^(RW|RDONLY|NOACCESS)\\b.*");

  /**
   * @param text the descriptor text
   * @param name the file it came from, for messages
   */
  static VmdkDescriptor parse(String text, String name) throws CorruptImageException {
    return parse(text, name, true);
  }

  /**
   * @param text the descriptor text
   * @param name the file it came from, for messages
   * @param strict whether a malformed extent line is an error; descriptors embedded in a sparse
   *     extent are read for their settings only (qemu ignores their extent lines too)
   */
  static VmdkDescriptor parse(String text, String name, boolean strict) throws CorruptImageException {
    Map<String, String> settings = new HashMap<>();
    List<ExtentLine> extents = new ArrayList<>();
    String[] lines = text.split("\r\n|\n|\r", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Matcher m = EXTENT.matcher(line);
      if (m.matches()) {
        long sectors;
        long offset;
        try {
          sectors = parseLong(m.group(2), name, i + 1);
          offset = m.group(5) == null ? 0 : parseLong(m.group(5), name, i + 1);
        } catch (CorruptImageException e) {
          if (strict) {
            throw e;
          }
          continue;
        }
        String type = m.group(3).toUpperCase(Locale.ROOT);
        if (m.group(4) == null && !type.equals("ZERO") && strict) {
          throw new CorruptImageException(name + ": descriptor line " + (i + 1) + " names no extent file: " + line);
        }
        extents.add(new ExtentLine(m.group(1), sectors, type, m.group(4), offset, i + 1));
      } else if (ACCESS.matcher(line).matches() && strict) {
        throw new CorruptImageException(name + ": descriptor line " + (i + 1) + " is not a valid extent line: " + line);
      } else {
        int eq = line.indexOf('=');
        if (eq > 0) {
          settings.put(line.substring(0, eq).strip(), unquote(line.substring(eq + 1).strip()));
        }
        // Other lines carry nothing a reader needs; VMware tools ignore them too.
      }
    }
    return new VmdkDescriptor(Map.copyOf(settings), List.copyOf(extents));
  }

  private static long parseLong(String digits, String name, int line) throws CorruptImageException {
    try {
      long v = Long.parseLong(digits);
      if (v > Long.MAX_VALUE / SparseHeader.SECTOR) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new CorruptImageException(name + ": descriptor line " + line + ": number out of range: " + digits);
    }
  }

  private static String unquote(String v) {
    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
      return v.substring(1, v.length() - 1);
    }
    return v;
  }

  /** @return the createType setting, or empty */
  String createType() {
    return settings.getOrDefault("createType", "");
  }

  /** @return true when the descriptor names a parent (a differencing disk) */
  boolean hasParent() {
    String parentCid = settings.get("parentCID");
    boolean cid = parentCid != null && !parentCid.equalsIgnoreCase(NO_PARENT);
    return cid || !settings.getOrDefault("parentFileNameHint", "").isBlank();
  }
}
