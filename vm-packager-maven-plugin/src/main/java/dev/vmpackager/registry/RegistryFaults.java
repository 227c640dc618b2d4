package dev.vmpackager.registry;

import com.google.cloud.tools.jib.api.InsecureRegistryException;
import com.google.cloud.tools.jib.http.ResponseException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.security.cert.CertificateException;
import java.util.Optional;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import land.oras.exception.OrasException;

/**
 * The one classification of registry failures, whichever client threw them (Jib's registry
 * client, the ORAS SDK): which are worth another try ({@link #isTransient}) and what to tell the
 * user ({@link #map}: a {@link RegistryException} that says which registry, what happened and what
 * to do, never a secret). The clients differ only in how they carry the HTTP status: Jib in a
 * {@link ResponseException}, ORAS in an unchecked {@link OrasException} whose message is often just
 * a status code or "Failed to execute request".
 */
final class RegistryFaults {

  private RegistryFaults() {}

  /** @return the HTTP status the registry answered, if the failure carries one */
  static Optional<Integer> status(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      // ORAS reports an I/O failure (no answer at all) as status -1.
      if (t instanceof OrasException o && o.getStatusCode() != null && o.getStatusCode() >= 100) {
        return Optional.of(o.getStatusCode());
      }
      if (t instanceof ResponseException r) {
        return Optional.of(r.getStatusCode());
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return Optional.empty();
  }

  /**
   * @return whether trying again may succeed: HTTP 5xx or 429, a connection dropped mid-request,
   *     or a blob upload ORAS reports without a status; never 4xx, refused connections, unknown
   *     hosts or TLS failures
   */
  static boolean isTransient(Throwable e) {
    Optional<Integer> status = status(e);
    if (status.isPresent()) {
      return status.get() >= 500 || status.get() == 429;
    }
    if (find(e, ConnectException.class) != null || find(e, UnknownHostException.class) != null
        || find(e, NoRouteToHostException.class) != null || find(e, SSLException.class) != null
        || find(e, HttpConnectTimeoutException.class) != null) {
      return false;
    }
    if (find(e, IOException.class) != null) {
      return true; // reset, EOF, "header parser received no bytes", read timeout
    }
    // ORAS 0.7.0 reports a failed blob PUT as "Failed to push layer: <body>" without the status.
    return e.getMessage() != null && e.getMessage().startsWith("Failed to push layer");
  }

  /**
   * @param e what the client threw
   * @param what what was being done, e.g. {@code pushing chart 127.0.0.1:5000/charts/app:1.0.0}
   * @param access the registry and the credentials' source (never their secret)
   * @return the failure to report
   */
  static RegistryException map(Throwable e, String what, RegistryAccess access) {
    String registry = access.registry();
    Optional<Integer> status = status(e);
    if (status.isPresent() && (status.get() == 401 || status.get() == 403)) {
      return new RegistryAuthenticationException(status.get(), authMessage(status.get(), what, access), e);
    }
    if (find(e, UnknownHostException.class) != null) {
      return new RegistryUnreachableException("The registry " + registry + " is unreachable: unknown host '"
          + access.host() + "' (" + what + ")", e);
    }
    if (find(e, ConnectException.class) != null || find(e, NoRouteToHostException.class) != null) {
      return new RegistryUnreachableException("The registry " + registry + " is unreachable: connection to "
          + withPort(access) + " refused or no route (" + what + "). Is the registry running, and are its host and"
          + " port right?", e);
    }
    if (find(e, HttpConnectTimeoutException.class) != null) {
      return connectTimedOut(what, access, e);
    }
    SSLException ssl = find(e, SSLException.class);
    if (ssl != null) {
      String message = text(ssl.getMessage(), access);
      if (find(e, CertificateException.class) != null || ssl instanceof SSLHandshakeException
          && message.contains("certif")) {
        return new RegistryUnreachableException("The TLS certificate of the registry " + registry
            + " is not trusted (" + message + ") while " + what + ". Give its CA certificate (PEM) with"
            + " vm.registry.caFile" + access.caFile().map(f -> " (" + f + " does not match)").orElse("")
            + ", or set vm.allowInsecureRegistries=true to skip the check", e);
      }
      if (message.contains("plaintext") || message.contains("Unsupported or unrecognized SSL message")) {
        return new RegistryUnreachableException("The registry " + registry + " does not speak TLS (https) while "
            + what + ". If it is a plain-http registry, set vm.allowInsecureRegistries=true", e);
      }
      return new RegistryUnreachableException("TLS with the registry " + registry + " failed while " + what + ": "
          + message, e);
    }
    if (find(e, InsecureRegistryException.class) != null) {
      return new RegistryUnreachableException("The registry " + registry + " cannot be reached over verified https"
          + " while " + what + ". Give its CA certificate (PEM) with vm.registry.caFile, or set"
          + " vm.allowInsecureRegistries=true for a test registry", e);
    }
    if (status.isPresent()) {
      return new RegistryException("The registry " + registry + " answered HTTP " + status.get() + " while " + what
          + detail(e, access), e);
    }
    if (find(e, HttpTimeoutException.class) != null) {
      return new RegistryException("The registry " + registry + " did not answer in time while " + what, e);
    }
    IOException io = find(e, IOException.class);
    if (io != null) {
      return new RegistryException("The connection to the registry " + registry + " failed while " + what + ": "
          + text(io.toString(), access), e);
    }
    return new RegistryException("The registry " + registry + " failed while " + what + detail(e, access), e);
  }

  /**
   * @param what what was being done
   * @param access the registry
   * @param cause the timeout
   * @return the failure of a connection that was not accepted in time
   */
  static RegistryUnreachableException connectTimedOut(String what, RegistryAccess access, Throwable cause) {
    return new RegistryUnreachableException("The registry " + access.registry() + " is unreachable: connecting to "
        + withPort(access) + " timed out (" + what + ")", cause);
  }

  private static String authMessage(int status, String what, RegistryAccess access) {
    String registry = access.registry();
    StringBuilder m = new StringBuilder("The registry ").append(registry);
    if (status == 401) {
      m.append(" refused the credentials (HTTP 401 Unauthorized) while ").append(what).append(". ");
    } else {
      m.append(" denied access (HTTP 403 Forbidden) while ").append(what).append(". ");
    }
    if (access.credentials().isPresent()) {
      RegistryCredentials c = access.credentials().get();
      m.append("Credentials used: user '").append(c.username()).append("' from ").append(c.source()).append('.');
    } else {
      m.append("No credentials were found for it: looked up a settings.xml <server> with id '").append(registry)
          .append("', Docker's config.json (auths, credHelpers, credsStore) and vm.registry.username/password.");
    }
    if (status == 403) {
      m.append(" Check that this user may push to that repository.");
    }
    return m.toString();
  }

  private static String detail(Throwable e, RegistryAccess access) {
    String msg = e.getMessage();
    return msg == null || msg.isBlank() ? "" : ": " + text(msg, access);
  }

  /** A client's own text, never with the password (a registry may echo a request back). */
  private static String text(String message, RegistryAccess access) {
    String m = String.valueOf(message);
    Optional<String> password = access.credentials().map(RegistryCredentials::password).filter(p -> !p.isEmpty());
    return password.isPresent() ? m.replace(password.get(), "****") : m;
  }

  private static String withPort(RegistryAccess access) {
    try {
      if (access.port().isPresent()) {
        return access.registry();
      }
    } catch (IllegalArgumentException e) {
      return access.registry();
    }
    return access.registry() + (access.allowInsecure() ? " (port 443 or 80)" : ":443");
  }

  static <T extends Throwable> T find(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }
}
