package dev.vmpackager.publish;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * A chart's {@code Chart.yaml} as Helm loads it ({@code pkg/chart/v2/metadata.go}): the same
 * fields, the same validation and the same string sanitizing, so that {@link #configJson()} is
 * the exact config blob {@code helm push} writes ({@code json.Marshal(chart.Metadata)}: Go field
 * order, {@code omitempty}) and {@link #ociAnnotations(String)} the manifest annotations.
 */
public final class ChartMetadata {

  /** Annotation keys a Chart.yaml annotation cannot override (Helm's {@code immutableOciAnnotations}). */
  private static final List<String> IMMUTABLE = List.of(
      "org.opencontainers.image.version", "org.opencontainers.image.title");
  // Masterminds semver.NewVersion, which Helm uses: lenient (v prefix, missing minor/patch allowed).
  private static final Pattern SEMVER = Pattern.compile("v?(0|[1-9][0-9]*|[0-9]+)(\\.[0-9]+)?(\\.[0-9]+)?"
      + "(-([0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*))?(\\+([0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*))?");

  /** One maintainer. */
  record Maintainer(String name, String email, String url) {}

  /** One dependency, fields in Helm's struct order. */
  record Dependency(String name, String version, String repository, String condition, List<String> tags,
      boolean enabled, List<Object> importValues, String alias, List<String> dependsOn) {}

  private final String source;
  private String name = "";
  private String home = "";
  private List<String> sources = List.of();
  private String version = "";
  private String description = "";
  private List<String> keywords = List.of();
  private List<Maintainer> maintainers = List.of();
  private String icon = "";
  private String apiVersion = "";
  private String condition = "";
  private String tags = "";
  private String appVersion = "";
  private boolean deprecated;
  private Map<String, String> annotations = Map.of();
  private String kubeVersion = "";
  private List<Dependency> dependencies = List.of();
  private String type = "";

  private ChartMetadata(String source) {
    this.source = source;
  }

  /**
   * Parses and validates Chart.yaml as Helm's loader does.
   *
   * @param yaml the Chart.yaml text
   * @param source where it was read, for messages, e.g. {@code target/app-1.0.0.tgz!app/Chart.yaml}
   * @return the metadata, sanitized as Helm sanitizes it
   * @throws PublishException naming the source if it is not YAML, or misses or breaks a required field
   */
  public static ChartMetadata parse(String yaml, String source) throws PublishException {
    ChartMetadata m = new ChartMetadata(source);
    Optional<Node> root;
    // Helm's yaml.Unmarshal (go-yaml v2, not strict) lets a repeated key win; so does the loop below.
    try {
      root = new Compose(LoadSettings.builder().setLabel(source).setAllowDuplicateKeys(true).build())
          .composeString(yaml);
    } catch (YamlEngineException e) {
      throw new PublishException(source + " is not valid YAML: " + e.getMessage(), e);
    }
    if (root.isEmpty() || isNull(root.get())) {
      throw m.invalid("it is empty");
    }
    if (!(root.get() instanceof MappingNode map)) {
      throw m.invalid("it is not a YAML mapping");
    }
    for (NodeTuple t : map.getValue()) {
      String key = m.scalar(t.getKeyNode(), "a key");
      Node v = t.getValueNode();
      switch (key) {
        case "name" -> m.name = m.scalar(v, key);
        case "home" -> m.home = m.scalar(v, key);
        case "sources" -> m.sources = m.strings(v, key);
        case "version" -> m.version = m.scalar(v, key);
        case "description" -> m.description = m.scalar(v, key);
        case "keywords" -> m.keywords = m.strings(v, key);
        case "maintainers" -> m.maintainers = m.maintainers(v);
        case "icon" -> m.icon = m.scalar(v, key);
        case "apiVersion" -> m.apiVersion = m.scalar(v, key);
        case "condition" -> m.condition = m.scalar(v, key);
        case "tags" -> m.tags = m.scalar(v, key);
        case "appVersion" -> m.appVersion = m.scalar(v, key);
        case "deprecated" -> m.deprecated = m.bool(v, key);
        case "annotations" -> m.annotations = m.stringMap(v, key);
        case "kubeVersion" -> m.kubeVersion = m.scalar(v, key);
        case "dependencies" -> m.dependencies = m.dependencies(v);
        case "type" -> m.type = m.scalar(v, key);
        default -> { /* Helm ignores unknown fields */ }
      }
    }
    m.validate();
    return m;
  }

  private void validate() throws PublishException {
    // pkg/chart/loader: a Chart.yaml without apiVersion is taken as a Helm 2 (v1) chart.
    if (apiVersion.isEmpty()) {
      apiVersion = "v1";
    }
    name = sanitize(name);
    description = sanitize(description);
    home = sanitize(home);
    icon = sanitize(icon);
    condition = sanitize(condition);
    tags = sanitize(tags);
    appVersion = sanitize(appVersion);
    kubeVersion = sanitize(kubeVersion);
    sources = sanitize(sources);
    keywords = sanitize(keywords);
    if (name.isEmpty()) {
      throw invalid("name is required");
    }
    if (name.contains("/") || name.equals(".") || name.equals("..")) {
      throw invalid("name '" + name + "' is invalid");
    }
    if (version.isEmpty()) {
      throw invalid("version is required");
    }
    if (!SEMVER.matcher(version).matches()) {
      throw invalid("version '" + version + "' is not a SemVer version");
    }
    if (!type.isEmpty() && !type.equals("application") && !type.equals("library")) {
      throw invalid("type must be application or library, not '" + type + "'");
    }
    List<Maintainer> ms = new ArrayList<>();
    for (Maintainer mt : maintainers) {
      ms.add(new Maintainer(sanitize(mt.name()), sanitize(mt.email()), sanitize(mt.url())));
    }
    maintainers = List.copyOf(ms);
    List<Dependency> ds = new ArrayList<>();
    for (Dependency d : dependencies) {
      ds.add(new Dependency(sanitize(d.name()), sanitize(d.version()), sanitize(d.repository()),
          sanitize(d.condition()), sanitize(d.tags()), d.enabled(), d.importValues(), d.alias(),
          sanitize(d.dependsOn())));
    }
    dependencies = List.copyOf(ds);
  }

  /** @return the chart's name */
  public String name() {
    return name;
  }

  /** @return the chart's version */
  public String version() {
    return version;
  }

  /** @return the description, empty if none */
  public String description() {
    return description;
  }

  /** @return whether the version is a SemVer pre-release such as {@code 1.0.0-SNAPSHOT} */
  public boolean isPrerelease() {
    String v = version.contains("+") ? version.substring(0, version.indexOf('+')) : version;
    return v.contains("-");
  }

  /**
   * @return the config blob Helm pushes: {@code json.Marshal(chart.Metadata)}, fields in Go's
   *     struct order with {@code omitempty}
   */
  public byte[] configJson() {
    GoJson j = new GoJson().beginObject()
        .optional("name", name)
        .optional("home", home)
        .optional("sources", sources)
        .optional("version", version)
        .optional("description", description)
        .optional("keywords", keywords);
    if (!maintainers.isEmpty()) {
      j.name("maintainers").beginArray();
      for (Maintainer mt : maintainers) {
        j.beginObject().optional("name", mt.name()).optional("email", mt.email()).optional("url", mt.url())
            .endObject();
      }
      j.endArray();
    }
    j.optional("icon", icon)
        .optional("apiVersion", apiVersion)
        .optional("condition", condition)
        .optional("tags", tags)
        .optional("appVersion", appVersion);
    if (deprecated) {
      j.name("deprecated").value(true);
    }
    j.optional("annotations", annotations)
        .optional("kubeVersion", kubeVersion);
    if (!dependencies.isEmpty()) {
      j.name("dependencies").beginArray();
      for (Dependency d : dependencies) {
        j.beginObject().name("name").value(d.name()).optional("version", d.version())
            .name("repository").value(d.repository()).optional("condition", d.condition())
            .optional("tags", d.tags());
        if (d.enabled()) {
          j.name("enabled").value(true);
        }
        if (!d.importValues().isEmpty()) {
          j.name("import-values").any(d.importValues());
        }
        j.optional("alias", d.alias()).optional("depends-on", d.dependsOn()).endObject();
      }
      j.endArray();
    }
    return j.optional("type", type).endObject().toBytes();
  }

  /**
   * The manifest annotations Helm's {@code generateOCIAnnotations} writes: description, title,
   * version, url, created, source, authors (each only when not blank), then every Chart.yaml
   * annotation except title and version.
   *
   * @param created the RFC 3339 creation time, e.g. {@code 2026-01-01T00:00:00Z}
   * @return the annotations (unordered; Go sorts the keys when it marshals)
   */
  public Map<String, String> ociAnnotations(String created) {
    Map<String, String> a = new LinkedHashMap<>();
    put(a, "org.opencontainers.image.description", description);
    put(a, "org.opencontainers.image.title", name);
    put(a, "org.opencontainers.image.version", version);
    put(a, "org.opencontainers.image.url", home);
    put(a, "org.opencontainers.image.created", created);
    if (!sources.isEmpty()) {
      put(a, "org.opencontainers.image.source", sources.get(0));
    }
    if (!maintainers.isEmpty()) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < maintainers.size(); i++) {
        Maintainer mt = maintainers.get(i);
        sb.append(mt.name());
        if (!mt.email().isEmpty()) {
          sb.append(" (").append(mt.email()).append(')');
        }
        if (i < maintainers.size() - 1) {
          sb.append(", ");
        }
      }
      put(a, "org.opencontainers.image.authors", sb.toString());
    }
    annotations.forEach((k, v) -> {
      if (!IMMUTABLE.contains(k)) {
        a.put(k, v);
      }
    });
    return Collections.unmodifiableMap(a);
  }

  private static void put(Map<String, String> a, String key, String value) {
    if (!value.isBlank()) {
      a.put(key, value);
    }
  }

  // Helm's sanitizeString: every Unicode space becomes ' ', every other non-printable rune is dropped.
  static String sanitize(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(s.length());
    s.codePoints().forEach(cp -> {
      if (isGoSpace(cp)) {
        sb.append(' ');
      } else if (isGoPrint(cp)) {
        sb.appendCodePoint(cp);
      }
    });
    return sb.toString();
  }

  private static List<String> sanitize(List<String> list) {
    return list.stream().map(ChartMetadata::sanitize).toList();
  }

  private static boolean isGoSpace(int cp) {
    return (cp >= '\t' && cp <= '\r') || cp == 0x85 || Character.isSpaceChar(cp);
  }

  private static boolean isGoPrint(int cp) {
    return switch (Character.getType(cp)) {
      case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
          Character.MODIFIER_LETTER, Character.OTHER_LETTER, Character.NON_SPACING_MARK,
          Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK, Character.DECIMAL_DIGIT_NUMBER,
          Character.LETTER_NUMBER, Character.OTHER_NUMBER, Character.CONNECTOR_PUNCTUATION,
          Character.DASH_PUNCTUATION, Character.START_PUNCTUATION, Character.END_PUNCTUATION,
          Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
          Character.OTHER_PUNCTUATION, Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL,
          Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL -> true;
      default -> false;
    };
  }

  private static boolean isNull(Node n) {
    return n instanceof ScalarNode s && Tag.NULL.equals(s.getTag());
  }

  private String scalar(Node n, String field) throws PublishException {
    if (isNull(n)) {
      return "";
    }
    if (n instanceof ScalarNode s) {
      return s.getScalarStyle() == org.snakeyaml.engine.v2.common.ScalarStyle.PLAIN ? goYamlString(s.getValue())
          : s.getValue();
    }
    throw invalid(field + " must be a string");
  }

  private static final Pattern YAML11_INT = Pattern.compile("[-+]?(0b[01_]+|0x[0-9a-fA-F_]+|0o?[0-7_]+|[0-9][0-9_]*)");
  private static final Pattern YAML11_FLOAT = Pattern.compile("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");

  /**
   * Helm reads Chart.yaml with sigs.k8s.io/yaml over go-yaml v2 (YAML 1.1): an unquoted scalar that
   * YAML 1.1 takes for a number or boolean reaches a string field as Go formats it, e.g.
   * {@code appVersion: 1.10} becomes {@code "1.1"} (float32 shortest form), {@code 010} becomes
   * {@code "8"}, {@code yes} becomes {@code "true"}. The same is done here so the config blob matches.
   */
  static String goYamlString(String plain) {
    switch (plain) {
      case "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON":
        return "true";
      case "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF":
        return "false";
      default:
        break;
    }
    if (YAML11_INT.matcher(plain).matches()) {
      String v = plain.replace("_", "");
      boolean negative = v.startsWith("-");
      if (v.startsWith("-") || v.startsWith("+")) {
        v = v.substring(1);
      }
      int radix = 10;
      if (v.startsWith("0b")) {
        radix = 2;
        v = v.substring(2);
      } else if (v.startsWith("0x")) {
        radix = 16;
        v = v.substring(2);
      } else if (v.startsWith("0o")) {
        radix = 8;
        v = v.substring(2);
      } else if (v.length() > 1 && v.startsWith("0")) {
        radix = 8;
        v = v.substring(1);
      }
      try {
        return new java.math.BigInteger((negative ? "-" : "") + v, radix).toString();
      } catch (NumberFormatException e) {
        return plain;
      }
    }
    if (YAML11_FLOAT.matcher(plain).matches() && plain.chars().anyMatch(Character::isDigit)) {
      return goFormatFloat32(Double.parseDouble(plain));
    }
    return plain;
  }

  /** Go's {@code strconv.FormatFloat(v, 'g', -1, 32)}: shortest float32 digits, %e when exp < -4 or >= 6. */
  static String goFormatFloat32(double value) {
    float f = (float) value;
    if (Float.isInfinite(f)) {
      return f > 0 ? "+Inf" : "-Inf";
    }
    if (f == 0) {
      return (1 / f < 0) ? "-0" : "0";
    }
    // The shortest decimal that reads back as the same float32 (JDK 17's Float.toString is not always shortest).
    java.math.BigDecimal exact = new java.math.BigDecimal(f);
    java.math.BigDecimal d = exact;
    for (int p = 1; p <= 9; p++) {
      java.math.BigDecimal candidate = exact.round(new java.math.MathContext(p, java.math.RoundingMode.HALF_EVEN));
      if (candidate.floatValue() == f) {
        d = candidate;
        break;
      }
    }
    d = d.stripTrailingZeros();
    String digits = d.unscaledValue().abs().toString();
    int exp = digits.length() - 1 - d.scale(); // decimal exponent of the first digit
    String sign = d.signum() < 0 ? "-" : "";
    // Go: for the shortest form the %e/%f decision uses precision 6.
    if (exp < -4 || exp >= 6) {
      String mant = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      return sign + mant + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    }
    return sign + d.abs().toPlainString();
  }

  private boolean bool(Node n, String field) throws PublishException {
    String v = scalar(n, field);
    return switch (v) {
      case "", "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF" -> false;
      case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON" -> true;
      default -> throw invalid(field + " must be true or false, not '" + v + "'");
    };
  }

  private List<String> strings(Node n, String field) throws PublishException {
    if (isNull(n)) {
      return List.of();
    }
    if (!(n instanceof SequenceNode seq)) {
      throw invalid(field + " must be a list of strings");
    }
    List<String> out = new ArrayList<>();
    for (Node item : seq.getValue()) {
      out.add(scalar(item, field + " entry"));
    }
    return List.copyOf(out);
  }

  private Map<String, String> stringMap(Node n, String field) throws PublishException {
    if (isNull(n)) {
      return Map.of();
    }
    if (!(n instanceof MappingNode map)) {
      throw invalid(field + " must be a map of strings");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (NodeTuple t : map.getValue()) {
      out.put(scalar(t.getKeyNode(), field + " key"), scalar(t.getValueNode(), field + " value"));
    }
    return Collections.unmodifiableMap(out);
  }

  private List<Maintainer> maintainers(Node n) throws PublishException {
    if (isNull(n)) {
      return List.of();
    }
    if (!(n instanceof SequenceNode seq)) {
      throw invalid("maintainers must be a list");
    }
    List<Maintainer> out = new ArrayList<>();
    for (Node item : seq.getValue()) {
      if (!(item instanceof MappingNode)) {
        throw invalid("maintainers must not contain empty or null nodes");
      }
      Map<String, String> f = stringMap(item, "maintainers");
      out.add(new Maintainer(f.getOrDefault("name", ""), f.getOrDefault("email", ""), f.getOrDefault("url", "")));
    }
    return List.copyOf(out);
  }

  private List<Dependency> dependencies(Node n) throws PublishException {
    if (isNull(n)) {
      return List.of();
    }
    if (!(n instanceof SequenceNode seq)) {
      throw invalid("dependencies must be a list");
    }
    List<Dependency> out = new ArrayList<>();
    for (Node item : seq.getValue()) {
      if (!(item instanceof MappingNode map)) {
        throw invalid("dependencies must not contain empty or null nodes");
      }
      Map<String, Node> f = new LinkedHashMap<>();
      for (NodeTuple t : map.getValue()) {
        f.put(scalar(t.getKeyNode(), "dependencies key"), t.getValueNode());
      }
      List<Object> importValues = new ArrayList<>();
      if (f.containsKey("import-values") && !isNull(f.get("import-values"))) {
        if (!(f.get("import-values") instanceof SequenceNode iv)) {
          throw invalid("dependencies import-values must be a list");
        }
        for (Node v : iv.getValue()) {
          importValues.add(plain(v));
        }
      }
      out.add(new Dependency(text(f, "name"), text(f, "version"), text(f, "repository"), text(f, "condition"),
          f.containsKey("tags") ? strings(f.get("tags"), "dependencies tags") : List.of(),
          f.containsKey("enabled") && bool(f.get("enabled"), "dependencies enabled"),
          List.copyOf(importValues), text(f, "alias"),
          f.containsKey("depends-on") ? strings(f.get("depends-on"), "dependencies depends-on") : List.of()));
    }
    return List.copyOf(out);
  }

  private String text(Map<String, Node> f, String key) throws PublishException {
    return f.containsKey(key) ? scalar(f.get(key), "dependencies " + key) : "";
  }

  private Object plain(Node n) throws PublishException {
    if (n instanceof ScalarNode s) {
      return isNull(n) ? null : s.getValue();
    }
    if (n instanceof SequenceNode seq) {
      List<Object> l = new ArrayList<>();
      for (Node item : seq.getValue()) {
        l.add(plain(item));
      }
      return l;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    for (NodeTuple t : ((MappingNode) n).getValue()) {
      m.put(scalar(t.getKeyNode(), "key"), plain(t.getValueNode()));
    }
    return m;
  }

  private PublishException invalid(String why) {
    return new PublishException("Invalid chart metadata in " + source + ": " + why);
  }

  /** @return {@code name:version} and the config JSON, for debugging */
  @Override
  public String toString() {
    return name + ":" + version + " (" + new String(configJson(), StandardCharsets.UTF_8) + ")";
  }
}
