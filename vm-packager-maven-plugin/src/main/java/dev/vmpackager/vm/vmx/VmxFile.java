package dev.vmpackager.vm.vmx;

import dev.vmpackager.vm.VmDescriptionException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The keys of a {@code .vmx}, parsed as VMware writes them: one {@code key = "value"} a line,
 * {@code #} comments and blank lines, keys compared without case, {@code |XX} escaping a byte in
 * hex ({@code |22} is a quote), the text in the charset {@code .encoding} names (UTF-8 without it).
 *
 * <p>A key given twice with two values is an error: the readers that document their choice take
 * the first (libvirt's {@code virConfGetValue}, virt-v2v's {@code Parse_vmx}, which warns
 * "duplicate key ignored"), VMware documents none, and VMware itself never writes a key twice, so
 * such a file was edited by hand and the plugin cannot know which value the VM ran with. The same
 * key twice with one value is harmless and accepted.
 */
final class VmxFile {

  /** One key as written, with its value and line. */
  record Entry(String key, String value, int line) {}

  private static final Pattern ENCODING = Pattern.compile("(?m)^[ \\t]*\\.encoding[ \\t]*=[ \\t]*\"([^\"\\r\\n]*)\"");

  private final Path file;
  /** Lower-case key to entry, in the order keys first appear. */
  private final Map<String, Entry> entries;

  private VmxFile(Path file, Map<String, Entry> entries) {
    this.file = file;
    this.entries = entries;
  }

  /**
   * @param file the {@code .vmx}, for messages
   * @param bytes its contents
   * @return its keys
   * @throws VmDescriptionException naming the line or key when the bytes are not a {@code .vmx}
   */
  static VmxFile parse(Path file, byte[] bytes) throws VmDescriptionException {
    String head = new String(bytes, 0, Math.min(bytes.length, 64), StandardCharsets.ISO_8859_1);
    if (head.startsWith("KDMV") || head.startsWith("COWD") || head.startsWith("# Disk DescriptorFile")) {
      throw new VmDescriptionException(file, "file", "this is a VMDK disk, not a .vmx: the .vmx is the small text"
          + " file beside it that describes the VM");
    }
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == 0) {
        throw new VmDescriptionException(file, "byte " + i, "a .vmx is text, and this file holds binary data");
      }
    }
    Charset charset = charset(file, bytes);
    String text;
    try {
      text = charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new VmDescriptionException(file, ".encoding", "the text is not valid " + charset.name()
          + "; a .vmx in another encoding names it in its .encoding key", e);
    }
    if (text.startsWith("\ufeff")) {
      text = text.substring(1);
    }
    Map<String, Entry> entries = new LinkedHashMap<>();
    String[] lines = text.split("\n", -1);
    for (int n = 0; n < lines.length; n++) {
      Entry entry = parseLine(file, lines[n], n + 1);
      if (entry == null) {
        continue;
      }
      String lower = entry.key.toLowerCase(Locale.ROOT);
      Entry earlier = entries.putIfAbsent(lower, entry);
      if (earlier != null && !earlier.value.equals(entry.value)) {
        throw new VmDescriptionException(file, entry.key + " (line " + entry.line + ")", "the key is also set on line "
            + earlier.line + " to \"" + earlier.value + "\", here to \"" + entry.value + "\"; VMware writes each key"
            + " once and which one it used is not known: keep the line with the value the VM runs with");
      }
    }
    return new VmxFile(file, entries);
  }

  private static Charset charset(Path file, byte[] bytes) throws VmDescriptionException {
    Matcher m = ENCODING.matcher(new String(bytes, StandardCharsets.ISO_8859_1));
    if (!m.find()) {
      return StandardCharsets.UTF_8;
    }
    String name = m.group(1).strip();
    try {
      return Charset.forName(name);
    } catch (IllegalArgumentException e) {
      throw new VmDescriptionException(file, ".encoding", "'" + name + "' is not a character encoding Java knows"
          + " (VMware writes UTF-8 or windows-1252)", e);
    }
  }

  private static Entry parseLine(Path file, String raw, int line) throws VmDescriptionException {
    String t = raw.strip();
    if (t.isEmpty() || t.startsWith("#")) {
      return null;
    }
    int eq = t.indexOf('=');
    String key = eq < 0 ? "" : t.substring(0, eq).strip();
    if (key.isEmpty() || key.chars().anyMatch(c -> Character.isWhitespace(c) || c == '"')) {
      throw new VmDescriptionException(file, "line " + line, "'" + abbreviate(t) + "' is not a key = \"value\""
          + " line; is this a .vmx?");
    }
    String where = key + " (line " + line + ")";
    String rest = t.substring(eq + 1).strip();
    if (!rest.startsWith("\"")) {
      // VMware always quotes; packer and hand edits sometimes write a bare word.
      if (rest.chars().anyMatch(c -> Character.isWhitespace(c) || c == '"')) {
        throw new VmDescriptionException(file, where, "the value " + abbreviate(rest) + " is not in quotes:"
            + " write key = \"value\"");
      }
      return new Entry(key, rest, line);
    }
    int close = rest.indexOf('"', 1);
    if (close < 0) {
      throw new VmDescriptionException(file, where, "the value's quote is not closed: write key = \"value\" on"
          + " one line");
    }
    if (!rest.substring(close + 1).isBlank()) {
      throw new VmDescriptionException(file, where, "text follows the closing quote: '"
          + abbreviate(rest.substring(close + 1).strip()) + "' (a quote inside a value is written |22)");
    }
    return new Entry(key, unescape(rest.substring(1, close)), line);
  }

  /** VMware's escape: {@code |} and two hex digits stand for that character. */
  private static String unescape(String s) {
    if (s.indexOf('|') < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '|' && i + 2 < s.length() && isHex(s.charAt(i + 1)) && isHex(s.charAt(i + 2))) {
        out.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 60) + "...";
  }

  /** @return the entries in the order their keys first appear */
  List<Entry> entries() {
    return Collections.unmodifiableList(new ArrayList<>(entries.values()));
  }

  /**
   * @param key a key in any case
   * @return its value
   */
  Optional<String> get(String key) {
    Entry e = entries.get(key.toLowerCase(Locale.ROOT));
    return e == null ? Optional.empty() : Optional.of(e.value);
  }

  /**
   * @param key a key in any case
   * @return how messages name it: as written, with its line; as asked when absent
   */
  String where(String key) {
    Entry e = entries.get(key.toLowerCase(Locale.ROOT));
    return e == null ? key : e.key + " (line " + e.line + ")";
  }

  /**
   * @param key a key in any case
   * @return its value as a boolean, empty when the key is absent
   * @throws VmDescriptionException when the value is not TRUE/FALSE (or yes/no, 1/0)
   */
  Optional<Boolean> bool(String key) throws VmDescriptionException {
    Optional<String> v = get(key);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    switch (v.get().strip().toLowerCase(Locale.ROOT)) {
      case "true":
      case "yes":
      case "1":
        return Optional.of(true);
      case "false":
      case "no":
      case "0":
        return Optional.of(false);
      default:
        throw new VmDescriptionException(file, where(key), "'" + abbreviate(v.get()) + "' is neither TRUE nor FALSE");
    }
  }

  /**
   * @param key a key in any case
   * @param min the smallest value accepted
   * @param max the largest value accepted
   * @param unit the value's unit for messages, e.g. {@code " MiB"}, or empty
   * @return its value as a whole number, empty when the key is absent
   * @throws VmDescriptionException when the value is not a whole number in range
   */
  Optional<Long> number(String key, long min, long max, String unit) throws VmDescriptionException {
    Optional<String> v = get(key);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    String t = v.get().strip();
    boolean digits = !t.isEmpty() && t.chars().allMatch(c -> c >= '0' && c <= '9');
    if (!digits) {
      throw new VmDescriptionException(file, where(key), "'" + abbreviate(t) + "' is not a whole number");
    }
    if (t.length() > 18 || Long.parseLong(t) < min || Long.parseLong(t) > max) {
      throw new VmDescriptionException(file, where(key), abbreviate(t) + unit + " is not between " + min + " and " + max
          + unit);
    }
    return Optional.of(Long.parseLong(t));
  }
}
