package dev.vmpackager.registry;

import dev.vmpackager.event.BuildListener;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One quick look at a registry before a client talks to it: a connection and, where asked, a TLS
 * handshake with host-name checks; nothing is sent. It tells a client whether the registry speaks
 * TLS and whether its certificate verifies ({@link #tls}), so an insecure-allowed push can pick
 * https, unverified https or http, and it turns what cannot heal (an unknown host, a closed port, a
 * certificate nobody trusts) into an immediate, clear {@link RegistryException} instead of a
 * client's retries ({@link #requireVerified}, {@link #reach}).
 */
public final class RegistryProbe {

  /** How a registry answered a TLS handshake. */
  public enum Tls {
    /** TLS, with a certificate the trust context accepts. */
    VERIFIED,
    /** TLS, with a certificate it does not accept. */
    UNVERIFIED,
    /** No TLS: a plain-http registry. */
    PLAIN
  }

  private static final int CONNECT_TIMEOUT_MS = 10_000;

  private RegistryProbe() {}

  /**
   * @param access the registry (its {@code caFile} is not read here: {@code trust} says what is trusted)
   * @param trust the certificates to accept, e.g. {@link #trust(RegistryAccess, boolean)}
   * @param handshakeTimeout how long to wait for the TLS answer: a TLS server answers at once, a
   *     plain HTTP server may wait for a request line
   * @param listener where the outcome goes, as debug lines
   * @return whether the registry speaks TLS and whether its certificate verifies
   * @throws RegistryException when the registry cannot be connected to
   */
  public static Tls tls(RegistryAccess access, SSLContext trust, Duration handshakeTimeout, BuildListener listener)
      throws RegistryException {
    String registry = access.registry();
    try (Socket plain = connect(access)) {
      plain.setSoTimeout((int) handshakeTimeout.toMillis());
      handshake(plain, access, trust);
      listener.debug("Registry " + registry + ": TLS certificate verified");
      return Tls.VERIFIED;
    } catch (SSLException e) {
      if (RegistryFaults.find(e, CertificateException.class) != null
          || String.valueOf(e.getMessage()).contains("certif")) {
        listener.debug("Registry " + registry + ": TLS certificate not trusted: " + e.getMessage());
        return Tls.UNVERIFIED;
      }
      listener.debug("Registry " + registry + ": no TLS (" + e.getMessage() + ")");
      return access.port().isEmpty() ? Tls.UNVERIFIED : Tls.PLAIN;
    } catch (SocketTimeoutException e) {
      // Connected, but no TLS answer: a plain HTTP server waiting for its request line.
      listener.debug("Registry " + registry + ": no answer to a TLS handshake, taking it for plain http");
      return Tls.PLAIN;
    } catch (RegistryException e) {
      throw e;
    } catch (IOException e) {
      throw RegistryFaults.map(e, "connecting to it", access);
    }
  }

  /**
   * Connects and completes a TLS handshake whose certificate {@code trust} accepts.
   *
   * @param access the registry
   * @param trust the certificates to accept
   * @param timeout how long to wait for the TLS answer
   * @throws RegistryUnreachableException when the registry cannot be connected to, does not speak
   *     TLS or presents a certificate {@code trust} does not accept
   * @throws RegistryException when the connection fails otherwise
   */
  public static void requireVerified(RegistryAccess access, SSLContext trust, Duration timeout)
      throws RegistryException {
    try (Socket plain = connect(access)) {
      plain.setSoTimeout((int) timeout.toMillis());
      handshake(plain, access, trust);
    } catch (RegistryException e) {
      throw e;
    } catch (IOException e) {
      throw RegistryFaults.map(e, "connecting to it", access);
    }
  }

  /**
   * Connects (to port 443 when the registry names none) and closes the connection again.
   *
   * @param access the registry
   * @throws RegistryException when it cannot be connected to
   */
  public static void reach(RegistryAccess access) throws RegistryException {
    try {
      connect(access).close();
    } catch (RegistryException e) {
      throw e;
    } catch (IOException e) {
      throw RegistryFaults.map(e, "connecting to it", access);
    }
  }

  /**
   * @param access the registry
   * @param withSystem whether the JVM's trusted CAs count besides {@code access.caFile()}
   * @return the JVM's default TLS context, or one that trusts the registry's CA file (and, with
   *     {@code withSystem}, the JVM's CAs: {@link RegistryTrust#systemAnd}; else
   *     {@link RegistryTrust#only})
   * @throws RegistryException when the CA file cannot be read or this JVM has no TLS
   */
  public static SSLContext trust(RegistryAccess access, boolean withSystem) throws RegistryException {
    if (access.caFile().isPresent()) {
      return withSystem ? RegistryTrust.systemAnd(access.caFile().get()) : RegistryTrust.only(access.caFile().get());
    }
    try {
      return SSLContext.getDefault();
    } catch (NoSuchAlgorithmException e) {
      throw new RegistryException("This JVM has no default TLS context: " + e.getMessage(), e);
    }
  }

  private static Socket connect(RegistryAccess access) throws IOException {
    int port;
    try {
      port = access.port().orElse(443);
    } catch (IllegalArgumentException e) {
      throw new RegistryException(e.getMessage(), e);
    }
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(access.host(), port), CONNECT_TIMEOUT_MS);
    } catch (SocketTimeoutException e) {
      socket.close();
      throw RegistryFaults.connectTimedOut("connecting to it", access, e);
    } catch (IOException e) {
      socket.close();
      throw e;
    }
    return socket;
  }

  private static void handshake(Socket plain, RegistryAccess access, SSLContext trust) throws IOException {
    String host = access.host();
    int port = plain.getPort();
    try (SSLSocket tls = (SSLSocket) trust.getSocketFactory().createSocket(plain, host, port, false)) {
      SSLParameters parameters = tls.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      tls.setSSLParameters(parameters);
      tls.startHandshake();
    }
  }
}
