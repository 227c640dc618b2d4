package dev.vmpackager.registry;

import dev.vmpackager.event.BuildListener;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Registry credentials the way the Docker CLI keeps them, read without Docker: Docker's
 * {@code config.json} ({@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}).
 * For a registry host it asks, in this order, the credential helper named for that host in
 * {@code credHelpers}, the default store {@code credsStore}, then the {@code auths} entry (base64
 * {@code user:password} in {@code auth}, or {@code username}/{@code password}). A helper is the
 * program {@code docker-credential-<name>} on the PATH, run as {@code docker-credential-<name> get}
 * with the host on its standard input, answering {@code {"Username":...,"Secret":...}}.
 *
 * <p>Secrets are never logged; debug lines say only which source answered.
 */
public final class DockerCredentials {

  private static final Pattern HELPER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final List<String> DOCKER_HUB = List.of("docker.io", "index.docker.io", "registry-1.docker.io");
  private static final long HELPER_TIMEOUT_SECONDS = 30;
  private static final long MAX_CONFIG_BYTES = 4 << 20;

  /**
   * The JSON reader, built when a config.json exists: building it loads some 600 classes of Jackson
   * 3 (1.5-2 s of a push on a loaded 2-core machine), which most builds, with no Docker config,
   * never need.
   */
  private static final class Json {
    static final JsonMapper MAPPER = JsonMapper.builder().build();
  }

  private final Path configFile;
  private final List<Path> searchPath;
  private final BuildListener listener;

