package dev.vmpackager.publish;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach one registry host: its credentials (if any) and the TLS policy. The same access
 * serves the image push (Jib) and the chart push (ORAS).
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
}
