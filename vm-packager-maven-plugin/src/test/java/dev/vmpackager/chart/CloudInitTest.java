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

  /** @return the lines of the plain-text password warnings for this user-data, the advice line dropped */
  private static java.util.List<String> passwordLines(String userData) {
    java.util.List<String> w = CloudInit.plainTextPasswords(userData, "src/main/cloud-init/user-data");
    if (w.isEmpty()) {
      return w;
    }
    String advice = w.get(w.size() - 1);
    assertTrue(advice.contains("src/main/cloud-init/user-data") && advice.contains("cloudInit.existingSecret")
        && advice.contains("<vm><cloudInitExistingSecret>") && advice.contains("passwd:")
        && advice.contains("ssh_authorized_keys"), advice);
    for (String line : w) {
      assertFalse(line.contains("s3cret"), "the password itself is never logged: " + line);
    }
    return w.subList(0, w.size() - 1).stream()
        .map(l -> l.replaceFirst("^<vm><cloudInit> file src/main/cloud-init/user-data line (\\d+): .*$", "$1")).toList();
  }

  @Test
  void plainTextPasswordsAreWarnedAboutWithFileAndLine() {
    // cloud-config's default user password, as KubeVirt's examples write it.
    assertEquals(java.util.List.of("3"), passwordLines("#cloud-config\n# the default user\npassword: s3cret\n"
        + "chpasswd: {expire: false}\n"));
    // A user's plain_text_passwd.
    assertEquals(java.util.List.of("4"), passwordLines("#cloud-config\nusers:\n  - name: jane\n"
        + "    plain_text_passwd: s3cret\n    lock_passwd: false\n"));
    // chpasswd's list, as a block (one hashed entry among them) and as a sequence.
    assertEquals(java.util.List.of("4", "6"), passwordLines("#cloud-config\nchpasswd:\n  list: |\n    root:s3cret\n"
        + "    jane:$6$salt$0123456789abcdef\n    bob:s3cret2\n    eve:RANDOM\n  expire: false\n"));
    assertEquals(java.util.List.of("4"), passwordLines("#cloud-config\nchpasswd:\n  list:\n    - root:s3cret\n"));
    // chpasswd's users: type text (the default) is plain, type hash and RANDOM are not.
    assertEquals(java.util.List.of("4"), passwordLines("#cloud-config\nchpasswd:\n  users:\n"
        + "    - {name: root, password: s3cret, type: text}\n    - {name: jane, password: $6$salt$abcdef, type: hash}\n"
        + "    - {name: bob, type: RANDOM}\n"));
    // chpasswd run as a command, from cloud-config's runcmd or from a script.
    assertEquals(java.util.List.of("4"), passwordLines("#cloud-config\nruncmd:\n  - |\n    echo 'root:s3cret' | chpasswd\n"));
    assertEquals(java.util.List.of("3"), passwordLines("#!/bin/sh\nset -e\necho 'root:s3cret' | /usr/sbin/chpasswd\n"));
    assertEquals(java.util.List.of("2"), passwordLines("#!/bin/bash\necho s3cret | passwd --stdin root\n"));
  }

  @Test
  void hashedPasswordsAndSshKeysAreNotWarnedAbout() {
    for (String fine : new String[] {
        "#cloud-config\nusers:\n  - name: jane\n    passwd: $6$rounds=4096$salt$0123456789abcdef\n"
            + "    ssh_authorized_keys:\n      - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx jane@example.com\n",
        "#cloud-config\nusers:\n  - name: jane\n    hashed_passwd: $y$j9T$salt$hash\n",
        "#cloud-config\npassword: $6$salt$0123456789abcdef\nchpasswd: {expire: false}\nssh_pwauth: true\n",
        "#cloud-config\nssh_authorized_keys:\n  - ssh-rsa AAAAB3NzaC1yc2E jane@example.com\n",
        "#!/bin/sh\necho 'root:$6$salt$0123456789abcdef' | chpasswd -e\n# chpasswd is not run here\n",
        "#!/bin/sh\necho 'printed from cloud-init userdata'\n"}) {
      assertEquals(java.util.List.of(), CloudInit.plainTextPasswords(fine, "user-data"), fine);
    }
  }
}
