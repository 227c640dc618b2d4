package dev.vmpackager.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmpackager.testing.RecordingListener;
import java.io.EOFException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import land.oras.exception.OrasException;
import org.junit.jupiter.api.Test;

/** The one retry loop: passing failures are tried again, announced, and given up on after the policy's tries. */
class RetryPolicyTest {

  private static final RetryPolicy FAST = new RetryPolicy(3, Duration.ofMillis(1));
  private static final RegistryAccess ACCESS = RegistryAccess.anonymous("r.example.com:5000");

  @Test
  void aPassingFailureIsTriedAgainAndAnnounced() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    RecordingListener log = new RecordingListener();
    String result = FAST.call("pushing x", ACCESS, log, () -> {
      if (calls.incrementAndGet() < 3) {
        throw new OrasException(503, "busy");
      }
      return "done";
    });
    assertEquals("done", result);
    assertEquals(3, calls.get());
    assertEquals(2, log.lines.stream().filter(l -> l.startsWith("WARN The registry r.example.com:5000 answered"
        + " HTTP 503 while pushing x") && l.contains("trying again")).count(), log.all());
    assertTrue(log.all().contains("(attempt 3 of 3)"), log.all());
  }

  @Test
  void aFailureThatKeepsComingEndsAfterThePolicysTries() {
    AtomicInteger calls = new AtomicInteger();
    RegistryException e = assertThrows(RegistryException.class, () -> FAST.call("pushing x", ACCESS,
        new RecordingListener(), () -> {
          calls.incrementAndGet();
          throw new EOFException("dropped");
        }));
    assertEquals(3, calls.get());
    assertTrue(e.getMessage().contains("The connection to the registry r.example.com:5000 failed while pushing x"),
        e.getMessage());
    assertEquals("gave up after 3 attempts", e.getSuppressed()[0].getMessage());
  }

  @Test
  void whatCannotHealOrIsAlreadyExplainedIsNotTriedAgain() {
    AtomicInteger calls = new AtomicInteger();
    RegistryException refused = assertThrows(RegistryException.class, () -> FAST.call("pushing x", ACCESS,
        new RecordingListener(), () -> {
          calls.incrementAndGet();
          throw new ConnectException("Connection refused");
        }));
    assertInstanceOf(RegistryUnreachableException.class, refused);
    assertEquals(1, calls.get());

    RegistryException explained = new RegistryException("did not answer within 3 s");
    RegistryException e = assertThrows(RegistryException.class, () -> FAST.call("pushing x", ACCESS,
        new RecordingListener(), () -> {
          calls.incrementAndGet();
          throw explained;
        }));
    assertSame(explained, e);
    assertEquals(2, calls.get());
  }
}
