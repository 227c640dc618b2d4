package dev.vmpackager.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.testing.RecordingListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Docker config.json parsing and real credential-helper programs (shell scripts on a private PATH). */
class DockerCredentialsTest {

  private Path dir;
  private Path bin;
  private RecordingListener log;

  @BeforeEach
  void setUp() throws IOException {
    dir = Files.createDirectories(Path.of("target", "publish-tests", "docker-config", "t" + System.nanoTime())
        .toAbsolutePath());
    bin = Files.createDirectories(dir.resolve("bin"));
    log = new RecordingListener();
  }

  private DockerCredentials store(String json) throws IOException {
    return new DockerCredentials(Files.writeString(dir.resolve("config.json"), json), List.of(bin), log);
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  /** A docker-credential-{@code name} that knows one host and logs each call's stdin to {@code calls}. */
  private void helper(String name, String host, String user, String secret) throws IOException {
    Path p = bin.resolve("docker-credential-" + name);
    Files.writeString(p, """
        #!/bin/sh
        [ "$1" = get ] || { echo "unexpected action $1"; exit 3; }
        read server
        echo "$server" >> "%s"
        if [ "$server" = "%s" ]; then
          printf '{"ServerURL":"%%s","Username":"%s","Secret":"%s"}\\n' "$server"
        else
          echo "credentials not found in native keychain"
          exit 1
        fi
        """.formatted(dir.resolve("calls"), host, user, secret));
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @Test
  void authsBase64UserPasswordWithColonInPassword() throws Exception {
    DockerCredentials s = store("""
        {"auths": {"reg.example.com:5000": {"auth": "%s"}, "other.example.com": {"auth": "%s"}}}
        """.formatted(b64("alice:pa:ss:word"), b64("bob:x")));
    RegistryCredentials c = s.lookup("reg.example.com:5000").orElseThrow();
    assertEquals("alice", c.username());
    assertEquals("pa:ss:word", c.password());
    assertTrue(c.source().contains("auths \"reg.example.com:5000\""), c.source());
    assertEquals(Optional.empty(), s.lookup("reg.example.com"), "port matters");
    assertEquals(Optional.empty(), s.lookup("unknown.example.com"));
    assertFalse(log.all().contains("pa:ss:word"));
    assertFalse(c.toString().contains("pa:ss:word"));
  }

  @Test
  void authsKeysWrittenAsUrlsAndSeparateFields() throws Exception {
    DockerCredentials s = store("""
        {"auths": {"https://reg.example.com/v1/": {"username": "carol", "password": "c-secret"},
                   "https://index.docker.io/v1/": {"auth": "%s"}}}
        """.formatted(b64("hubuser:hubpass")));
    assertEquals("carol", s.lookup("reg.example.com").orElseThrow().username());
    assertEquals("c-secret", s.lookup("reg.example.com").orElseThrow().password());
    assertEquals("hubuser", s.lookup("docker.io").orElseThrow().username());
  }

  @Test
  void missingFileMeansNoCredentials() throws Exception {
    DockerCredentials s = new DockerCredentials(dir.resolve("nope.json"), List.of(bin), log);
    assertEquals(Optional.empty(), s.lookup("reg.example.com"));
  }

  @Test
  void badBase64AndBadJsonAreClearErrorsWithoutContent() throws Exception {
    RegistryException e = assertThrows(RegistryException.class,
        () -> store("{\"auths\": {\"reg.example.com\": {\"auth\": \"%%%notbase64\"}}}").lookup("reg.example.com"));
    assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("not base64"), e.getMessage());
    RegistryException json = assertThrows(RegistryException.class,
        () -> store("{\"auths\": {\"reg.example.com\": {\"auth\": \"c2VjcmV0\" oops").lookup("reg.example.com"));
    assertTrue(json.getMessage().contains("is not valid JSON (line 1"), json.getMessage());
    assertFalse(json.getMessage().contains("c2VjcmV0"), json.getMessage());
  }

  @Test
  void credHelperForTheHostIsRunWithTheHostOnStdin() throws Exception {
    helper("testpass", "reg.example.com:5000", "helperuser", "helper-Secret-9");
    DockerCredentials s = store("""
        {"auths": {"reg.example.com:5000": {"auth": "%s"}},
         "credHelpers": {"reg.example.com:5000": "testpass"}}
        """.formatted(b64("fileuser:filepass")));
    RegistryCredentials c = s.lookup("reg.example.com:5000").orElseThrow();
    assertEquals("helperuser", c.username());
    assertEquals("helper-Secret-9", c.password());
    assertTrue(c.source().contains("docker-credential-testpass"), c.source());
    assertEquals("reg.example.com:5000\n", Files.readString(dir.resolve("calls")));
    assertTrue(log.all().contains("credentials from credential helper docker-credential-testpass"), log.all());
    assertFalse(log.all().contains("helper-Secret-9"));
  }

  @Test
  void credsStoreWithoutAnEntryFallsBackToAuths() throws Exception {
    helper("store", "somewhere.else", "u", "s");
    DockerCredentials s = store("""
        {"credsStore": "store", "auths": {"reg.example.com": {"auth": "%s"}}}
        """.formatted(b64("fileuser:filepass")));
    RegistryCredentials c = s.lookup("reg.example.com").orElseThrow();
    assertEquals("fileuser", c.username());
    assertEquals("reg.example.com\n", Files.readString(dir.resolve("calls")));
  }

  @Test
  void credsStoreAnswers() throws Exception {
    helper("store", "reg.example.com", "storeuser", "store-secret");
    assertEquals("storeuser", store("{\"credsStore\": \"store\"}").lookup("reg.example.com").orElseThrow().username());
  }

  @Test
  void helperNotOnPathIsAWarningAndAuthsStillApply() throws Exception {
    DockerCredentials s = store("""
        {"credHelpers": {"reg.example.com": "absent"}, "auths": {"reg.example.com": {"auth": "%s"}}}
        """.formatted(b64("fileuser:filepass")));
    assertEquals("fileuser", s.lookup("reg.example.com").orElseThrow().username());
    assertTrue(log.all().contains("WARN The credential helper docker-credential-absent"), log.all());
  }

  @Test
  void failingHelperIsAClearError() throws Exception {
    Path p = bin.resolve("docker-credential-broken");
    Files.writeString(p, "#!/bin/sh\necho 'keychain locked'\nexit 2\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    RegistryException e = assertThrows(RegistryException.class,
        () -> store("{\"credHelpers\": {\"reg.example.com\": \"broken\"}}").lookup("reg.example.com"));
    assertTrue(e.getMessage().contains("docker-credential-broken") && e.getMessage().contains("exit code 2")
        && e.getMessage().contains("keychain locked"), e.getMessage());
  }

  @Test
  void helperNamesCannotBePaths() throws Exception {
    assertThrows(RegistryException.class,
        () -> store("{\"credHelpers\": {\"reg.example.com\": \"../../bin/sh\"}}").lookup("reg.example.com"));
  }

  @Test
  void pathOfSplitsLikeTheShell() {
    assertEquals(List.of(Path.of("/a"), Path.of("/b c")), DockerCredentials.pathOf("/a::/b c"));
    assertEquals(List.of(), DockerCredentials.pathOf(null));
  }

  /**
   * Most builds have no Docker config: looking one up must not build Jackson 3's mapper, whose
   * some 600 classes took 1.5-2 s of every push on the loaded build machine (bench/e2e-benchmark.sh).
   * Checked in a class loader of its own, so classes the other tests loaded do not count.
   */
  @Test
  void noConfigFileLoadsNoJsonMapper() throws Exception {
    List<String> loaded = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    java.net.URL[] urls = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        .map(f -> {
          try {
            return Path.of(f).toUri().toURL();
          } catch (java.net.MalformedURLException e) {
            throw new IllegalStateException(e);
          }
        })
        .toArray(java.net.URL[]::new);
    try (java.net.URLClassLoader own = new java.net.URLClassLoader(urls, ClassLoader.getPlatformClassLoader()) {
      @Override
      protected Class<?> findClass(String name) throws ClassNotFoundException {
        loaded.add(name);
        return super.findClass(name);
      }
    }) {
      Class<?> listener = own.loadClass("dev.vmpackager.event.BuildListener");
      Object none = listener.getField("NONE").get(null);
      Object store = own.loadClass("dev.vmpackager.registry.DockerCredentials")
          .getConstructor(Path.class, List.class, listener)
          .newInstance(dir.resolve("no-such-config.json"), List.of(bin), none);
      Object found = store.getClass().getMethod("lookup", String.class).invoke(store, "127.0.0.1:5000");
      assertEquals(Optional.empty(), found);
      List<String> jackson = loaded.stream().filter(n -> n.startsWith("tools.jackson.")).toList();
      assertTrue(jackson.size() < 40, jackson.size() + " Jackson 3 classes loaded for a missing config.json: "
          + jackson.subList(0, Math.min(10, jackson.size())));
    }
  }
}
