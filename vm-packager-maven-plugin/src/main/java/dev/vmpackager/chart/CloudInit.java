package dev.vmpackager.chart;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and checks cloud-init files before they go into the chart's Secret. User-data must be
 * UTF-8 text starting with {@code #cloud-config} (and then be a YAML mapping) or with {@code #!}
 * (a script cloud-init runs once); network data must be a YAML or JSON mapping.
 */
public final class CloudInit {

  /** Secrets hold at most 1 MiB; base64 grows the data by a third, so stay well below. */
  public static final int MAX_BYTES = 512 * 1024;

  private static final String PARAMETER = "<vm><cloudInit>";
  private static final String NETWORK_PARAMETER = "<vm><cloudInitNetworkData>";

  /**
   * A shell command handing {@code chpasswd} (or {@code passwd --stdin}) a password in clear; not
   * {@code chpasswd -e}, which takes hashes.
   */
  private static final Pattern PASSWORD_COMMAND = Pattern.compile(
      "(?<![\\w.-])(chpasswd(?![\\w-])(?!\\s+(-e|--encrypted)\\b)|passwd\\s+--stdin\\b)");
  /** A crypt(3) hash ({@code $6$salt$...}, {@code $y$...}): not a readable password. */
  private static final Pattern HASH = Pattern.compile("^\\$[A-Za-z0-9]+\\$\\S+$");
  /** A {@code chpasswd} {@code list} entry, {@code user:password}. */
  private static final Pattern LIST_ENTRY = Pattern.compile("^\\s*(?:-\\s*)?([^:\\s]+):(.*)$");

  private CloudInit() {}

  /**
   * Finds the passwords a user-data file gives in plain text: {@code password:} (cloud-config's
   * default user, and {@code chpasswd: users:} entries), {@code plain_text_passwd:},
   * {@code chpasswd: list:} entries, and {@code chpasswd} commands in a {@code #!} script or in
   * cloud-config strings such as {@code runcmd}. Hashed passwords ({@code passwd:},
   * {@code hashed_passwd:}, a {@code $6$...} value, {@code chpasswd -e}), {@code RANDOM} and SSH keys
   * are fine. The chart keeps user-data in a Secret that is only base64-encoded and is pushed with
   * the chart, so such a password is readable by everyone who can pull the chart.
   *
   * @param text the user-data, already {@linkplain #check checked}
   * @param source the file name, for messages
   * @return one warning per password, naming the file and line (never the password), and then one
   *     saying what to use instead; empty when there is none
   */
  public static List<String> plainTextPasswords(String text, String source) {
    List<String> found = new ArrayList<>();
    String[] lines = text.split("\\R", -1);
    String first = lines.length == 0 ? "" : lines[0].stripTrailing();
    if (first.startsWith("#!")) {
      for (int i = 1; i < lines.length; i++) {
        if (!lines[i].strip().startsWith("#") && PASSWORD_COMMAND.matcher(lines[i]).find()) {
          found.add(at(source, i + 1, "the script hands a plain-text password to " + command(lines[i])));
        }
      }
    } else if (first.equals("#cloud-config")) {
      try (JsonParser p = new YAMLFactory().createParser(text)) {
        for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
          if (t.isScalarValue()) {
            cloudConfigValue(p, lines, source, found);
          }
        }
      } catch (IOException e) {
        // check() parsed this YAML already; a parser failure here only ends the search.
      }
    }
    if (!found.isEmpty()) {
      found.add(PARAMETER + " file " + source + " is stored readable (base64) in the chart's Secret and pushed with"
          + " the chart: keep passwords out of it. Set cloudInit.existingSecret to a Secret you create at install"
          + " time (helm install --set cloudInit.existingSecret=NAME, or <vm><cloudInitExistingSecret> in the POM),"
          + " or give hashed passwords (passwd: with a 'mkpasswd -m sha-512' hash) and ssh_authorized_keys instead");
    }
    return found;
  }

  private static void cloudConfigValue(JsonParser p, String[] lines, String source, List<String> found)
      throws IOException {
    JsonStreamContext ctx = p.getParsingContext();
    String key = ctx.inObject() ? ctx.getCurrentName() : ctx.inArray() && ctx.getParent() != null
        ? ctx.getParent().getCurrentName() : null;
    String value = p.getText() == null ? "" : p.getText();
    int line = p.currentTokenLocation().getLineNr();
    if (value.isBlank()) {
      return;
    }
    if ("plain_text_passwd".equals(key)) {
      found.add(at(source, line, "plain_text_passwd: sets a plain-text password"));
    } else if ("password".equals(key) && !hashedOrRandom(value.strip())) {
      found.add(at(source, line, "password: sets a plain-text password"));
    } else if ("list".equals(key) && within(ctx, "chpasswd")) {
      for (String entry : value.split("\\R")) {
        Matcher m = LIST_ENTRY.matcher(entry);
        if (m.matches() && !hashedOrRandom(m.group(2).strip())) {
          found.add(at(source, lineOf(lines, line, entry.strip()),
              "chpasswd: list: sets a plain-text password for '" + m.group(1) + "'"));
        }
      }
    } else {
      for (String part : value.split("\\R")) {
        if (PASSWORD_COMMAND.matcher(part).find()) {
          found.add(at(source, lineOf(lines, line, part.strip()), "a command hands a plain-text password to "
              + command(part)));
        }
      }
    }
  }

  private static boolean within(JsonStreamContext ctx, String name) {
    for (JsonStreamContext c = ctx; c != null; c = c.getParent()) {
      if (name.equals(c.getCurrentName())) {
        return true;
      }
    }
    return false;
  }

  /** A hash, or cloud-init's word for a generated password, or a locked account. */
  private static boolean hashedOrRandom(String password) {
    return password.isEmpty() || HASH.matcher(password).matches() || password.equals("R")
        || password.equals("RANDOM") || password.equals("!") || password.equals("*");
  }

  private static String command(String line) {
    Matcher m = PASSWORD_COMMAND.matcher(line);
    return m.find() ? m.group(1).replaceAll("\\s+", " ") : "chpasswd";
  }

  /**
   * @return the 1-based line, at or after {@code from}, that holds {@code needle} (a multi-line
   *     value's parser location is where the value starts), else {@code from}
   */
  private static int lineOf(String[] lines, int from, String needle) {
    for (int i = Math.max(0, from - 1); i < lines.length && !needle.isEmpty(); i++) {
      if (lines[i].contains(needle)) {
        return i + 1;
      }
    }
    return from;
  }

  private static String at(String source, int line, String what) {
    return PARAMETER + " file " + source + " line " + line + ": " + what;
  }

  /**
   * @param file the user-data file
   * @return its text, checked
   * @throws ChartConfigException naming the file when it is missing, too big, not UTF-8, or neither
   *     {@code #cloud-config} YAML nor a {@code #!} script
   */
  public static String read(Path file) throws ChartConfigException {
    return check(readBounded(file, PARAMETER), file.toString());
  }

  /**
   * Reads a cloud-init network-data file: NoCloud network config (version 1 or 2 YAML) or, for a
   * config drive, OpenStack's network_data.json. Either way it must be a YAML (JSON is YAML) mapping.
   *
   * @param file the network-data file
   * @return its text, checked
   * @throws ChartConfigException naming the file when it is missing, too big, not UTF-8 or not a mapping
   */
  public static String readNetworkData(Path file) throws ChartConfigException {
    return checkNetworkData(readBounded(file, NETWORK_PARAMETER), file.toString());
  }

  /**
   * @param bytes the network data
   * @param source the file name, for messages
   * @return the text, checked
   * @throws ChartConfigException when it is not UTF-8 or not a YAML/JSON mapping
   */
  public static String checkNetworkData(byte[] bytes, String source) throws ChartConfigException {
    String text = utf8(bytes, source, NETWORK_PARAMETER);
    JsonNode node;
    try {
      node = new ObjectMapper(new YAMLFactory()).readTree(text);
    } catch (JacksonException e) {
      throw new ChartConfigException(NETWORK_PARAMETER, NETWORK_PARAMETER + " file " + source
          + " is not valid YAML or JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new ChartConfigException(NETWORK_PARAMETER, NETWORK_PARAMETER + " file " + source + " cannot be parsed: " + e, e);
    }
    if (node == null || !node.isObject() || node.isEmpty()) {
      throw new ChartConfigException(NETWORK_PARAMETER, NETWORK_PARAMETER + " file " + source
          + " must be a mapping: network config 'version: 2' with 'ethernets:' (or version 1 'config:') for"
          + " nocloud, or OpenStack network_data.json ('links', 'networks') for configDrive");
    }
    return text;
  }

  private static byte[] readBounded(Path file, String parameter) throws ChartConfigException {
    if (!Files.isRegularFile(file)) {
      throw new ChartConfigException(parameter, parameter + " file " + file + " does not exist or is not a file");
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_BYTES + 1); // bounded: never trust the file's size
    } catch (IOException e) {
      throw new ChartConfigException(parameter, parameter + " file " + file + " cannot be read: " + e.getMessage(), e);
    }
    if (bytes.length > MAX_BYTES) {
      throw new ChartConfigException(parameter, parameter + " file " + file + " is larger than "
          + MAX_BYTES / 1024 + " KiB; a Kubernetes Secret holds at most 1 MiB");
    }
    return bytes;
  }

  private static String utf8(byte[] bytes, String source, String parameter) throws ChartConfigException {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new ChartConfigException(parameter, parameter + " file " + source + " is not UTF-8 text", e);
    }
    return text.startsWith("\uFEFF") ? text.substring(1) : text;
  }

  /**
   * @param bytes the user-data
   * @param source the file name, for messages
   * @return the text, checked
   * @throws ChartConfigException when it is not UTF-8, or neither {@code #cloud-config} YAML nor a script
   */
  public static String check(byte[] bytes, String source) throws ChartConfigException {
    String text = utf8(bytes, source, PARAMETER);
    String first = text.lines().findFirst().orElse("").stripTrailing();
    if (first.equals("#cloud-config")) {
      try {
        JsonNode node = new ObjectMapper(new YAMLFactory()).readTree(text);
        if (node != null && !node.isMissingNode() && !node.isNull() && !node.isObject()) {
          throw new ChartConfigException(PARAMETER, PARAMETER + " file " + source
              + " starts with #cloud-config but its YAML is a " + node.getNodeType().name().toLowerCase(Locale.ROOT)
              + ", not a mapping of cloud-config keys (users:, packages:, runcmd: ...)");
        }
      } catch (JacksonException e) {
        throw new ChartConfigException(PARAMETER, PARAMETER + " file " + source
            + " starts with #cloud-config but is not valid YAML: " + e.getOriginalMessage(), e);
      } catch (IOException e) {
        throw new ChartConfigException(PARAMETER, PARAMETER + " file " + source + " cannot be parsed: " + e, e);
      }
      return text;
    }
    if (first.startsWith("#!")) {
      return text;
    }
    throw new ChartConfigException(PARAMETER, PARAMETER + " file " + source
        + " is neither cloud-config YAML (first line exactly '#cloud-config') nor a script (first line"
        + " '#!', e.g. #!/bin/sh); its first line is '" + abbreviate(first) + "'");
  }

  private static String abbreviate(String s) {
    String clean = s.replaceAll("\\p{Cntrl}", "?");
    return clean.length() > 60 ? clean.substring(0, 60) + "..." : clean;
  }
}
