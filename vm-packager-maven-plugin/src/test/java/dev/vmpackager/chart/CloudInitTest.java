package dev.vmpackager.chart;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cloud-init user-data is #cloud-config YAML or a script, and nothing else. */
class CloudInitTest {

  @TempDir Path tmp;

  private static ChartConfigException refused(String text) {
    ChartConfigException e = assertThrows(ChartConfigException.class,
        () -> CloudInit.check(text.getBytes(StandardCharsets.UTF_8), "user-data.yaml"));
    assertEquals("<vm><cloudInit>", e.parameter());
    assertTrue(e.getMessage().contains("<vm><cloudInit>") && e.getMessage().contains("user-data.yaml"), e.getMessage());
    return e;
  }

  @Test
  void acceptsCloudConfigAndScripts() throws Exception {
    String cc = "#cloud-config\npassword: fedora\nchpasswd: {expire: false}\n";
    assertEquals(cc, CloudInit.check(cc.getBytes(StandardCharsets.UTF_8), "a"));
    assertEquals("#cloud-config\n", CloudInit.check("#cloud-config\n".getBytes(StandardCharsets.UTF_8), "a"));
    String sh = "#!/bin/sh\necho hi\n";
    assertEquals(sh, CloudInit.check(sh.getBytes(StandardCharsets.UTF_8), "a"));
    Path f = Files.writeString(tmp.resolve("ud"), cc);
    assertEquals(cc, CloudInit.read(f));
  }

  @Test
  void refusesEverythingElse() throws Exception {
    assertTrue(refused("password: fedora\n").getMessage().contains("'#cloud-config'"));
    assertTrue(refused("# cloud-config\npassword: x\n").getMessage().contains("'# cloud-config'"));
    assertTrue(refused("#cloud-config\npassword: [unclosed\n").getMessage().contains("not valid YAML"));
    assertTrue(refused("#cloud-config\n- a\n- b\n").getMessage().contains("not a mapping"));
    assertTrue(refused("").getMessage().contains("neither"));
    ChartConfigException e = assertThrows(ChartConfigException.class,
        () -> CloudInit.check(new byte[] {'#', '!', (byte) 0xff, (byte) 0xfe}, "bin"));
    assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
    e = assertThrows(ChartConfigException.class, () -> CloudInit.read(tmp.resolve("missing")));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    Path big = tmp.resolve("big");
    Files.write(big, ("#!/bin/sh\n" + "x".repeat(CloudInit.MAX_BYTES)).getBytes(StandardCharsets.UTF_8));
    e = assertThrows(ChartConfigException.class, () -> CloudInit.read(big));
    assertTrue(e.getMessage().contains("larger than"), e.getMessage());
  }

  @Test
  void networkDataIsAYamlOrJsonMapping() throws Exception {
    String v2 = "version: 2\nethernets:\n  enp1s0:\n    dhcp4: true\n";
    Path f = Files.writeString(tmp.resolve("network-config"), v2);
    assertEquals(v2, CloudInit.readNetworkData(f));
    String json = "{\"links\": [{\"id\": \"eth0\", \"type\": \"phy\"}], \"networks\": []}";
    assertEquals(json, CloudInit.checkNetworkData(json.getBytes(StandardCharsets.UTF_8), "network_data.json"));
    for (String bad : new String[] {"", "- a\n", "version: [2\n", "just text\n"}) {
      ChartConfigException e = assertThrows(ChartConfigException.class,
          () -> CloudInit.checkNetworkData(bad.getBytes(StandardCharsets.UTF_8), "net.yaml"), bad);
      assertEquals("<vm><cloudInitNetworkData>", e.parameter());
      assertTrue(e.getMessage().contains("<vm><cloudInitNetworkData> file net.yaml"), e.getMessage());
    }
    ChartConfigException e = assertThrows(ChartConfigException.class, () -> CloudInit.readNetworkData(tmp.resolve("none")));
    assertTrue(e.getMessage().contains("<vm><cloudInitNetworkData>") && e.getMessage().contains("does not exist"));
  }
}
