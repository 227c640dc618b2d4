package dev.vmpackager.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The reference is parsed once, with Jib's grammar, into the parts every push needs. */
class ImageReferenceTest {

  @Test
  void partsOfAReferenceWithRegistryAndTag() {
    ImageReference r = ImageReference.parse("localhost:5000/apps/vm:1.0", "vm.image");
    assertEquals("localhost:5000", r.registry());
    assertEquals("apps/vm", r.repository());
    assertEquals(Optional.of("1.0"), r.tag());
    assertEquals(Optional.empty(), r.digest());
    assertEquals("1.0", r.qualifier());
    assertEquals("localhost:5000/apps/vm:1.0", r.written());
    assertEquals("localhost:5000/apps/vm:1.0", r.toString());
    assertEquals("localhost:5000/apps/vm:1.0", r.canonical());
  }

  @Test
  void aBareNameIsOnDockerHubWithTheLatestTag() {
    ImageReference r = ImageReference.parse("vm", "vm.image");
    assertEquals("registry-1.docker.io", r.registry());
    assertEquals("library/vm", r.repository());
    assertEquals(Optional.of("latest"), r.tag());
    assertEquals("vm", r.written());
    assertEquals("vm", r.toString(), "Jib's name: registry, library/ and :latest left out");
    assertEquals("vm:latest", r.canonical());
    assertEquals("vm:latest", ImageReference.parse("docker.io/library/vm:latest", "vm.image").canonical());
  }

  @Test
  void aDigestIsTheQualifierAndTheHostIsLowerCasedInTheCanonicalName() {
    String digest = "sha256:" + "0".repeat(64);
    ImageReference r = ImageReference.parse("Registry.Example.com/apps/x@" + digest, "vm.image");
    assertEquals(Optional.of(digest), r.digest());
    assertEquals(Optional.empty(), r.tag());
    assertEquals(digest, r.qualifier());
    assertEquals("registry.example.com/apps/x@" + digest, r.canonical());
    assertEquals("Registry.Example.com/apps/x@" + digest, r.written());
  }

  @Test
  void aBadReferenceNamesTheValueAndTheParameter() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ImageReference.parse("Apps/VM:1.0", "vm.image"));
    assertEquals("'Apps/VM:1.0' (vm.image) is not an image reference such as registry.example.com/apps/vm:1.0",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("Bad Ref!!", "vm.image"));
    assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("", "vm.image"));
  }
}
