package dev.vmpackager.registry;

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
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Which TLS certificates a registry may present, and the one place a registry's CA file
 * ({@code vm.registry.caFile}, PEM, one or more certificates) is read. A client that takes a
 * trust context gets {@link #systemAnd(Path)} (the JVM's CAs or the file's) or {@link #only(Path)}
 * (the file's alone, what the ORAS client trusts when given the file).
 *
 * <p>Jib core 0.28.1 takes no trust context: it builds its secure HTTP transport with
 * {@code SSLConnectionSocketFactory.getSystemSocketFactory()}, i.e. {@code SSLSocketFactory.getDefault()},
 * which asks {@link SSLContext#getDefault()} each time a transport is made. Setting
 * {@code javax.net.ssl.trustStore} does not work inside Maven: the JVM's default context is created
 * once, at the first TLS connection (Maven's own downloads), and never re-reads the property. So
 * {@link #withDefault(SSLContext, Callable)} installs, only around the call and under a lock, a
 * default {@link SSLContext} (from {@link #systemAnd(Path)}: full chain and host-name checks both
 * ways) and then restores the previous default. Another thread that opens a TLS connection in that
 * window trusts one more CA, never fewer. Nothing is written to disk.
 */
public final class RegistryTrust {

  private static final Object LOCK = new Object();

  private RegistryTrust() {}

  /**
   * Runs a call of a client that trusts the JVM's default TLS context, with {@code context} as
   * that default.
   *
   * @param context the TLS context, e.g. {@link #systemAnd(Path)}
   * @param call the client call
   * @return what the call returns
   * @throws Exception what the call throws
   */
  public static <T> T withDefault(SSLContext context, Callable<T> call) throws Exception {
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

  /**
   * @param caFile PEM file with one or more CA certificates
   * @return the certificates in it
   * @throws RegistryException naming the file and {@code vm.registry.caFile} when it cannot be
   *     read, is not PEM or holds no certificate
   */
  public static List<X509Certificate> certificates(Path caFile) throws RegistryException {
    List<X509Certificate> certificates = new ArrayList<>();
    try (InputStream in = Files.newInputStream(caFile)) {
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        certificates.add((X509Certificate) c);
      }
    } catch (IOException e) {
      throw new RegistryException("The CA certificate file " + caFile + " (vm.registry.caFile) does not exist or"
          + " cannot be read: " + e.getMessage(), e);
    } catch (CertificateException e) {
      throw new RegistryException("The CA certificate file " + caFile + " (vm.registry.caFile) is not a PEM"
          + " certificate: " + e.getMessage(), e);
    }
    if (certificates.isEmpty()) {
      throw new RegistryException("The CA certificate file " + caFile + " (vm.registry.caFile) holds no certificate");
    }
    return certificates;
  }

  /**
   * @param caFile PEM file with one or more CA certificates
   * @return a TLS context that trusts a server the JVM's trust store or the CA file trusts
   * @throws RegistryException when the file is not a CA certificate file ({@link #certificates(Path)})
   */
  public static SSLContext systemAnd(Path caFile) throws RegistryException {
    try {
      TrustManagerFactory system = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      system.init((KeyStore) null);
      return context(new EitherTrustManager(extended(system), extended(trusting(caFile))));
    } catch (GeneralSecurityException e) {
      throw new RegistryException("Cannot build a trust store from " + caFile + ": " + e.getMessage(), e);
    }
  }

  /**
   * @param caFile PEM file with one or more CA certificates
   * @return a TLS context that trusts a server only when the CA file does
   * @throws RegistryException when the file is not a CA certificate file ({@link #certificates(Path)})
   */
  public static SSLContext only(Path caFile) throws RegistryException {
    try {
      return context(extended(trusting(caFile)));
    } catch (GeneralSecurityException e) {
      throw new RegistryException("Cannot build a trust store from " + caFile + ": " + e.getMessage(), e);
    }
  }

  private static TrustManagerFactory trusting(Path caFile) throws RegistryException, GeneralSecurityException {
    List<X509Certificate> certificates = certificates(caFile);
    KeyStore store = KeyStore.getInstance("PKCS12");
    try {
      store.load(null, null);
    } catch (IOException e) {
      throw new GeneralSecurityException("an empty key store cannot be made: " + e.getMessage(), e);
    }
    for (int i = 0; i < certificates.size(); i++) {
      store.setCertificateEntry("ca-" + i, certificates.get(i));
    }
    TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    f.init(store);
    return f;
  }

  private static SSLContext context(X509ExtendedTrustManager trust) throws GeneralSecurityException {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {trust}, null);
    return context;
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

    /** One of the three server checks, the same for both trust managers. */
    private interface ServerCheck {
      void check(X509ExtendedTrustManager tm) throws CertificateException;
    }

    private void either(ServerCheck check) throws CertificateException {
      try {
        check.check(first);
      } catch (CertificateException e) {
        check.check(second);
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      either(tm -> tm.checkServerTrusted(chain, authType, socket));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      either(tm -> tm.checkServerTrusted(chain, authType, engine));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      either(tm -> tm.checkServerTrusted(chain, authType));
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
      X509Certificate[] all = Arrays.copyOf(a, a.length + b.length);
      System.arraycopy(b, 0, all, a.length, b.length);
      return all;
    }
  }
}
