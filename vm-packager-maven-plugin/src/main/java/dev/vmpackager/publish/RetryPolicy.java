package dev.vmpackager.publish;

import java.time.Duration;

/**
 * How often a registry call is tried when it fails in a way that may pass (HTTP 5xx or 429, a
 * dropped connection): at most {@code attempts} times, waiting {@code backoff}, then twice that...
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
}
