package dev.vmpackager.chart;

import com.fasterxml.jackson.core.JacksonException;
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

  private CloudInit() {}

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
