package dev.vmpackager.image;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Makes Jib trust an extra CA certificate (a registry's {@code caFile}) for the duration of one call.
 *
 * <p>Why this way: Jib core 0.28.1 builds its secure HTTP transport with
 * {@code SSLConnectionSocketFactory.getSystemSocketFactory()}, i.e. {@code SSLSocketFactory.getDefault()},
 * which asks {@link SSLContext#getDefault()} each time a transport is made. Setting
 * {@code javax.net.ssl.trustStore} does not work inside Maven: the JVM's default context is created
 * once, at the first TLS connection (Maven's own downloads), and never re-reads the property. So we
 * install, only around the Jib call and under a lock, a default {@link SSLContext} whose trust
 * manager accepts what the JVM's default trust store accepts <em>or</em> what chains to the CA file,
 * with full chain and host-name checks both ways, and then restore the previous default. Another
 * thread that opens a TLS connection in that window trusts one more CA, never fewer. Nothing is
 * written to disk.
 */
final class RegistryTrust {

  private static final Object LOCK = new Object();

  private RegistryTrust() {}

  /**
   * @param caFile PEM file with one or more CA certificates
   * @param call the Jib call
   * @return what the call returns
   */
  static <T> T withCaFile(Path caFile, Callable<T> call) throws Exception {
    SSLContext context = contextTrusting(caFile);
    synchronized (LOCK) {
      SSLContext previous = SSLContext.getDefault();
      SSLContext.setDefault(context);
      try {
        return call.call();
      } finally {
        SSLContext.setDefault(previous);
      }
    }
  }

  static SSLContext contextTrusting(Path caFile) throws ImageException {
    List<X509Certificate> certificates = new ArrayList<>();
    try (InputStream in = Files.newInputStream(caFile)) {
      Collection<? extends Certificate> read = CertificateFactory.getInstance("X.509").generateCertificates(in);
      for (Certificate c : read) {
        certificates.add((X509Certificate) c);
      }
    } catch (IOException e) {
      throw new ImageException("Cannot read the registry CA file " + caFile + ": " + e.getMessage(), e);
    } catch (CertificateException e) {
      throw new ImageException("The registry CA file " + caFile + " is not a PEM certificate: " + e.getMessage(), e);
    }
    if (certificates.isEmpty()) {
      throw new ImageException("The registry CA file " + caFile + " holds no certificate");
    }
    try {
      TrustManagerFactory system = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      system.init((KeyStore) null);
      KeyStore extra = KeyStore.getInstance("PKCS12");
      extra.load(null, null);
      for (int i = 0; i < certificates.size(); i++) {
        extra.setCertificateEntry("ca-" + i, certificates.get(i));
      }
      TrustManagerFactory ca = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      ca.init(extra);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {new EitherTrustManager(extended(system), extended(ca))}, null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new ImageException("Cannot build a trust store from " + caFile + ": " + e.getMessage(), e);
    }
  }

  private static X509ExtendedTrustManager extended(TrustManagerFactory f) throws GeneralSecurityException {
    for (TrustManager tm : f.getTrustManagers()) {
      if (tm instanceof X509ExtendedTrustManager x) {
        return x;
      }
    }
    throw new GeneralSecurityException("no X509ExtendedTrustManager from " + f.getAlgorithm());
  }

  /** Trusts a server when the system trust store or the CA file does. */
  private static final class EitherTrustManager extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager first;
    private final X509ExtendedTrustManager second;

    EitherTrustManager(X509ExtendedTrustManager first, X509ExtendedTrustManager second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      try {
        first.checkServerTrusted(chain, authType, socket);
      } catch (CertificateException e) {
        second.checkServerTrusted(chain, authType, socket);
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      try {
        first.checkServerTrusted(chain, authType, engine);
      } catch (CertificateException e) {
        second.checkServerTrusted(chain, authType, engine);
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      try {
        first.checkServerTrusted(chain, authType);
      } catch (CertificateException e) {
        second.checkServerTrusted(chain, authType);
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      first.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      first.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      first.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      X509Certificate[] a = first.getAcceptedIssuers();
      X509Certificate[] b = second.getAcceptedIssuers();
      X509Certificate[] all = java.util.Arrays.copyOf(a, a.length + b.length);
      System.arraycopy(b, 0, all, a.length, b.length);
      return all;
    }
  }
}
