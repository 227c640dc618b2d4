package dev.vmpackager.publish;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A compact JSON writer that produces the bytes Go's {@code encoding/json.Marshal} produces (Helm
 * and oras-go marshal the chart metadata and the manifest with it), so a pushed chart's config and
 * manifest are byte-for-byte what {@code helm push} writes: no whitespace, {@code <>&} and
 * U+2028/U+2029 escaped as {@code \u003c}..., map keys sorted by their UTF-8 bytes.
 */
final class GoJson {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final StringBuilder out = new StringBuilder();
  private final List<Boolean> first = new ArrayList<>();
  private boolean pendingValue;

  GoJson beginObject() {
    separator();
    out.append('{');
    first.add(true);
    return this;
  }

  GoJson endObject() {
    first.remove(first.size() - 1);
    out.append('}');
    return this;
  }

  GoJson beginArray() {
    separator();
    out.append('[');
    first.add(true);
    return this;
  }

  GoJson endArray() {
    first.remove(first.size() - 1);
    out.append(']');
    return this;
  }

  /** Writes a member name; the value written next belongs to it. */
  GoJson name(String name) {
    separator();
    string(name);
    out.append(':');
    // The value that follows must not write another separator.
    pendingValue = true;
    return this;
  }

  GoJson value(String s) {
    separator();
    string(s);
    return this;
  }

  GoJson value(long n) {
    separator();
    out.append(n);
    return this;
  }

  GoJson value(boolean b) {
    separator();
    out.append(b);
    return this;
  }

  /** Writes a string member only when it is not empty, as Go's {@code omitempty} does. */
  GoJson optional(String name, String s) {
    if (s != null && !s.isEmpty()) {
      name(name).value(s);
    }
    return this;
  }

  /** Writes a string array member only when it is not empty. */
  GoJson optional(String name, List<String> list) {
    if (list != null && !list.isEmpty()) {
      name(name).beginArray();
      list.forEach(this::value);
      endArray();
    }
    return this;
  }

  /** Writes a {@code map[string]string} member only when it is not empty, keys sorted as Go sorts them. */
  GoJson optional(String name, Map<String, String> map) {
    if (map != null && !map.isEmpty()) {
      name(name);
      stringMap(map);
    }
    return this;
  }

  /** Writes a {@code map[string]string} value, keys sorted by their UTF-8 bytes. */
  GoJson stringMap(Map<String, String> map) {
    beginObject();
    List<String> keys = new ArrayList<>(map.keySet());
    keys.sort(GoJson::compareUtf8);
    for (String k : keys) {
      name(k).value(map.get(k));
    }
    return endObject();
  }

  /**
   * Writes a value decoded from YAML: a String, a List or a Map (keys sorted as Go sorts
   * {@code map[string]interface{}} keys).
   */
  @SuppressWarnings("unchecked")
  GoJson any(Object o) {
    if (o == null) {
      separator();
      out.append("null");
    } else if (o instanceof String s) {
      value(s);
    } else if (o instanceof Boolean b) {
      value(b.booleanValue());
    } else if (o instanceof List<?> list) {
      beginArray();
      list.forEach(this::any);
      endArray();
    } else if (o instanceof Map<?, ?> map) {
      beginObject();
      List<String> keys = new ArrayList<>((java.util.Set<String>) map.keySet());
      keys.sort(GoJson::compareUtf8);
      for (String k : keys) {
        name(k).any(map.get(k));
      }
      endObject();
    } else {
      value(o.toString());
    }
    return this;
  }

  private void separator() {
    if (pendingValue) {
      pendingValue = false;
      return;
    }
    if (!first.isEmpty()) {
      int top = first.size() - 1;
      if (first.get(top)) {
        first.set(top, false);
      } else {
        out.append(',');
      }
    }
  }

  private void string(String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '<', '>', '&', '\u2028', '\u2029' -> unicode(c);
        default -> {
          if (c < 0x20) {
            unicode(c);
          } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
            out.append(c).append(s.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            out.append("\\ufffd"); // Go writes invalid UTF-8 as U+FFFD
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private void unicode(char c) {
    out.append("\\u").append(HEX[(c >> 12) & 0xF]).append(HEX[(c >> 8) & 0xF])
        .append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
  }

  static int compareUtf8(String a, String b) {
    return java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return out.toString();
  }

  byte[] toBytes() {
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }
}
