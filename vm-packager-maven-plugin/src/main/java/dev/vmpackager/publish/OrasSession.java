package dev.vmpackager.publish;

import dev.vmpackager.event.BuildListener;
import dev.vmpackager.registry.RegistryAccess;
import dev.vmpackager.registry.RegistryCredentials;
import dev.vmpackager.registry.RegistryException;
import dev.vmpackager.registry.RegistryProbe;
import dev.vmpackager.registry.RetryPolicy;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import land.oras.Registry;
import land.oras.auth.NoAuthProvider;
import land.oras.auth.UsernamePasswordProvider;

/**
 * An ORAS client for one registry with the plugin's credentials, TLS policy and retries, shared by
 * the chart push and the VM artifact push: {@link #call} runs one ORAS call through the
 * {@link RetryPolicy}, each try with a timeout (ORAS sets only a connect timeout, so a registry
 * that accepts and never answers would hang the build). Close it to stop its threads.
 */
public final class OrasSession implements AutoCloseable {

  /** A TLS server answers a ClientHello at once; a plain HTTP server may wait for a request line. */
  static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);

  private final BuildListener listener;
  private final RetryPolicy retry;
  private final RegistryAccess access;
  private final Duration callTimeout;
  private final Registry registry;
  private final ExecutorService calls;

  /**
   * Opens the client: https verified against the system trust store (or only the CA file, if one
   * is given); with {@code allowInsecure}, a registry whose certificate does not verify is used
   * without verification and one that does not speak TLS over plain http, each with a warning.
   *
   * @param listener where warnings and debug lines go (never a secret)
   * @param retry how often calls failing with 5xx or a dropped connection are tried
   * @param access the registry, its credentials and TLS policy
   * @param callTimeout how long one try of a call may take
   * @throws RegistryException when the CA file cannot be read or the registry probed
   */
  public OrasSession(BuildListener listener, RetryPolicy retry, RegistryAccess access, Duration callTimeout)
      throws RegistryException {
    this(listener, retry, access, HANDSHAKE_TIMEOUT, callTimeout);
  }

  OrasSession(BuildListener listener, RetryPolicy retry, RegistryAccess access, Duration handshakeTimeout,
      Duration callTimeout) throws RegistryException {
    this.listener = Objects.requireNonNull(listener, "listener");
    this.retry = Objects.requireNonNull(retry, "retry");
    this.access = Objects.requireNonNull(access, "access");
    this.callTimeout = Objects.requireNonNull(callTimeout, "callTimeout");
    this.registry = open(handshakeTimeout);
    this.calls = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "vm-packager-oras-push");
      t.setDaemon(true);
      return t;
    });
  }

  /** @return the ORAS client */
  public Registry registry() {
    return registry;
  }

  /**
   * Makes one ORAS call through the retry policy, each try on the calls thread with the call timeout.
   *
   * @param what what the call does, for messages (e.g. {@code uploading the chart config of ...})
   * @param work the call
   * @throws RegistryException when it keeps failing, or does not answer in time
   */
  public void call(String what, Runnable work) throws RegistryException {
    try {
      retry.call(what, access, listener, () -> {
        Future<?> f = calls.submit(work);
        try {
          return f.get(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          f.cancel(true);
          throw new RegistryException("The registry " + access.registry() + " did not answer within "
              + callTimeout.toSeconds() + " s while " + what, e);
        } catch (InterruptedException e) {
          f.cancel(true);
          throw e;
        } catch (ExecutionException wrapped) {
          if (wrapped.getCause() instanceof Error err) {
            throw err;
          }
          throw wrapped.getCause() instanceof Exception e ? e : wrapped;
        }
      });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException("Interrupted while " + what, e);
    }
  }

  @Override
  public void close() {
    calls.shutdownNow();
    // ORAS makes a thread pool per client (used for parallel pulls); do not leave it behind.
    registry.getExecutorService().shutdownNow();
  }

  private Registry open(Duration handshakeTimeout) throws RegistryException {
    Registry.Builder b = Registry.builder();
    if (access.credentials().isPresent()) {
      RegistryCredentials c = access.credentials().get();
      b.withAuthProvider(new UsernamePasswordProvider(c.username(), c.password()));
      listener.debug("Registry " + access.registry() + ": credentials for user '" + c.username() + "' from "
          + c.source());
    } else {
      b.withAuthProvider(new NoAuthProvider());
      listener.debug("Registry " + access.registry() + ": no credentials, pushing anonymously");
    }
    // ORAS reads the CA file itself, and trusts only it; read it here first for a clear error.
    SSLContext trust = RegistryProbe.trust(access, false);
    if (!access.allowInsecure()) {
      access.caFile().ifPresent(b::withCaFile);
      return b.build();
    }
    switch (RegistryProbe.tls(access, trust, handshakeTimeout, listener)) {
      case VERIFIED -> access.caFile().ifPresent(b::withCaFile);
      case UNVERIFIED -> {
        listener.warn("The TLS certificate of registry " + access.registry() + " is not trusted; pushing without"
            + " verifying it because vm.allowInsecureRegistries is set. Prefer vm.registry.caFile.");
        b.withSkipTlsVerify(true);
      }
      case PLAIN -> {
        listener.warn("Registry " + access.registry() + " does not speak TLS; pushing over plain http because"
            + " vm.allowInsecureRegistries is set" + (access.credentials().isPresent()
                ? ". The credentials travel unencrypted." : "."));
        b.withInsecure(true);
      }
      default -> throw new IllegalStateException();
    }
    return b.build();
  }
}
