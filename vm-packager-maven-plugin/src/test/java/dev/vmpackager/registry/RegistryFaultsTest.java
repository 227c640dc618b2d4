package dev.vmpackager.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import land.oras.exception.OrasException;
import org.junit.jupiter.api.Test;

/**
 * One classification for every client: what is tried again and what the user is told. (Jib's
 * status-carrying {@code ResponseException} cannot be made outside Jib; the image push tests
 * drive it through a real registry and a fault-injecting proxy.)
 */
class RegistryFaultsTest {

  private static final RegistryCredentials CREDENTIALS =
      new RegistryCredentials("builder", "Pa55-word", "settings.xml server 'r.example.com:5000'");

  private static RegistryAccess access(String registry, boolean insecure) {
    return new RegistryAccess(registry, Optional.of(CREDENTIALS), insecure, Optional.empty());
  }

  @Test
  void whatPassesIsTriedAgainWhatCannotHealIsNot() {
    assertTrue(RegistryFaults.isTransient(new OrasException(500, "boom")));
    assertTrue(RegistryFaults.isTransient(new OrasException(503, "busy")));
    assertTrue(RegistryFaults.isTransient(new OrasException(429, "slow down")));
    assertTrue(RegistryFaults.isTransient(new EOFException("dropped")));
    assertTrue(RegistryFaults.isTransient(new RuntimeException(new SocketTimeoutException("Read timed out"))));
    assertTrue(RegistryFaults.isTransient(new OrasException("Failed to push layer: <html>")));

    assertFalse(RegistryFaults.isTransient(new OrasException(401, "unauthorized")));
    assertFalse(RegistryFaults.isTransient(new OrasException(404, "not found")));
    assertFalse(RegistryFaults.isTransient(new ConnectException("refused")));
    assertFalse(RegistryFaults.isTransient(new RuntimeException(new UnknownHostException("nowhere"))));
    assertFalse(RegistryFaults.isTransient(new SSLHandshakeException("PKIX path building failed")));
    assertFalse(RegistryFaults.isTransient(new HttpConnectTimeoutException("connect timed out")));
    assertFalse(RegistryFaults.isTransient(new IllegalStateException("a bug")));
  }

  @Test
  void refusedCredentialsNameTheUserAndTheirSourceNeverTheSecret() {
    RegistryException e = RegistryFaults.map(new OrasException(401, "denied Pa55-word"), "pushing x",
        access("r.example.com:5000", false));
    RegistryAuthenticationException auth = assertInstanceOf(RegistryAuthenticationException.class, e);
    assertEquals(401, auth.status());
    assertTrue(e.getMessage().contains("The registry r.example.com:5000 refused the credentials (HTTP 401"
        + " Unauthorized) while pushing x") && e.getMessage().contains("user 'builder' from settings.xml server"),
        e.getMessage());
    assertFalse(e.getMessage().contains("Pa55-word"), e.getMessage());

    RegistryException anonymous = RegistryFaults.map(new OrasException(403, "denied"), "pushing x",
        RegistryAccess.anonymous("r.example.com:5000"));
    assertTrue(anonymous.getMessage().contains("No credentials were found for it")
        && anonymous.getMessage().contains("may push"), anonymous.getMessage());
  }

  @Test
  void unreachableRegistriesSayWhere() {
    RegistryException refused = RegistryFaults.map(new ConnectException("Connection refused"), "pushing x",
        access("r.example.com", true));
    assertInstanceOf(RegistryUnreachableException.class, refused);
    assertTrue(refused.getMessage().contains("connection to r.example.com (port 443 or 80) refused"),
        refused.getMessage());
    RegistryException unknown = RegistryFaults.map(new UnknownHostException("nowhere.example"), "pushing x",
        access("nowhere.example:5000", false));
    assertInstanceOf(RegistryUnreachableException.class, unknown);
    assertTrue(unknown.getMessage().contains("unknown host 'nowhere.example'"), unknown.getMessage());
  }

  @Test
  void anUntrustedCertificateNamesTheCaFileParameter() {
    SSLHandshakeException tls = new SSLHandshakeException("PKIX path building failed");
    tls.initCause(new CertificateException("unable to find valid certification path"));
    RegistryAccess withCa = new RegistryAccess("r.example.com", Optional.empty(), false,
        Optional.of(Path.of("/etc/ca.pem")));
    RegistryException e = RegistryFaults.map(tls, "connecting to it", withCa);
    assertInstanceOf(RegistryUnreachableException.class, e);
    assertTrue(e.getMessage().contains("The TLS certificate of the registry r.example.com is not trusted")
        && e.getMessage().contains("vm.registry.caFile (/etc/ca.pem does not match)")
        && e.getMessage().contains("vm.allowInsecureRegistries=true"), e.getMessage());
  }

  @Test
  void otherAnswersKeepTheStatusAndTheClientsWordsWithoutTheSecret() {
    RegistryException e = RegistryFaults.map(new OrasException(500, "echo: Pa55-word"), "pushing x",
        access("r.example.com:5000", false));
    assertEquals(RegistryException.class, e.getClass());
    assertEquals("The registry r.example.com:5000 answered HTTP 500 while pushing x: echo: ****", e.getMessage());
  }
}
