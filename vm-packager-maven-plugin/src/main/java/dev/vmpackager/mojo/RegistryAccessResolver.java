package dev.vmpackager.mojo;

import dev.vmpackager.event.BuildListener;
import dev.vmpackager.registry.DockerCredentials;
import dev.vmpackager.registry.RegistryAccess;
import dev.vmpackager.registry.RegistryAuthenticationException;
import dev.vmpackager.registry.RegistryCredentials;
import dev.vmpackager.registry.RegistryException;
import dev.vmpackager.registry.RegistryUnreachableException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.building.SettingsProblem;
import org.apache.maven.settings.crypto.DefaultSettingsDecryptionRequest;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.apache.maven.settings.crypto.SettingsDecryptionResult;

/**
 * Works out how to reach one registry host ({@link RegistryAccess}) from what Maven knows. The
 * credentials come from the first of:
 * <ol>
 *   <li>a {@code settings.xml} {@code <server>} whose {@code <id>} is the registry host, e.g.
 *       {@code 127.0.0.1:5000} (an encrypted {@code <password>} is decrypted);</li>
 *   <li>Docker's {@code config.json}: its credential helpers, then {@code auths}
 *       ({@link DockerCredentials});</li>
 *   <li>the {@code vm.registry.username} / {@code vm.registry.password} properties.</li>
 * </ol>
 * Secrets are never logged, also not with {@code -X}: debug lines name the source only.
 *
 * <p>In a Mojo:
 * <pre>{@code
 * @Inject public PushMojo(SettingsDecrypter decrypter) { ... }
 * RegistryAccess access = RegistryAccessResolver.of(session, decrypter, listener())
 *     .resolve(repo.registry(), registryUsername, registryPassword, allowInsecureRegistries, registryCaFile);
 * }</pre>
 */
public final class RegistryAccessResolver {

  /** User property of the fallback user name. */
  public static final String USERNAME_PROPERTY = "vm.registry.username";
  /** User property of the fallback password. */
  public static final String PASSWORD_PROPERTY = "vm.registry.password";
  /** User property of the extra CA certificate (PEM). */
  public static final String CA_FILE_PROPERTY = "vm.registry.caFile";
  /** User property that allows plain http and unverified TLS. */
  public static final String INSECURE_PROPERTY = "vm.allowInsecureRegistries";

  private final Settings settings;
  private final SettingsDecrypter decrypter;
  private final DockerCredentials docker;
  private final BuildListener listener;

