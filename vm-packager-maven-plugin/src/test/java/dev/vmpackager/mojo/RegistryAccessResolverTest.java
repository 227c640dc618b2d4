package dev.vmpackager.mojo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.event.BuildListener;
import dev.vmpackager.registry.DockerCredentials;
import dev.vmpackager.registry.RegistryAccess;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.crypto.DefaultSettingsDecrypter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sonatype.plexus.components.cipher.DefaultPlexusCipher;
import org.sonatype.plexus.components.sec.dispatcher.DefaultSecDispatcher;

/** The credential order and decryption with Maven's real settings decrypter (no Maven runtime needed). */
class RegistryAccessResolverTest {

  private static final String HOST = "127.0.0.1:5000";
  private Path dir;
  private final List<String> log = new ArrayList<>();
  private final BuildListener listener = new BuildListener() {
    @Override public void info(String m) { log.add("INFO " + m); }
    @Override public void warn(String m) { log.add("WARN " + m); }
    @Override public void debug(String m) { log.add("DEBUG " + m); }
  };
  private DefaultSettingsDecrypter decrypter;
  private DefaultPlexusCipher cipher;

  @BeforeEach
  void setUp() throws Exception {
    dir = Files.createDirectories(Path.of("target", "publish-tests", "resolver", "t" + System.nanoTime()).toAbsolutePath());
    cipher = new DefaultPlexusCipher();
    // settings-security.xml holds the master password, itself encrypted with "settings.security".
    String master = cipher.encryptAndDecorate("master-pw", "settings.security");
    Path security = Files.writeString(dir.resolve("settings-security.xml"),
        "<settingsSecurity><master>" + master + "</master></settingsSecurity>");
    decrypter = new DefaultSettingsDecrypter(new DefaultSecDispatcher(cipher, Map.of(), security.toString()));
  }

  private DockerCredentials docker(String json) throws Exception {
    return new DockerCredentials(Files.writeString(dir.resolve("config.json"), json), List.of(), listener);
  }

  private static Settings settingsWith(String id, String user, String password) {
    Settings s = new Settings();
    Server server = new Server();
    server.setId(id);
    server.setUsername(user);
    server.setPassword(password);
    s.addServer(server);
    return s;
  }

  private String dockerAuths(String user, String pass) {
    return "{\"auths\":{\"" + HOST + "\":{\"auth\":\"" + Base64.getEncoder().encodeToString(
        (user + ":" + pass).getBytes(StandardCharsets.UTF_8)) + "\"}}}";
  }

  @Test
  void encryptedSettingsServerComesFirstAndIsNeverLogged() throws Exception {
    String encrypted = cipher.encryptAndDecorate("Server-Secret-1", "master-pw");
    RegistryAccess a = new RegistryAccessResolver(settingsWith(HOST, "settingsuser", encrypted), decrypter,
        docker(dockerAuths("dockeruser", "docker-pw")), listener).resolve(HOST, "propuser", "prop-pw", false, null);
    assertEquals("settingsuser", a.credentials().orElseThrow().username());
    assertEquals("Server-Secret-1", a.credentials().orElseThrow().password());
    assertEquals("settings.xml server '" + HOST + "'", a.credentials().orElseThrow().source());
    assertTrue(log.contains("DEBUG Registry " + HOST + ": credentials from settings.xml server '" + HOST + "'"), log.toString());
    assertFalse(String.join("\n", log).contains("Server-Secret-1"));
    assertFalse(a.toString().contains("Server-Secret-1"), a.toString());
  }

  @Test
  void dockerConfigWhenNoServerThenProperties() throws Exception {
    RegistryAccess a = new RegistryAccessResolver(settingsWith("other:5000", "x", "y"), decrypter,
        docker(dockerAuths("dockeruser", "docker-pw")), listener).resolve(HOST, "propuser", "prop-pw", false, null);
    assertEquals("dockeruser", a.credentials().orElseThrow().username());
    RegistryAccess b = new RegistryAccessResolver(new Settings(), decrypter, docker("{}"), listener)
        .resolve(HOST, "propuser", "prop-pw", true, null);
    assertEquals("propuser", b.credentials().orElseThrow().username());
    assertTrue(b.allowInsecure());
    RegistryAccess none = new RegistryAccessResolver(null, decrypter, docker("{}"), listener)
        .resolve(HOST, null, null, false, null);
    assertTrue(none.credentials().isEmpty());
  }

  @Test
  void badInputIsAFailureNamingTheProperty() throws Exception {
    RegistryAccessResolver r = new RegistryAccessResolver(new Settings(), decrypter, docker("{}"), listener);
    MojoFailureException half = assertThrows(MojoFailureException.class, () -> r.resolve(HOST, "u", null, false, null));
    assertTrue(half.getMessage().contains("vm.registry.password"), half.getMessage());
    MojoFailureException ca = assertThrows(MojoFailureException.class,
        () -> r.resolve(HOST, null, null, false, new File(dir.toFile(), "missing.pem")));
    assertTrue(ca.getMessage().contains("vm.registry.caFile"), ca.getMessage());
    MojoFailureException bad = assertThrows(MojoFailureException.class, () -> new RegistryAccessResolver(
        settingsWith(HOST, "u", "{notReallyEncrypted=}"), decrypter, docker("{}"), listener).resolve(HOST, null, null, false, null));
    assertTrue(bad.getMessage().contains("settings.xml <server> '" + HOST + "'"), bad.getMessage());
  }
}
