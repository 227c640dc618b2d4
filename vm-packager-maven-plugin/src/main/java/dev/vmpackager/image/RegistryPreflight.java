package dev.vmpackager.image;

import dev.vmpackager.event.BuildListener;
import dev.vmpackager.publish.RegistryAccess;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.NoSuchAlgorithmException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One quick look at the registry before Jib talks to it. Jib retries every I/O failure with an
 * exponential back-off for about 50 seconds, including failures that cannot heal (an unknown host,
 * a closed port, a certificate nobody trusts); this check turns those into an immediate, clear
 * error. It connects (and, unless insecure registries are allowed, completes a verified TLS
 * handshake with the same trust Jib will use) and sends nothing. It is skipped when a proxy is
 * configured, since Jib then does not connect directly.
 */
final class RegistryPreflight {

  private static final int TIMEOUT_MILLIS = 10_000;

  private RegistryPreflight() {}

  static void check(RegistryAccess access, BuildListener listener) throws ImageException {
    if (System.getProperty("https.proxyHost") != null || System.getProperty("http.proxyHost") != null) {
      listener.debug("A proxy is configured: not checking " + access.registry() + " directly");
      return;
    }
    String registry = access.registry();
    String host = registry;
    int port = 443;
    int colon = registry.lastIndexOf(':');
    if (colon > 0 && registry.indexOf(']') < colon) {
      try {
        port = Integer.parseInt(registry.substring(colon + 1));
        host = registry.substring(0, colon);
      } catch (NumberFormatException e) {
        throw new ImageException("The registry '" + registry + "' has no valid port");
      }
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
      if (access.allowInsecure()) {
        return; // Jib may fall back to unverified TLS or plain http
      }
      SSLContext context = access.caFile().isPresent() ? RegistryTrust.contextTrusting(access.caFile().get())
          : SSLContext.getDefault();
      socket.setSoTimeout(TIMEOUT_MILLIS);
      try (SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(socket, host, port, false)) {
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(parameters);
        tls.startHandshake();
      }
    } catch (UnknownHostException e) {
      throw new ImageException("The registry host " + host + " is unknown (DNS lookup failed)", e);
    } catch (ConnectException | NoRouteToHostException | SocketTimeoutException e) {
      throw new ImageException("Cannot reach the registry " + registry + ": " + e.getMessage(), e);
    } catch (SSLException e) {
      throw new ImageException("Cannot verify the TLS certificate of the registry " + registry + " ("
          + e.getMessage() + "): give the registry's CA certificate file"
          + (access.caFile().map(f -> " (" + f + " does not match)").orElse(""))
          + ", or set <allowInsecureRegistries> (vm.allowInsecureRegistries) for a test registry", e);
    } catch (NoSuchAlgorithmException e) {
      throw new ImageException("This JVM has no default TLS context: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new ImageException("Cannot reach the registry " + registry + ": " + e, e);
    }
  }
}
