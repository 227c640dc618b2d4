package dev.vmpackager.registry;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How to reach one registry host: its credentials (if any) and the TLS policy. The same access
 * serves every push: the image (Jib's registry client) and the chart (ORAS).
 *
 * @param registry host[:port], e.g. {@code localhost:5000}
 * @param credentials the credentials, when some source had them
 * @param allowInsecure plain http or unverified TLS allowed ({@code vm.allowInsecureRegistries})
 * @param caFile an extra CA certificate (PEM) to trust for this registry
 */
public record RegistryAccess(String registry, Optional<RegistryCredentials> credentials, boolean allowInsecure,
    Optional<Path> caFile) {

  public RegistryAccess {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(credentials, "credentials");
    Objects.requireNonNull(caFile, "caFile");
  }

  /** @return anonymous access with TLS verified against the system trust store */
  public static RegistryAccess anonymous(String registry) {
    return new RegistryAccess(registry, Optional.empty(), false, Optional.empty());
  }

  /** @return the host to connect to: {@link #registry()} without its port and the brackets of an IPv6 address */
  public String host() {
    int colon = portColon();
    String host = colon < 0 ? registry : registry.substring(0, colon);
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  /**
   * @return the port written in {@link #registry()}, if one is
   * @throws IllegalArgumentException when what follows the last {@code :} is not a port number
   */
  public OptionalInt port() {
    int colon = portColon();
    if (colon < 0) {
      return OptionalInt.empty();
    }
    try {
      return OptionalInt.of(Integer.parseInt(registry.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("The registry '" + registry + "' has no valid port", e);
    }
  }

  /** @return where the port's {@code :} is, or -1 (an IPv6 address in brackets holds colons of its own) */
  private int portColon() {
    int colon = registry.lastIndexOf(':');
    return colon > 0 && colon > registry.lastIndexOf(']') ? colon : -1;
  }
}
