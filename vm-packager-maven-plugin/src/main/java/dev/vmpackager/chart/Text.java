package dev.vmpackager.chart;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Deterministic YAML and JSON text for the chart's files. Strings are always double-quoted with
 * JSON escapes (valid YAML 1.1 and 1.2, so Helm's YAML reader never turns {@code no}, {@code 1e3}
 * or {@code 0811} into a bool or number); maps keep their insertion order.
 */
final class Text {

  private Text() {}

  /** @return {@code s} as a double-quoted YAML/JSON string */
  static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        case '\r' -> b.append("\\r");
        default -> {
          if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == '\u2028' || c == '\u2029' || c == '\uFEFF') {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  /** @return a map key: plain when it is a simple identifier YAML cannot misread, else quoted */
  static String key(String k) {
    if (k.matches("^[A-Za-z_][A-Za-z0-9_-]*$")
        && !k.toLowerCase(Locale.ROOT).matches("^(y|n|yes|no|on|off|true|false|null)$")) {
      return k;
    }
    return quote(k);
  }

  /** @return a scalar: quoted string, number, boolean or null */
  static String scalar(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof String s) {
      return quote(s);
    }
    if (v instanceof Number || v instanceof Boolean) {
      return v.toString();
    }
    throw new IllegalArgumentException("not a scalar: " + v.getClass());
  }

  /** Writes {@code value} as pretty JSON (two-space indent, insertion order). */
  static void json(StringBuilder out, Object value, int indent) {
    if (value instanceof Map<?, ?> m) {
      if (m.isEmpty()) {
        out.append("{}");
        return;
      }
      out.append("{\n");
      int i = 0;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        out.append("  ".repeat(indent + 1)).append(quote(e.getKey().toString())).append(": ");
        json(out, e.getValue(), indent + 1);
        out.append(++i < m.size() ? ",\n" : "\n");
      }
      out.append("  ".repeat(indent)).append('}');
    } else if (value instanceof List<?> l) {
      if (l.isEmpty()) {
        out.append("[]");
        return;
      }
      out.append("[\n");
      for (int i = 0; i < l.size(); i++) {
        out.append("  ".repeat(indent + 1));
        json(out, l.get(i), indent + 1);
        out.append(i + 1 < l.size() ? ",\n" : "\n");
      }
      out.append("  ".repeat(indent)).append(']');
    } else {
      out.append(scalar(value));
    }
  }

  /**
   * Writes a YAML block mapping; {@code comments} maps a dotted key path to the comment written
   * above that key.
   */
  static void yaml(StringBuilder out, Map<?, ?> map, int indent, String path, Map<String, String> comments) {
    String pad = "  ".repeat(indent);
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String k = e.getKey().toString();
      String p = path.isEmpty() ? k : path + "." + k;
      String comment = comments.get(p);
      if (comment != null) {
        if (indent == 0 && out.length() > 0) {
          out.append('\n');
        }
        for (String line : comment.split("\n")) {
          out.append(pad).append(line.isEmpty() ? "#" : "# " + line).append('\n');
        }
      }
      out.append(pad).append(key(k)).append(':');
      yamlValue(out, e.getValue(), indent, p, comments);
    }
  }

  private static void yamlValue(StringBuilder out, Object v, int indent, String path, Map<String, String> comments) {
    if (v instanceof Map<?, ?> m) {
      if (m.isEmpty()) {
        out.append(" {}\n");
      } else {
        out.append('\n');
        yaml(out, m, indent + 1, path, comments);
      }
    } else if (v instanceof List<?> l) {
      if (l.isEmpty()) {
        out.append(" []\n");
        return;
      }
      out.append('\n');
      String pad = "  ".repeat(indent + 1);
      for (Object item : l) {
        if (item instanceof Map<?, ?> m && !m.isEmpty()) {
          // "- " then the first key on the same line, the rest aligned under it
          StringBuilder inner = new StringBuilder();
          yaml(inner, m, indent + 2, path + "[]", comments);
          String text = inner.toString();
          out.append(pad).append("- ").append(text.substring(pad.length() + 2));
        } else if (item instanceof List<?> || item instanceof Map<?, ?>) {
          out.append(pad).append("-");
          yamlValue(out, item, indent + 1, path + "[]", comments);
        } else {
          out.append(pad).append("- ").append(scalar(item)).append('\n');
        }
      }
    } else {
      out.append(' ').append(scalar(v)).append('\n');
    }
  }
}
