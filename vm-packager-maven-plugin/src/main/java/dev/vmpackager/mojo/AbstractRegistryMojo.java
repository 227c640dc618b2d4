package dev.vmpackager.mojo;

import dev.vmpackager.registry.RegistryAccess;
import java.io.File;
import java.util.List;
import java.util.Objects;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/**
 * The goals that talk to registries ({@code containerize} with the registry target, {@code push}):
 * the TLS policy and the credentials, looked up in one order for the image and the chart.
 */
public abstract class AbstractRegistryMojo extends AbstractImageMojo {

  /**
   * Allows plain http and unverified TLS when talking to registries (for a test registry only;
   * a warning is logged).
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.allowInsecureRegistries", defaultValue = "false")
  protected boolean allowInsecureRegistries;

  /**
   * A CA certificate (PEM) to trust for the registries, on top of the JVM's trusted CAs, for a
   * registry with a private CA or a self-signed certificate.
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.registry.caFile")
  protected File registryCaFile;

  /**
   * The registry user name, used when neither a settings.xml {@code <server>} whose id is the
   * registry host nor Docker's config.json has credentials for it.
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.registry.username")
  protected String registryUsername;

  /**
   * The registry password or token that goes with {@code registryUsername}. Prefer a settings.xml
   * {@code <server>} (its password can be encrypted). Never logged.
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.registry.password")
  protected String registryPassword;

  /**
   * More tags for the image besides the one in {@code image}, applied when it is pushed to a
   * registry, e.g. {@code <tags><tag>latest</tag></tags>}.
   *
   * @since 0.1.0
   */
  @Parameter(property = "vm.tags")
  protected List<String> tags;

  /** Decrypts {@code settings.xml} passwords. */
  private final SettingsDecrypter settingsDecrypter;

  /** @param settingsDecrypter decrypts {@code settings.xml} passwords (the subclass's injected one) */
  protected AbstractRegistryMojo(SettingsDecrypter settingsDecrypter) {
    this.settingsDecrypter = Objects.requireNonNull(settingsDecrypter, "settingsDecrypter");
  }

  /** @return {@link #tags} without blanks, never null */
  protected List<String> extraTags() {
    return tags == null ? List.of() : tags.stream().filter(t -> t != null && !t.isBlank()).map(String::trim).toList();
  }

  /**
   * @param registry the registry host, {@code host[:port]}
   * @return its credentials (settings.xml server, then Docker's config.json and credential
   *     helpers, then the {@code vm.registry.*} properties) and TLS policy
   */
  protected RegistryAccess registryAccess(String registry) throws MojoFailureException {
    return RegistryAccessResolver.of(session, settingsDecrypter, listener())
        .resolve(registry, registryUsername, registryPassword, allowInsecureRegistries, registryCaFile);
  }
}
