package dev.vmpackager.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one reader of a registry's CA file, with certificates made by openssl. */
class RegistryTrustTest {

  @TempDir Path dir;

  private Path certificate(String name) throws Exception {
    Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
        dir.resolve(name + ".key").toString(), "-out", dir.resolve(name + ".pem").toString(), "-days", "2",
        "-subj", "/CN=" + name).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), out);
    return dir.resolve(name + ".pem");
  }

  @Test
  void readsEveryCertificateOfAPemFile() throws Exception {
    Path both = dir.resolve("both.pem");
    Files.writeString(both, Files.readString(certificate("one")) + Files.readString(certificate("two")));
    List<X509Certificate> certificates = RegistryTrust.certificates(both);
    assertEquals(List.of("CN=one", "CN=two"),
        certificates.stream().map(c -> c.getSubjectX500Principal().getName()).toList());
    assertNotNull(RegistryTrust.only(both));
    assertNotNull(RegistryTrust.systemAnd(both));
  }

  @Test
  void aMissingEmptyOrForeignFileIsNamedWithTheParameter() throws Exception {
    Path missing = dir.resolve("missing.pem");
    RegistryException e = assertThrows(RegistryException.class, () -> RegistryTrust.certificates(missing));
    assertTrue(e.getMessage().startsWith("The CA certificate file " + missing + " (vm.registry.caFile) does not exist"
        + " or cannot be read"), e.getMessage());
    Path empty = Files.writeString(dir.resolve("empty.pem"), "");
    e = assertThrows(RegistryException.class, () -> RegistryTrust.systemAnd(empty));
    assertEquals("The CA certificate file " + empty + " (vm.registry.caFile) holds no certificate", e.getMessage());
    Path key = dir.resolve("k.key");
    certificate("k");
    e = assertThrows(RegistryException.class, () -> RegistryTrust.only(key));
    assertTrue(e.getMessage().startsWith("The CA certificate file " + key + " (vm.registry.caFile)"), e.getMessage());
  }

  @Test
  void theDefaultContextIsRestoredAfterTheCall() throws Exception {
    SSLContext before = SSLContext.getDefault();
    SSLContext trusting = RegistryTrust.systemAnd(certificate("ca"));
    assertSame(trusting, RegistryTrust.withDefault(trusting, SSLContext::getDefault));
    assertSame(before, SSLContext.getDefault());
    assertThrows(IllegalStateException.class, () -> RegistryTrust.withDefault(trusting, () -> {
      throw new IllegalStateException("the call failed");
    }));
    assertSame(before, SSLContext.getDefault());
  }
}
