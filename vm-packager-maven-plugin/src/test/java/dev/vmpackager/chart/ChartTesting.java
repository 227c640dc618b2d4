package dev.vmpackager.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Shared test fixtures: the classic vm-cirros spec, YAML parsing and strict schema validation. */
public final class ChartTesting {

  static final String CIRROS_IMAGE = "quay.io/kubevirt/cirros-container-disk-demo:v1.7.1";
  static final String CIRROS_USER_DATA = "#!/bin/sh\necho 'printed from cloud-init userdata'\n";
  static final String USB_LIST = "kubevirt.io/wifi-dongle;0bda;0811,kubevirt.io/gsm-dongle;0bda;2838";

  /**
   * The cluster version templates render for: helm-java's library defaults to Kubernetes v1.20.0,
   * older than the chart's kubeVersion allows (the helm CLI defaults to its client-go version).
   */
  public static final String KUBE = "1.33.0";

  static final ObjectMapper YAML = new YAMLMapper();
  private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

  private ChartTesting() {}

  /** @return the builder of KubeVirt's classic vm-cirros example as a chart */
  static ChartSpec.Builder cirros() {
    return unsizedCirros().memory("64M");
  }

  /** @return {@link #cirros()} without an explicit memory (for instancetype cases) */
  static ChartSpec.Builder unsizedCirros() {
    return ChartSpec.builder()
        .name("vm-cirros")
        .version("0.1.0")
        .appVersion("0.1.0")
        .description("The classic KubeVirt cirros demo VM")
        .image(CIRROS_IMAGE)
        .vmName("vm-cirros")
        .terminationGracePeriodSeconds(0)
        .cloudInitUserData(CIRROS_USER_DATA);
  }

  /**
   * @param chart the chart folder
   * @param sets {@code --set} pairs, key then value
   * @return what {@code helm install --dry-run=client} prints, NOTES included (helm template leaves NOTES out)
   */
  static String installOutput(java.nio.file.Path chart, String... sets) {
    com.marcnuri.helm.InstallCommand c = new com.marcnuri.helm.Helm(chart).install().withName("notes")
        .withNamespace("apps").withKubeVersion(KUBE).withDryRunOption(com.marcnuri.helm.DryRun.CLIENT).clientOnly();
    for (int i = 0; i + 1 < sets.length; i += 2) {
      c.set(sets[i], sets[i + 1]);
    }
    return c.call().getOutput();
  }

  /** @return every document of a multi-document YAML stream, empty ones skipped */
  public static List<JsonNode> documents(String yaml) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class)
        .readValues(new YAMLFactory().createParser(yaml))) {
      while (it.hasNext()) {
        JsonNode n = it.next();
        if (n != null && !n.isNull() && !n.isMissingNode() && n.size() > 0) {
          out.add(n);
        }
      }
    }
    return out;
  }

  /** @return the one document of that kind */
  public static JsonNode only(List<JsonNode> docs, String kind) {
    List<JsonNode> found = docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    assertEquals(1, found.size(), "one " + kind + " in " + docs);
    return found.get(0);
  }

  /** @return a strict schema from src/test/resources/schemas/, or a sub-schema at a JSON pointer */
  static JsonSchema schema(String file, String pointer) {
    return SCHEMAS.computeIfAbsent(file + "#" + pointer, k -> {
      try (InputStream in = ChartTesting.class.getResourceAsStream("/schemas/" + file)) {
        JsonNode node = new ObjectMapper().readTree(in);
        if (!pointer.isEmpty()) {
          node = node.at(pointer);
        }
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(node);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /** Fails with the validator's messages when {@code doc} breaks the schema. */
  static void assertValid(String file, String pointer, JsonNode doc) {
    Set<ValidationMessage> errors = schema(file, pointer).validate(doc);
    assertTrue(errors.isEmpty(), file + pointer + " rejects the manifest: " + errors + "\n" + doc.toPrettyString());
  }

  /** Validates every VirtualMachine and its dataVolumeTemplates against the strict schemas. */
  public static void assertManifestsValid(List<JsonNode> docs) {
    for (JsonNode d : docs) {
      if ("VirtualMachine".equals(d.path("kind").asText())) {
        assertEquals("kubevirt.io/v1", d.path("apiVersion").asText());
        assertValid("kubevirt.io_virtualmachine_v1.json", "", d);
        for (JsonNode dv : d.path("spec").path("dataVolumeTemplates")) {
          assertValid("cdi.kubevirt.io_datavolume_v1beta1.json", "/properties/spec", dv.path("spec"));
        }
      }
    }
  }
}