  /**
   * @param settings the build's settings ({@code session.getSettings()}), may be null
   * @param decrypter Maven's settings decrypter (inject it into the Mojo)
   * @param docker Docker's credential store
   * @param listener where warnings and source-only debug lines go
   */
  public RegistryAccessResolver(Settings settings, SettingsDecrypter decrypter, DockerCredentials docker,
      BuildListener listener) {
    this.settings = settings;
    this.decrypter = Objects.requireNonNull(decrypter, "decrypter");
    this.docker = Objects.requireNonNull(docker, "docker");
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /**
   * @param session the Maven session (its settings), may be null (no settings.xml)
   * @param decrypter Maven's settings decrypter
   * @param listener the Mojo's listener
   * @return a resolver reading Docker's config of this process ({@code $DOCKER_CONFIG} or {@code ~/.docker})
   */
  public static RegistryAccessResolver of(MavenSession session, SettingsDecrypter decrypter, BuildListener listener) {
    return new RegistryAccessResolver(session == null ? null : session.getSettings(), decrypter,
        DockerCredentials.fromEnvironment(listener),
        listener);
  }

  /**
   * @param registry the registry host, {@code host[:port]}, exactly as in the image reference or chart URL
   * @param username {@value #USERNAME_PROPERTY}, may be null
   * @param password {@value #PASSWORD_PROPERTY}, may be null
   * @param allowInsecure {@value #INSECURE_PROPERTY}
   * @param caFile {@value #CA_FILE_PROPERTY}, may be null
   * @return the access for {@code registry}
   * @throws MojoFailureException if a source is broken (undecryptable password, bad config.json,
   *     failing credential helper), only one of user name and password is set, or the CA file is missing
   */
  public RegistryAccess resolve(String registry, String username, String password, boolean allowInsecure, File caFile)
      throws MojoFailureException {
    Optional<Path> ca = Optional.empty();
    if (caFile != null) {
      if (!caFile.isFile() || !Files.isReadable(caFile.toPath())) {
        throw new MojoFailureException("The CA certificate file " + caFile + " (" + CA_FILE_PROPERTY
            + ") does not exist or cannot be read");
      }
      ca = Optional.of(caFile.toPath().toAbsolutePath());
    }
    if (allowInsecure) {
      listener.debug("Registry " + registry + ": " + INSECURE_PROPERTY + " is set, plain http and unverified TLS allowed");
    }
    return new RegistryAccess(registry, credentials(registry, username, password), allowInsecure, ca);
  }

  private Optional<RegistryCredentials> credentials(String registry, String username, String password)
      throws MojoFailureException {
    Optional<RegistryCredentials> fromSettings = fromSettings(registry);
    if (fromSettings.isPresent()) {
      return fromSettings;
    }
    try {
      Optional<RegistryCredentials> fromDocker = docker.lookup(registry);
      if (fromDocker.isPresent()) {
        return fromDocker;
      }
    } catch (RegistryException e) {
      throw new MojoFailureException(e.getMessage(), e);
    }
    boolean hasUser = username != null && !username.isBlank();
    boolean hasPassword = password != null && !password.isEmpty();
    if (hasUser != hasPassword) {
      throw new MojoFailureException("Set both " + USERNAME_PROPERTY + " and " + PASSWORD_PROPERTY + ", or neither"
          + " (only " + (hasUser ? USERNAME_PROPERTY : PASSWORD_PROPERTY) + " is set)");
    }
    if (hasUser) {
      listener.debug("Registry " + registry + ": credentials from " + USERNAME_PROPERTY + "/" + PASSWORD_PROPERTY);
      return Optional.of(new RegistryCredentials(username.trim(), password,
          USERNAME_PROPERTY + "/" + PASSWORD_PROPERTY));
    }
    listener.debug("Registry " + registry + ": no credentials (looked up settings.xml <server> id '" + registry
        + "', " + docker.configFile() + ", " + USERNAME_PROPERTY + ")");
    return Optional.empty();
  }

  private Optional<RegistryCredentials> fromSettings(String registry) throws MojoFailureException {
    Server server = settings == null ? null : settings.getServer(registry);
    if (server == null) {
      listener.debug("Registry " + registry + ": no settings.xml <server> with id '" + registry + "'");
      return Optional.empty();
    }
    SettingsDecryptionResult result = decrypter.decrypt(new DefaultSettingsDecryptionRequest(server));
    for (SettingsProblem p : result.getProblems()) {
      if (p.getSeverity() != SettingsProblem.Severity.WARNING) {
        throw new MojoFailureException("Cannot decrypt the password of the settings.xml <server> '" + registry + "': "
            + result.getProblems().stream().map(SettingsProblem::getMessage).collect(Collectors.joining("; ")));
      }
    }
    Server s = result.getServer();
    String user = s.getUsername();
    String password = s.getPassword();
    if (user == null || user.isBlank() || password == null || password.isEmpty()) {
      listener.warn("The settings.xml <server> '" + registry + "' has no <username> and <password>; ignoring it");
      return Optional.empty();
    }
    String source = "settings.xml server '" + registry + "'";
    listener.debug("Registry " + registry + ": credentials from " + source);
    return Optional.of(new RegistryCredentials(user, password, source));
  }

  /**
   * Offline mode ({@code mvn -o}) never touches the network. The advice names every skip an
   * offline {@code deploy} needs: after {@code vm.push.skip}, maven-deploy-plugin (bound to the
   * same phase) would fail the same way.
   *
   * @param session the session
   * @param what what would have been done, e.g. {@code push the chart to oci://...}
   * @throws MojoFailureException in offline mode
   */
  public static void requireOnline(MavenSession session, String what) throws MojoFailureException {
    if (session.isOffline()) {
      throw new MojoFailureException("Maven is offline (-o): cannot " + what + ". Run without -o; or build"
          + " only up to install (mvn -o install); or skip both network steps of deploy with"
          + " -Dvm.push.skip=true -Dmaven.deploy.skip=true");
    }
  }

  /**
   * Maps a publishing failure ({@link RegistryException}, or the output's own, e.g. an invalid
   * chart) onto Maven's: what the user can fix (credentials, unreachable registry, bad repository
   * URL or chart) fails the build, the rest is an execution error.
   *
   * <pre>{@code
   * catch (PublishException | RegistryException e) { RegistryAccessResolver.fail(e); }
   * }</pre>
   *
   * @param e the failure
   * @throws MojoFailureException for credentials refused, an unreachable registry, or invalid
   *     input (repository URL, chart, CA file): a failure without a cause
   * @throws MojoExecutionException for anything else (e.g. the registry kept failing with 5xx)
   */
  public static void fail(IOException e) throws MojoExecutionException, MojoFailureException {
    if (e instanceof RegistryAuthenticationException || e instanceof RegistryUnreachableException
        || e.getCause() == null) {
      throw new MojoFailureException(e.getMessage(), e);
    }
    throw new MojoExecutionException(e.getMessage(), e);
  }
}
