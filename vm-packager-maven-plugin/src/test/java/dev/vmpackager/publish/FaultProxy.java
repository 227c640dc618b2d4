package dev.vmpackager.publish;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny HTTP proxy on 127.0.0.1 in front of a real plain-http registry that injects faults: it
 * answers a given status, or drops the connection without an answer, for the first {@code n}
 * requests whose method and path match, and forwards everything else (rewriting {@code Location}).
 */
final class FaultProxy implements AutoCloseable {

  enum Fault { STATUS_500, DROP, HANG }

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
  final List<String> seen = new CopyOnWriteArrayList<>();

  FaultProxy(String targetHostPort, String method, String pathPart, Fault fault, int times) throws IOException {
    this.target = targetHostPort;
    this.method = method;
    this.pathPart = pathPart;
    this.fault = fault;
    this.remaining = new AtomicInteger(times);
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  String hostPort() {
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
          vs.forEach(v -> ex.getResponseHeaders().add(k, k.equalsIgnoreCase("location") ? v.replace(target, hostPort()) : v));
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
