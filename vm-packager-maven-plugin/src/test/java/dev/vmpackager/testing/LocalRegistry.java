package dev.vmpackager.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OCI registry for tests: Debian's {@code docker-registry} (distribution 2.8) started on
 * 127.0.0.1 on a free port, optionally with a self-signed TLS certificate and htpasswd basic auth,
 * stopped by {@link #close()}. Never mocked, never skipped: a missing binary fails the test.
 */
public final class LocalRegistry implements AutoCloseable {

  /** The user name of an auth-enabled registry. */
  public static final String USERNAME = "vmuser";
  /** The password of an auth-enabled registry. */
  public static final String PASSWORD = "s3cret-Pa55";

  private final Process process;
  private final int port;
  private final Path dir;
  private final boolean tls;
  private final boolean auth;

  private LocalRegistry(Process process, int port, Path dir, boolean tls, boolean auth) {
    this.process = process;
    this.port = port;
    this.dir = dir;
    this.tls = tls;
    this.auth = auth;
  }

  /** Starts a plain-http registry without auth. */
  public static LocalRegistry plain(Path workDir) throws IOException, InterruptedException {
    return start(workDir, false, false);
  }

  /** Starts a registry with a self-signed certificate (for 127.0.0.1 and localhost) and basic auth. */
  public static LocalRegistry tlsWithAuth(Path workDir) throws IOException, InterruptedException {
    return start(workDir, true, true);
  }

  /**
   * @param workDir a folder for the registry's config, storage, certificate and log
   * @param tls serve https with a self-signed certificate
   * @param auth require htpasswd basic auth ({@link #USERNAME}/{@link #PASSWORD})
   */
  public static LocalRegistry start(Path workDir, boolean tls, boolean auth) throws IOException, InterruptedException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    return start(workDir, port, tls, auth);
  }

  /**
   * As {@link #start(Path, boolean, boolean)} on a given port, for builds that must name the
   * port before the registry starts (the invoker integration tests).
   */
  public static LocalRegistry start(Path workDir, int port, boolean tls, boolean auth)
      throws IOException, InterruptedException {
    Path dir = Files.createDirectories(workDir.toAbsolutePath());
    StringBuilder yml = new StringBuilder()
        .append("version: 0.1\n")
        .append("log: {level: warn}\n")
        .append("storage:\n  filesystem: {rootdirectory: ").append(dir.resolve("data")).append("}\n")
        .append("  delete: {enabled: true}\n")
        .append("http:\n  addr: 127.0.0.1:").append(port).append('\n');
    if (tls) {
      run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem",
          "-days", "30", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost");
      yml.append("  tls: {certificate: ").append(dir.resolve("cert.pem")).append(", key: ")
          .append(dir.resolve("key.pem")).append("}\n");
    }
    if (auth) {
      String line = run(dir, "htpasswd", "-Bbn", USERNAME, PASSWORD).trim();
      Files.writeString(dir.resolve("htpasswd"), line + "\n");
      yml.append("auth:\n  htpasswd: {realm: test-realm, path: ").append(dir.resolve("htpasswd")).append("}\n");
    }
    Path config = Files.writeString(dir.resolve("config.yml"), yml.toString());
    Process p = new ProcessBuilder("docker-registry", "serve", config.toString())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("registry.log").toFile())
        .start();
    LocalRegistry registry = new LocalRegistry(p, port, dir, tls, auth);
    registry.awaitListening();
    return registry;
  }

  private void awaitListening() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("docker-registry exited: " + Files.readString(dir.resolve("registry.log")));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    close();
    throw new IOException("docker-registry did not listen on 127.0.0.1:" + port);
  }

  private static String run(Path dir, String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }
    return out;
  }

  /** @return {@code 127.0.0.1:<port>} */
  public String hostPort() {
    return "127.0.0.1:" + port;
  }

  /** @return the port */
  public int port() {
    return port;
  }

  /** @return whether it serves https */
  public boolean tls() {
    return tls;
  }

  /** @return whether it requires basic auth */
  public boolean auth() {
    return auth;
  }

  /** @return the self-signed certificate (PEM) of a TLS registry */
  public Path certificate() {
    if (!tls) {
      throw new IllegalStateException("plain registry has no certificate");
    }
    return dir.resolve("cert.pem");
  }

  /** @return the registry's folder (config, data, log) */
  public Path directory() {
    return dir;
  }

  /**
   * Runs skopeo against this registry (TLS verification off, credentials added when needed).
   *
   * @param args e.g. {@code "inspect", "docker://" + hostPort() + "/repo:tag"}; the
   *     {@code --tls-verify}/{@code --creds} flags are added after the sub-command
   * @return skopeo's standard output
   */
  public String skopeo(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("skopeo", args[0]));
    String flagSuffix = args[0].equals("copy") ? "src-" : "";
    cmd.add("--" + flagSuffix + "tls-verify=false");
    if (auth) {
      cmd.add("--" + flagSuffix + "creds=" + USERNAME + ":" + PASSWORD);
    }
    cmd.addAll(List.of(args).subList(1, args.length));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("skopeo failed: " + cmd.subList(0, 2) + " " + out);
    }
    return out;
  }

  /** Stops the registry process. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new IOException("interrupted stopping docker-registry", e));
    }
  }
}
