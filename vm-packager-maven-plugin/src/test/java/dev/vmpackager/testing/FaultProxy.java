package dev.vmpackager.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A tiny HTTP proxy on 127.0.0.1 in front of a real plain-http registry that injects faults: it
 * answers a given status, or drops the connection without an answer, for the first {@code n}
 * requests whose method and path match, and forwards everything else (rewriting {@code Location}).
 */
public final class FaultProxy implements AutoCloseable {

  /** What the proxy does to a matching request. */
  public enum Fault { STATUS_500, DROP, HANG }

  private static final Set<String> SKIP_REQUEST = Set.of("host", "connection", "content-length", "expect", "upgrade",
      "http2-settings", "transfer-encoding");
  private static final Set<String> SKIP_RESPONSE = Set.of("content-length", "transfer-encoding", "connection", "date");

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final String target;
  private final String method;
  private final String pathPart;
  private final Fault fault;
  private final AtomicInteger remaining;
  /** Every request seen, as {@code METHOD path -> status or fault}. */
  public final List<String> seen = new CopyOnWriteArrayList<>();

  public FaultProxy(String targetHostPort, String method, String pathPart, Fault fault, int times) throws IOException {
    this(targetHostPort, method, pathPart, fault, times, HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16));
  }

  private FaultProxy(String targetHostPort, String method, String pathPart, Fault fault, int times, HttpServer server) {
    this.target = targetHostPort;
    this.method = method;
    this.pathPart = pathPart;
    this.fault = fault;
    this.remaining = new AtomicInteger(times);
    this.server = server;
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  /**
   * The same proxy speaking https with a self-signed certificate (made with openssl in
   * {@code workDir}), for clients that try https first and hang on a plain-http server's silence
   * (Jib's registry client). Clients must allow insecure registries.
   */
  public static FaultProxy tls(String targetHostPort, String method, String pathPart, Fault fault, int times,
      Path workDir) throws Exception {
    Files.createDirectories(workDir);
    String pass = "proxy-keystore";
    run(workDir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "proxy-key.pem",
        "-out", "proxy-cert.pem", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1");
    run(workDir, "openssl", "pkcs12", "-export", "-in", "proxy-cert.pem", "-inkey", "proxy-key.pem",
        "-out", "proxy.p12", "-passout", "pass:" + pass);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(workDir.resolve("proxy.p12"))) {
      ks.load(in, pass.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, pass.toCharArray());
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(kmf.getKeyManagers(), null, null);
    HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    https.setHttpsConfigurator(new HttpsConfigurator(ssl));
    return new FaultProxy(targetHostPort, method, pathPart, fault, times, https);
  }

  private static void run(Path dir, String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
  }

  private String scheme() {
    return server instanceof HttpsServer ? "https" : "http";
  }

  /** @return host:port to send requests to */
  public String hostPort() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  private void handle(HttpExchange ex) throws IOException {
    String pathAndQuery = ex.getRequestURI().toString();
    try (ex) {
      if (ex.getRequestMethod().equals(method) && pathAndQuery.contains(pathPart) && remaining.getAndDecrement() > 0) {
        seen.add(ex.getRequestMethod() + " " + pathAndQuery + " -> " + fault);
        ex.getRequestBody().readAllBytes();
        if (fault == Fault.STATUS_500) {
          byte[] body = "{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"injected fault\"}]}".getBytes();
          ex.getResponseHeaders().add("Content-Type", "application/json");
          ex.sendResponseHeaders(500, body.length);
          ex.getResponseBody().write(body);
        }
        if (fault == Fault.HANG) {
          try {
            Thread.sleep(30_000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return;
        }
        if (fault == Fault.DROP) {
          // The server closes the connection of a handler that throws, without any response.
          throw new IOException("injected: connection dropped");
        }
        return;
      }
      byte[] requestBody;
      try (InputStream in = ex.getRequestBody()) {
        requestBody = in.readAllBytes();
      }
      HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create("http://" + target + pathAndQuery))
          .method(ex.getRequestMethod(), requestBody.length == 0 && !ex.getRequestMethod().equals("PUT")
              && !ex.getRequestMethod().equals("POST") && !ex.getRequestMethod().equals("PATCH")
              ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(requestBody));
      ex.getRequestHeaders().forEach((k, vs) -> {
        if (!SKIP_REQUEST.contains(k.toLowerCase(Locale.ROOT))) {
          vs.forEach(v -> rb.header(k, v));
        }
      });
      HttpResponse<byte[]> r;
      try {
        r = client.send(rb.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      seen.add(ex.getRequestMethod() + " " + pathAndQuery + " -> " + r.statusCode());
      r.headers().map().forEach((k, vs) -> {
        if (!SKIP_RESPONSE.contains(k.toLowerCase(Locale.ROOT)) && !k.startsWith(":")) {
          vs.forEach(v -> ex.getResponseHeaders().add(k, k.equalsIgnoreCase("location") ? v.replace("http://" + target, scheme() + "://" + hostPort()).replace(target, hostPort()) : v));
        }
      });
      byte[] body = r.body();
      boolean noBody = ex.getRequestMethod().equals("HEAD") || r.statusCode() == 204 || body.length == 0;
      ex.sendResponseHeaders(r.statusCode(), noBody ? -1 : body.length);
      if (!noBody) {
        try (OutputStream out = ex.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
    server.stop(0);
  }
}
