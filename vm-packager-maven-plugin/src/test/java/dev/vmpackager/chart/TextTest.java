package dev.vmpackager.chart;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The hand-written YAML and JSON read back as what was written, tricky scalars included. */
class TextTest {

  private static Map<String, Object> sample() {
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("no", "no");
    inner.put("id", "0811");
    inner.put("exp", "1e3");
    inner.put("quote", "say \"hi\" \\ back");
    inner.put("multi", "line1\nline2\ttab");
    inner.put("unicode", "Grüße \u2028 \u0001");
    inner.put("kubevirt.io/vm", "x: {y}");
    inner.put("n", 42);
    inner.put("b", false);
    inner.put("empty", "");
    Map<String, Object> item = new LinkedHashMap<>();
    item.put("a", 1);
    item.put("b", List.of("x", List.of("y"), Map.of()));
    item.put("c", Map.of("d", "e"));
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("inner", inner);
    root.put("items", List.of(item, "plain", List.of()));
    root.put("emptyMap", Map.of());
    return root;
  }

  @Test
  void yamlRoundTrips() throws Exception {
    StringBuilder out = new StringBuilder();
    Text.yaml(out, sample(), 0, "", Map.of("inner", "A comment\nover two lines", "inner.id", "USB id"));
    Object back = new YAMLMapper().readValue(out.toString(), Object.class);
    assertEquals(sample(), back, out.toString());
    assertTrue(out.toString().contains("# A comment\n# over two lines\ninner:\n  \"no\": \"no\""), out.toString());
  }

  @Test
  void jsonRoundTrips() throws Exception {
    StringBuilder out = new StringBuilder();
    Text.json(out, sample(), 0);
    assertEquals(sample(), new ObjectMapper().readValue(out.toString(), Object.class), out.toString());
  }
}
