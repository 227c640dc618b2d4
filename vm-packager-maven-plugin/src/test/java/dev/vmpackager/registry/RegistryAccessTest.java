package dev.vmpackager.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Where a connection to the registry goes: its host and port, IPv6 included. */
class RegistryAccessTest {

  @Test
  void hostAndPort() {
    assertEquals("localhost", RegistryAccess.anonymous("localhost:5000").host());
    assertEquals(OptionalInt.of(5000), RegistryAccess.anonymous("localhost:5000").port());
    assertEquals("registry.example.com", RegistryAccess.anonymous("registry.example.com").host());
    assertEquals(OptionalInt.empty(), RegistryAccess.anonymous("registry.example.com").port());
    assertEquals("::1", RegistryAccess.anonymous("[::1]:5000").host());
    assertEquals(OptionalInt.of(5000), RegistryAccess.anonymous("[::1]:5000").port());
    assertEquals("::1", RegistryAccess.anonymous("[::1]").host());
    assertEquals(OptionalInt.empty(), RegistryAccess.anonymous("[::1]").port());
  }

  @Test
  void aPortThatIsNotANumberIsNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RegistryAccess.anonymous("registry.example.com:https").port());
    assertTrue(e.getMessage().contains("'registry.example.com:https' has no valid port"), e.getMessage());
  }

  @Test
  void theSecretNeverShows() {
    RegistryCredentials c = new RegistryCredentials("user", "s3cret", "settings.xml server 'x'");
    assertEquals("RegistryCredentials[username=user, password=****, source=settings.xml server 'x']", c.toString());
  }
}
