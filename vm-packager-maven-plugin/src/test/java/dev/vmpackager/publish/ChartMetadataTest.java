package dev.vmpackager.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Chart.yaml to Helm's config JSON and OCI annotations, and reading it from a .tgz. */
class ChartMetadataTest {

  private static final Path WORK = Path.of("target", "publish-tests", "metadata").toAbsolutePath();

  private static String json(String yaml) throws PublishException {
    return new String(ChartMetadata.parse(yaml, "Chart.yaml").configJson(), StandardCharsets.UTF_8);
  }

  @Test
  void goFieldOrderOmitemptyAndSanitizing() throws Exception {
    assertEquals("{\"name\":\"mychart\",\"version\":\"0.1.0\",\"description\":\"two lines here \",\"apiVersion\":\"v2\","
        + "\"appVersion\":\"1.16.0\",\"type\":\"application\"}", json("""
        type: application
        appVersion: "1.16.0"
        apiVersion: v2
        description: |
          two lines
          here
        version: 0.1.0
        name: mychart
        home: ""
        keywords: []
        unknownField: ignored
        """));
  }

  @Test
  void everyFieldInGoOrder() throws Exception {
    String j = json("""
        apiVersion: v2
        name: full
        version: 1.0.0
        kubeVersion: ">=1.25.0"
        description: Full
        type: library
        keywords: [vm, kubevirt]
        home: https://h
        sources: [https://s1]
        maintainers: [{name: A, email: a@x, url: https://a}]
        icon: https://i.png
        appVersion: 1.10
        deprecated: true
        condition: full.enabled
        tags: t1
        annotations: {b: "2", a: "1"}
        dependencies:
          - {name: dep, version: ~1.0, repository: "oci://r/c", alias: d, tags: [x], enabled: true,
             import-values: [data, {child: c, parent: p}]}
        """);
    assertEquals("{\"name\":\"full\",\"home\":\"https://h\",\"sources\":[\"https://s1\"],\"version\":\"1.0.0\","
        + "\"description\":\"Full\",\"keywords\":[\"vm\",\"kubevirt\"],\"maintainers\":[{\"name\":\"A\",\"email\":\"a@x\","
        + "\"url\":\"https://a\"}],\"icon\":\"https://i.png\",\"apiVersion\":\"v2\",\"condition\":\"full.enabled\","
        + "\"tags\":\"t1\",\"appVersion\":\"1.1\",\"deprecated\":true,\"annotations\":{\"a\":\"1\",\"b\":\"2\"},"
        + "\"kubeVersion\":\"\\u003e=1.25.0\",\"dependencies\":[{\"name\":\"dep\",\"version\":\"~1.0\","
        + "\"repository\":\"oci://r/c\",\"tags\":[\"x\"],\"enabled\":true,\"import-values\":[\"data\","
        + "{\"child\":\"c\",\"parent\":\"p\"}],\"alias\":\"d\"}],\"type\":\"library\"}", j);
  }

  @Test
  void annotationsAsHelmWritesThem() throws Exception {
    ChartMetadata m = ChartMetadata.parse("""
        apiVersion: v2
        name: app
        version: 1.0.0
        description: "  "
        maintainers: [{name: A, email: a@x}, {name: B}, {email: c@x}]
        annotations:
          org.opencontainers.image.version: "9.9.9"
          org.opencontainers.image.created: "from-chart"
          custom: "yes"
        """, "Chart.yaml");
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("org.opencontainers.image.title", "app");
    expected.put("org.opencontainers.image.version", "1.0.0");
    expected.put("org.opencontainers.image.created", "from-chart");
    expected.put("org.opencontainers.image.authors", "A (a@x), B,  (c@x)");
    expected.put("custom", "yes");
    assertEquals(expected, m.ociAnnotations("1970-01-01T00:00:00Z"));
  }

