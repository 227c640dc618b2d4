package dev.vmpackager.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.vmpackager.chart.ChartGenerator;
import dev.vmpackager.chart.ChartSpec;
import dev.vmpackager.chart.ServicePort;
import dev.vmpackager.chart.UsbDeviceRequest;
import dev.vmpackager.event.BuildListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** Shared fixtures: the README's USB example as a chart spec, reading the archive back, the catalog's schema. */
final class EdgeTesting {

  static final String IMAGE = "registry.example.com/apps/librespeed-vm:0.0.1";
  static final String CHART_REPOSITORY = "oci://registry.example.com/charts";
  static final String USB_LIST = "kubevirt.io/wifi-dongle;0bda;0811,kubevirt.io/gsm-dongle;0bda;2838";
  static final String USER_DATA = "#cloud-config\npackages: [librespeed]\n";

  private static final JsonSchema CATALOG;

  static {
    try (InputStream in = EdgeTesting.class.getResourceAsStream("/edge/catalog-schema.json")) {
      CATALOG = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(new ObjectMapper().readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private EdgeTesting() {}

  /** @return the README's configuration example (librespeed, cloud-init, a port, three Wi-Fi dongles and a GSM dongle) */
  static ChartSpec.Builder readmeUsbExample() {
    return ChartSpec.builder()
        .name("librespeed-vm").version("0.0.1").appVersion("0.0.1").description("LibreSpeed in a VM")
        .image(IMAGE).vmName("librespeed").memory("2Gi").cpuCores(2).runStrategy("Always")
        .cloudInitUserData(USER_DATA)
        .addPort(new ServicePort("http", 8080, "TCP"))
        .usbList(USB_LIST)
        .addUsbDevice(new UsbDeviceRequest("kubevirt.io/wifi-dongle", 3, null))
        .addUsbDevice(new UsbDeviceRequest("kubevirt.io/gsm-dongle", 1, null));
  }

  /** @return the package of a chart spec, built as the mojo builds it */
  static DeploymentPackage.Builder packageOf(ChartSpec spec) throws Exception {
    byte[] values = new ChartGenerator(BuildListener.NONE).files(spec).get("values.yaml");
    return DeploymentPackage.builder().chart(spec).chartValues(values).chartRepository(CHART_REPOSITORY);
  }

  /** One entry of the archive as read back. */
  record Entry(TarArchiveEntry header, byte[] bytes) {
    String text() {
      return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /** @return the archive's entries in order, read with commons-compress through a plain gzip reader */
  static Map<String, Entry> read(Path tarGz) throws IOException {
    Map<String, Entry> out = new LinkedHashMap<>();
    try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(Files.newInputStream(tarGz)))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        out.put(e.getName(), new Entry(e, tar.readAllBytes()));
      }
    }
    return out;
  }

  /** @return the catalog documents (those with specSchema) of every YAML file, as the catalog's upload finds them */
  static List<JsonNode> catalogDocuments(Map<String, Entry> files) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (Entry e : files.values()) {
      for (JsonNode d : dev.vmpackager.chart.ChartTesting.documents(e.text())) {
        if (d.has("specSchema")) {
          out.add(d);
        }
      }
    }
    return out;
  }

  /** @return the schema's messages for a document, empty when the catalog's schema takes it */
  static Set<ValidationMessage> catalogErrors(JsonNode doc) {
    return CATALOG.validate(doc);
  }

  static void assertCatalogValid(JsonNode doc) {
    Set<ValidationMessage> errors = catalogErrors(doc);
    assertTrue(errors.isEmpty(), "the catalog's schema rejects the document: " + errors + "\n" + doc.toPrettyString());
  }

  /** @return the documents of one kind */
  static List<JsonNode> ofKind(List<JsonNode> docs, String kind) {
    return docs.stream().filter(d -> kind.equals(d.path("specSchema").asText())).toList();
  }

  static JsonNode single(List<JsonNode> docs, String kind) {
    List<JsonNode> found = ofKind(docs, kind);
    assertEquals(1, found.size(), "one " + kind + " in " + docs);
    return found.get(0);
  }
}
