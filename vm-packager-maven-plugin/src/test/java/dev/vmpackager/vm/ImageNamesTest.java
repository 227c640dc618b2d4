package dev.vmpackager.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A non-boot disk's image is the boot image's repository with the disk's name, and its tag. */
class ImageNamesTest {

  @Test
  void diskNameJoinsTheRepositoryAndTheTagStays() throws Exception {
    assertEquals("registry.example.com/apps/app-data:1.0",
        ImageNames.forDisk("registry.example.com/apps/app:1.0", "data"));
    assertEquals("app-containerdisk-data:0.0.1-SNAPSHOT", ImageNames.forDisk("app-containerdisk:0.0.1-SNAPSHOT", "data"));
  }

  @Test
  void aRegistryPortIsNoTag() throws Exception {
    assertEquals("localhost:5000/x-data:1", ImageNames.forDisk("localhost:5000/x:1", "data"));
    assertEquals("localhost:5000/x-data", ImageNames.forDisk("localhost:5000/x", "data"));
    assertEquals("localhost:5000/a/b-data", ImageNames.forDisk("localhost:5000/a/b", "data"));
  }

  @Test
  void aDigestNamesTheBootImageOnlyAndIsDropped() throws Exception {
    String digest = "sha256:" + "ab".repeat(32);
    assertEquals("registry:5000/app-data", ImageNames.forDisk("registry:5000/app@" + digest, "data"));
    assertEquals("registry:5000/app-data:1.0", ImageNames.forDisk("registry:5000/app:1.0@" + digest, "data"));
    ImageNames.Reference r = ImageNames.parse("registry:5000/app:1.0@" + digest, "<image>");
    assertEquals("registry:5000/app", r.repository());
    assertEquals("1.0", r.tag());
    assertEquals(digest, r.digest());
    assertEquals("registry:5000/app:1.0@" + digest, r.toString());
  }

  @Test
  void malformedReferencesNameTheParameter() {
    for (String bad : new String[] {"", "Upper/Case:1", "a b:1", "app:-tag", "app@nodigest", "app/:1"}) {
      VmConfigException e = assertThrows(VmConfigException.class, () -> ImageNames.forDisk(bad, "data"), bad);
      assertTrue(e.getMessage().startsWith("<image> (vm.image) '" + bad + "'"), e.getMessage());
      assertEquals("<image> (vm.image)", e.parameter());
    }
  }
}
