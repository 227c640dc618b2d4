package dev.vmpackager.registry;

import dev.vmpackager.event.BuildListener;
import java.time.Duration;
import java.util.Objects;

/**
 * How often a registry call is tried when it fails in a way that may pass (HTTP 5xx or 429, a
 * dropped connection: {@link RegistryFaults#isTransient}): at most {@code attempts} times, waiting
 * {@code backoff}, then twice that... {@link #call} makes the calls of every registry client: a 500
 * from a busy registry or a connection a proxy dropped halfway through a multi-gigabyte upload
 * would otherwise fail the deploy, and neither Jib's registry client nor ORAS tries again.
 *
 * @param attempts how many times a call is made in all, at least 1
 * @param backoff the wait before the second try
 */
public record RetryPolicy(int attempts, Duration backoff) {

  /** Three tries, 0.5 s then 1 s apart. */
  public static final RetryPolicy DEFAULT = new RetryPolicy(3, Duration.ofMillis(500));

  public RetryPolicy {
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be at least 1: " + attempts);
    }
    if (backoff.isNegative()) {
      throw new IllegalArgumentException("backoff must not be negative: " + backoff);
    }
  }

  /** One call of a registry client. */
  @FunctionalInterface
  public interface Call<T> {
    /**
     * @return what the client returned
     * @throws RegistryException a failure already explained, never tried again
     * @throws InterruptedException when interrupted
     * @throws Exception what the client threw, classified by {@link RegistryFaults}
     */
    T run() throws Exception;
  }

  /**
   * Makes the call, and again while it fails in a way that may pass, each retry announced as a
   * warning. The last failure is reported as {@link RegistryFaults#map} explains it.
   *
   * @param what what the call does, for messages, e.g. {@code pushing the layer sha256:...}
   * @param access the registry called
   * @param listener where the retries are announced
   * @param call the call
   * @return what the call returned
   * @throws RegistryAuthenticationException on HTTP 401/403
   * @throws RegistryUnreachableException when the registry cannot be connected to or TLS fails
   * @throws RegistryException when the call failed otherwise (after the tries, if it may pass)
   * @throws InterruptedException when interrupted, also while waiting to try again
   */
  public <T> T call(String what, RegistryAccess access, BuildListener listener, Call<T> call)
      throws RegistryException, InterruptedException {
    Objects.requireNonNull(access, "access");
    long wait = backoff.toMillis();
    for (int attempt = 1; ; attempt++) {
      try {
        return call.run();
      } catch (RegistryException | InterruptedException e) {
        throw e;
      } catch (Exception e) {
        RegistryException failure = RegistryFaults.map(e, what, access);
        if (attempt >= attempts || !RegistryFaults.isTransient(e)) {
          if (attempt > 1) {
            failure.addSuppressed(new RegistryException("gave up after " + attempt + " attempts"));
          }
          throw failure;
        }
        listener.warn(failure.getMessage() + "; trying again in " + wait + " ms (attempt " + (attempt + 1)
            + " of " + attempts + ")");
        Thread.sleep(wait);
        wait *= 2;
      }
    }
  }
}