  @Test
  void invalidChartYamlNamesTheFile() {
    for (String[] c : new String[][] {
        {"name: x\nversion: 1.0.0\n", null},
        {"apiVersion: v2\nversion: 1.0.0\n", "name is required"},
        {"apiVersion: v2\nname: x\n", "version is required"},
        {"apiVersion: v2\nname: x\nversion: one\n", "version 'one' is not a SemVer"},
        {"apiVersion: v2\nname: a/b\nversion: 1.0.0\n", "name 'a/b' is invalid"},
        {"apiVersion: v2\nname: x\nversion: 1.0.0\ntype: service\n", "type must be application or library"},
        {"apiVersion: v2\nname: x\nversion: 1.0.0\nmaintainers: [~]\n", "maintainers must not contain empty"},
        {"- just\n- a list\n", "not a YAML mapping"},
        {"name: [unclosed\n", "not valid YAML"},
        {"", "it is empty"}}) {
      if (c[1] == null) {
        continue;
      }
      PublishException e = assertThrows(PublishException.class, () -> ChartMetadata.parse(c[0], "app.tgz!app/Chart.yaml"));
      assertTrue(e.getMessage().contains("app.tgz!app/Chart.yaml") && e.getMessage().contains(c[1]), e.getMessage());
    }
  }

  @Test
  void missingApiVersionIsAHelm2Chart() throws Exception {
    assertTrue(json("name: x\nversion: 1.0.0\n").contains("\"apiVersion\":\"v1\""));
  }

  @Test
  void readsChartYamlFromThePackage() throws Exception {
    Path tgz = TestCharts.chart(WORK, "pkg", "2.3.4-rc.1");
    ChartMetadata m = ChartArchive.readMetadata(tgz);
    assertEquals("pkg", m.name());
    assertEquals("2.3.4-rc.1", m.version());
    assertTrue(m.isPrerelease());
    assertFalse(ChartMetadata.parse("apiVersion: v2\nname: x\nversion: 1.0.0+b-1\n", "c").isPrerelease());
  }

  @Test
  void packageProblemsNameTheFile() throws Exception {
    Path noChart = TestCharts.tgz(WORK, "nochart", "", Map.of("nochart/values.yaml", "a: 1\n"));
    PublishException e = assertThrows(PublishException.class, () -> ChartArchive.readMetadata(noChart));
    assertTrue(e.getMessage().contains(noChart.toString()) && e.getMessage().contains("Chart.yaml file is missing"),
        e.getMessage());
    Path escape = TestCharts.tgz(WORK, "escape", "", Map.of("../evil/Chart.yaml", "name: x\n"));
    PublishException e2 = assertThrows(PublishException.class, () -> ChartArchive.readMetadata(escape));
    assertTrue(e2.getMessage().contains("outside the base directory"), e2.getMessage());
    Path notGzip = java.nio.file.Files.writeString(WORK.resolve("plain.tgz"), "not a gzip");
    PublishException e3 = assertThrows(PublishException.class, () -> ChartArchive.readMetadata(notGzip));
    assertTrue(e3.getMessage().contains("not a readable gzip-compressed tar"), e3.getMessage());
    PublishException e4 = assertThrows(PublishException.class, () -> ChartArchive.readMetadata(WORK.resolve("absent.tgz")));
    assertTrue(e4.getMessage().contains("does not exist"), e4.getMessage());
  }

  @Test
  void unquotedYamlNumbersAndBooleansBecomeStringsAsGoFormatsThem() {
    assertEquals("1.1", ChartMetadata.goYamlString("1.10"));
    assertEquals("1", ChartMetadata.goYamlString("1.0"));
    assertEquals("0.1", ChartMetadata.goYamlString("0.1"));
    assertEquals("8", ChartMetadata.goYamlString("010"));
    assertEquals("31", ChartMetadata.goYamlString("0x1F"));
    assertEquals("1000", ChartMetadata.goYamlString("1_000"));
    assertEquals("1e+06", ChartMetadata.goYamlString("1000000.0"));
    assertEquals("123456", ChartMetadata.goYamlString("123456.0"));
    assertEquals("1.2345679e+08", ChartMetadata.goYamlString("123456789.5"));
    assertEquals("1e-05", ChartMetadata.goYamlString("0.00001"));
    assertEquals("true", ChartMetadata.goYamlString("yes"));
    assertEquals("false", ChartMetadata.goYamlString("Off"));
    assertEquals("1.2.3", ChartMetadata.goYamlString("1.2.3"));
    assertEquals("v1", ChartMetadata.goYamlString("v1"));
  }

  @Test
  void goJsonEscapes() {
    assertEquals("\"a\\\"b\\\\c\\n\\t\\u0001\\u003c\\u003e\\u0026\\u2028 é 😀\"",
        new GoJson().value("a\"b\\c\n\t\u0001<>&\u2028 é 😀").toString());
  }
}