  /**
   * @param configFile Docker's config.json (it need not exist)
   * @param searchPath the folders searched for {@code docker-credential-<name>} programs
   * @param listener where debug lines (never secrets) and warnings go
   */
  public DockerCredentials(Path configFile, List<Path> searchPath, BuildListener listener) {
    this.configFile = Objects.requireNonNull(configFile, "configFile");
    this.searchPath = List.copyOf(searchPath);
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /**
   * @param listener where debug lines and warnings go
   * @return the store of this process: {@code $DOCKER_CONFIG/config.json} or
   *     {@code ~/.docker/config.json}, helpers looked up on {@code $PATH}
   */
  public static DockerCredentials fromEnvironment(BuildListener listener) {
    String dockerConfig = System.getenv("DOCKER_CONFIG");
    Path config = dockerConfig != null && !dockerConfig.isBlank()
        ? Path.of(dockerConfig, "config.json")
        : Path.of(System.getProperty("user.home"), ".docker", "config.json");
    return new DockerCredentials(config, pathOf(System.getenv("PATH")), listener);
  }

  /**
   * @param path a PATH value, folders separated by {@link File#pathSeparator}
   * @return the folders
   */
  public static List<Path> pathOf(String path) {
    List<Path> dirs = new ArrayList<>();
    if (path != null) {
      for (String d : path.split(Pattern.quote(File.pathSeparator))) {
        if (!d.isBlank()) {
          dirs.add(Path.of(d));
        }
      }
    }
    return dirs;
  }

  /** @return the config.json this store reads */
  public Path configFile() {
    return configFile;
  }

  /**
   * @param registry {@code host[:port]}
   * @return the credentials Docker would use for it, if any
   * @throws RegistryException if config.json is not valid JSON or an {@code auth} entry is not
   *     base64 {@code user:password}, or a credential helper fails other than with "not found"
   */
  public Optional<RegistryCredentials> lookup(String registry) throws RegistryException {
    JsonNode config;
    try {
      if (Files.size(configFile) > MAX_CONFIG_BYTES) {
        throw new RegistryException("Docker's config " + configFile + " is larger than " + MAX_CONFIG_BYTES + " bytes");
      }
      byte[] json = Files.readAllBytes(configFile);
      config = Json.MAPPER.readTree(json);
    } catch (NoSuchFileException e) {
      listener.debug("No Docker config at " + configFile);
      return Optional.empty();
    } catch (RegistryException e) {
      throw e;
    } catch (JacksonException e) {
      // Jackson's message may quote the file's content, which holds secrets: give only the place.
      var at = e.getLocation();
      throw new RegistryException("Docker's config " + configFile + " is not valid JSON"
          + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
    } catch (IOException e) {
      throw new RegistryException("Cannot read Docker's config " + configFile + ": " + e.getMessage(), e);
    }
    if (config == null || !config.isObject()) {
      throw new RegistryException("Docker's config " + configFile + " is not a JSON object");
    }
    JsonNode helper = config.path("credHelpers").path(registry);
    if (helper.isString()) {
      Optional<RegistryCredentials> c = fromHelper(helper.asString(), registry, "credHelpers");
      if (c.isPresent()) {
        return c;
      }
    }
    JsonNode store = config.path("credsStore");
    if (store.isString() && !store.asString().isBlank()) {
      Optional<RegistryCredentials> c = fromHelper(store.asString(), registry, "credsStore");
      if (c.isPresent()) {
        return c;
      }
    }
    return fromAuths(config.path("auths"), registry);
  }

  private Optional<RegistryCredentials> fromAuths(JsonNode auths, String registry) throws RegistryException {
    if (!auths.isObject()) {
      return Optional.empty();
    }
    var fields = auths.properties().iterator();
    while (fields.hasNext()) {
      var entry = fields.next();
      if (!matches(entry.getKey(), registry)) {
        continue;
      }
      JsonNode e = entry.getValue();
      String source = "Docker config " + configFile + " (auths \"" + entry.getKey() + "\")";
      String auth = e.path("auth").asString("");
      if (!auth.isEmpty()) {
        String decoded;
        try {
          decoded = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException bad) {
          throw new RegistryException(source + ": \"auth\" is not base64");
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
          throw new RegistryException(source + ": \"auth\" is not base64 of user:password");
        }
        listener.debug("Registry " + registry + ": credentials from " + source);
        return Optional.of(new RegistryCredentials(decoded.substring(0, colon), decoded.substring(colon + 1), source));
      }
      String user = e.path("username").asString("");
      String password = e.path("password").asString("");
      if (!user.isEmpty() && !password.isEmpty()) {
        listener.debug("Registry " + registry + ": credentials from " + source);
        return Optional.of(new RegistryCredentials(user, password, source));
      }
      if (e.hasNonNull("identitytoken")) {
        listener.debug("Registry " + registry + ": " + source + " holds only an identity token, which is not"
            + " supported; ignoring it");
      }
    }
    return Optional.empty();
  }

  /** Docker keys {@code auths} by host, sometimes written as a URL ({@code https://host/v1/}). */
  private static boolean matches(String key, String registry) {
    String k = key.toLowerCase(Locale.ROOT);
    if (k.startsWith("https://")) {
      k = k.substring(8);
    } else if (k.startsWith("http://")) {
      k = k.substring(7);
    }
    int slash = k.indexOf('/');
    if (slash >= 0) {
      k = k.substring(0, slash);
    }
    String r = registry.toLowerCase(Locale.ROOT);
    return k.equals(r) || DOCKER_HUB.contains(k) && DOCKER_HUB.contains(r);
  }

  private Optional<RegistryCredentials> fromHelper(String name, String registry, String key) throws RegistryException {
    String where = "\"" + key + "\" in " + configFile;
    if (!HELPER_NAME.matcher(name).matches()) {
      throw new RegistryException("The credential helper name '" + name + "' (" + where + ") is not a plain name");
    }
    String program = "docker-credential-" + name;
    Optional<Path> exe = searchPath.stream().map(d -> d.resolve(program)).filter(Files::isExecutable).findFirst();
    if (exe.isEmpty()) {
      listener.warn("The credential helper " + program + " named by " + where + " is not on the PATH; ignoring it");
      return Optional.empty();
    }
    Process p;
    try {
      p = new ProcessBuilder(exe.get().toString(), "get").redirectErrorStream(true).start();
      try (OutputStream in = p.getOutputStream()) {
        in.write(registry.getBytes(StandardCharsets.UTF_8));
      } catch (IOException helperClosedItsInput) {
        // A helper may exit without reading its input ("Stream closed"); its exit code and output tell why.
      }
      byte[] out = p.getInputStream().readNBytes(1 << 20);
      if (!p.waitFor(HELPER_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new RegistryException("The credential helper " + exe.get() + " did not answer within "
            + HELPER_TIMEOUT_SECONDS + " s for " + registry);
      }
      String text = new String(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        if (text.toLowerCase(Locale.ROOT).contains("credentials not found")) {
          listener.debug("Registry " + registry + ": " + program + " has no credentials for it");
          return Optional.empty();
        }
        // A failing helper prints an error, never the secret; show its first line to explain.
        String firstLine = text.strip().lines().findFirst().orElse("");
        throw new RegistryException("The credential helper " + exe.get() + " (" + where + ") failed for " + registry
            + " with exit code " + p.exitValue() + (firstLine.isEmpty() ? "" : ": "
                + firstLine.substring(0, Math.min(200, firstLine.length()))));
      }
      JsonNode answer;
      try {
        answer = Json.MAPPER.readTree(out);
      } catch (JacksonException e) {
        throw new RegistryException("The credential helper " + exe.get() + " answered something that is not JSON for "
            + registry);
      }
      String user = answer == null ? "" : answer.path("Username").asString("");
      String secret = answer == null ? "" : answer.path("Secret").asString("");
      if (user.equals("<token>")) {
        listener.debug("Registry " + registry + ": " + program + " holds an identity token, which is not supported;"
            + " ignoring it");
        return Optional.empty();
      }
      if (user.isEmpty() || secret.isEmpty()) {
        listener.debug("Registry " + registry + ": " + program + " answered without a user name or secret");
        return Optional.empty();
      }
      String source = "credential helper " + program + " (" + key + " in " + configFile + ")";
      listener.debug("Registry " + registry + ": credentials from " + source);
      return Optional.of(new RegistryCredentials(user, secret, source));
    } catch (IOException e) {
      throw new RegistryException("Running the credential helper " + exe.get() + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException("Interrupted while running the credential helper " + exe.get(), e);
    }
  }
}
