package dev.vmpackager.chart;

import static dev.vmpackager.chart.ChartTesting.*;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.vmpackager.event.BuildListener;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chart archive: reproducible bytes, Helm's layout, loadable by Helm. */
class ChartPackagerTest {

  private static final Instant TIME = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path tmp;

  private Path build(String run, Instant time) throws Exception {
    ChartSpec spec = cirros().usbList(USB_LIST).addUsbDevice(new UsbDeviceRequest("kubevirt.io/gsm-dongle", 1, null))
        .addPort(new ServicePort("http", 8080, "TCP")).build();
    Path dir = new ChartGenerator(BuildListener.NONE).generate(spec, tmp.resolve(run).resolve("helm"));
    Path tgz = tmp.resolve(run).resolve("vm-cirros-0.1.0.tgz");
    ChartPackager.pack(dir, "vm-cirros", tgz, time);
    return tgz;
  }

  @Test
  void sameInputGivesByteIdenticalArchive() throws Exception {
    Path a = build("a", TIME);
    Path b = build("b", TIME);
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    Path c = build("c", TIME.plusSeconds(1));
    assertFalse(Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(c)), "the mtime is in the archive");
    try (var s = Files.list(tmp.resolve("a"))) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
    }
  }

  @Test
  void archiveHasHelmsLayout() throws Exception {
    byte[] bytes = Files.readAllBytes(build("a", TIME));
    // gzip header as helm package writes it: FEXTRA|FCOMMENT, MTIME 0, OS unknown, comment "Helm".
    assertEquals(0x1f, bytes[0] & 0xff);
    assertEquals(0x8b, bytes[1] & 0xff);
    assertEquals(0x14, bytes[3]);
    assertArrayEquals(new byte[4], Arrays.copyOfRange(bytes, 4, 8));
    assertEquals(255, bytes[9] & 0xff);
    int xlen = (bytes[10] & 0xff) | (bytes[11] & 0xff) << 8;
    assertEquals("Helm", new String(bytes, 12 + xlen, 4, StandardCharsets.ISO_8859_1));
    assertEquals(0, bytes[12 + xlen + 4]);

    List<String> names = new ArrayList<>();
    try (InputStream in = new GZIPInputStream(Files.newInputStream(tmp.resolve("a/vm-cirros-0.1.0.tgz")));
        TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        names.add(e.getName());
        assertTrue(e.isFile(), e.getName() + " is a file entry");
        assertEquals(0644, e.getMode() & 07777, e.getName());
        assertEquals(TIME, e.getModTime().toInstant(), e.getName());
        assertEquals(0, e.getLongUserId());
        assertEquals("", e.getUserName());
        assertTrue(e.getName().startsWith("vm-cirros/"), e.getName());
      }
    }
    List<String> sorted = new ArrayList<>(names);
    sorted.sort(null);
    assertEquals(sorted, names, "entries sorted");
    assertTrue(names.containsAll(List.of("vm-cirros/Chart.yaml", "vm-cirros/values.yaml", "vm-cirros/values.schema.json",
        "vm-cirros/README.md", "vm-cirros/kubevirt-usb.yaml", "vm-cirros/templates/_helpers.tpl",
        "vm-cirros/templates/virtualmachine.yaml", "vm-cirros/templates/service.yaml",
        "vm-cirros/templates/cloudinit-secret.yaml", "vm-cirros/templates/NOTES.txt")), names.toString());
  }

  @Test
  void helmLoadsTheArchive() throws Exception {
    Path tgz = build("a", TIME);
    LintResult r = new Helm(tgz).lint().strict().call();
    assertFalse(r.isFailed(), r.getMessages().toString());
    List<JsonNode> docs = documents(new Helm(tgz).template().withKubeVersion(KUBE).withName("pkg").call());
    assertManifestsValid(docs);
    assertEquals("gsm-dongle", only(docs, "VirtualMachine").at("/spec/template/spec/domain/devices/hostDevices/0/name").asText());
    only(docs, "Service");
    only(docs, "Secret");
  }

  @Test
  void missingChartYamlIsRefused() throws Exception {
    Files.createDirectories(tmp.resolve("empty"));
    Exception e = assertThrows(java.io.IOException.class,
        () -> ChartPackager.pack(tmp.resolve("empty"), "x", tmp.resolve("x-1.0.0.tgz"), TIME));
    assertTrue(e.getMessage().contains("Chart.yaml"));
    assertFalse(Files.exists(tmp.resolve("x-1.0.0.tgz")));
  }
}
