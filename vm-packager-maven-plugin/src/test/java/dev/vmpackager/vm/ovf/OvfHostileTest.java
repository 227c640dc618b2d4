package dev.vmpackager.vm.ovf;

import static dev.vmpackager.vm.VmFixtures.refused;
import static dev.vmpackager.vm.VmFixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vmpackager.vm.VmDescriptionException;
import dev.vmpackager.vm.VmFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and broken OVFs: each ends in a {@link VmDescriptionException} naming the file and the
 * element at fault, never another exception, never a file outside the description's folder.
 */
@Timeout(60)
class OvfHostileTest {

  @TempDir static Path shared;
  static byte[] disk;
  static String ovf;

  @TempDir Path dir;

  @BeforeAll
  static void fixtures() throws Exception {
    disk = Files.readAllBytes(VmFixtures.vmdk(shared.resolve("tiny.vmdk")));
    ovf = VmFixtures.text("ovf/vmware-two-disks-efi.ovf").replace("@SIZE1@", "1").replace("@SIZE2@", "1");
  }

  /** Writes the descriptor as a loose {@code app.ovf} beside the fixture's disks. */
  Path loose(String descriptor) throws IOException {
    Files.write(dir.resolve("appvm-1.vmdk"), disk);
    Files.write(dir.resolve("appvm-2.vmdk"), disk);
    return Files.writeString(dir.resolve("app.ovf"), descriptor);
  }

  /** Writes the descriptor into an OVA with the fixture's disks. */
  Path ova(String descriptor) throws IOException {
    return ova(utf8(descriptor));
  }

  Path ova(byte[] descriptor) throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("app.ovf", descriptor);
    entries.put("appvm-1.vmdk", disk);
    entries.put("appvm-2.vmdk", disk);
    return VmFixtures.ova(dir.resolve("app.ova"), entries);
  }

  /** Both packagings of a broken descriptor are refused with a message naming the file and these parts. */
  void refusedBoth(String descriptor, String... parts) throws IOException {
    Path l = loose(descriptor);
    String[] withFile = withFirst(l.toString(), parts);
    refused(() -> OvfReader.read(l, Optional.empty()), withFile);
    Path o = ova(descriptor);
    refused(() -> OvfReader.read(o, Optional.empty()), withFirst(o.toString(), parts));
  }

  private static String[] withFirst(String first, String[] rest) {
    String[] all = new String[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  @Test
  void fixtureItselfIsFine() throws Exception {
    assertEquals(2, OvfReader.read(loose(ovf), Optional.empty()).disks().size());
    assertEquals(2, OvfReader.read(ova(ovf), Optional.empty()).disks().size());
  }

  @Test
  void memoryOf10To30IsRefused() throws Exception {
    refusedBoth(ovf.replace("<rasd:VirtualQuantity>4096<", "<rasd:VirtualQuantity>1000000000000000000000000000000<"),
        "Item[InstanceID=2]/VirtualQuantity", "more than 16 TiB of memory");
  }

  @Test
  void memoryBeyond16TiBIsRefused() throws Exception {
    refusedBoth(ovf.replace("<rasd:VirtualQuantity>4096<", "<rasd:VirtualQuantity>1099511627776<"),
        "Item[InstanceID=2]/VirtualQuantity", "more than 16 TiB");
  }

  @Test
  void memoryWithoutOrWithUnknownUnitsIsRefused() throws Exception {
    refusedBoth(ovf.replace("<rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>\n        <rasd:Description>Memory",
        "<rasd:Description>Memory"), "Item[InstanceID=2]/AllocationUnits", "bytes or MiB");
    refusedBoth(ovf.replace("<rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>\n        <rasd:Description>Memory",
        "<rasd:AllocationUnits>furlongs</rasd:AllocationUnits>\n        <rasd:Description>Memory"),
        "Item[InstanceID=2]/AllocationUnits", "'furlongs'");
    refusedBoth(ovf.replace("<rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>\n        <rasd:Description>Memory",
        "<rasd:AllocationUnits>byte * 2^99 * 10^999</rasd:AllocationUnits>\n        <rasd:Description>Memory"),
        "Item[InstanceID=2]/AllocationUnits");
  }

  @Test
  void cpuCountOf2To40IsRefused() throws Exception {
    refusedBoth(ovf.replace("<rasd:VirtualQuantity>2</rasd:VirtualQuantity>", "<rasd:VirtualQuantity>1099511627776</rasd:VirtualQuantity>"),
        "Item[InstanceID=1]/VirtualQuantity", "out of range: it must be between 1 and 1024");
    refusedBoth(ovf.replace("<rasd:VirtualQuantity>2</rasd:VirtualQuantity>", "<rasd:VirtualQuantity>-2</rasd:VirtualQuantity>"),
        "Item[InstanceID=1]/VirtualQuantity");
  }

  @Test
  void coresPerSocketThatDoNotDivideTheCountAreRefused() throws Exception {
    refusedBoth(ovf.replace("<rasd:VirtualQuantity>2</rasd:VirtualQuantity>", "<rasd:VirtualQuantity>3</rasd:VirtualQuantity>"),
        "vmw:CoresPerSocket", "3 vCPUs cannot be split into sockets of 2 cores");
  }

  @Test
  void hugeCapacityIsRefused() throws Exception {
    refusedBoth(ovf.replace("ovf:capacity=\"2\" ovf:capacityAllocationUnits=\"byte * 2^20\"",
        "ovf:capacity=\"9223372036854775807\" ovf:capacityAllocationUnits=\"byte * 2^20\""),
        "DiskSection/Disk[ovf:diskId=vmdisk2]@ovf:capacity", "more bytes than any disk holds");
  }

  @Test
  void diskAttachedTwiceIsRefused() throws Exception {
    refusedBoth(ovf.replace("<rasd:HostResource>ovf:/disk/vmdisk2</rasd:HostResource>",
        "<rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource>"), "Item[InstanceID=10]",
        "attaches ovf:/disk/vmdisk1 a second time (also VirtualHardwareSection/Item[InstanceID=9])");
  }

  @Test
  void diskIdListedTwiceIsRefused() throws Exception {
    refusedBoth(ovf.replace("ovf:diskId=\"vmdisk2\"", "ovf:diskId=\"vmdisk1\""), "DiskSection/Disk[ovf:diskId=vmdisk1]",
        "listed twice");
  }

  @Test
  void oneFileBehindTwoDisksIsRefused() throws Exception {
    refusedBoth(ovf.replace("ovf:diskId=\"vmdisk2\" ovf:fileRef=\"file2\"", "ovf:diskId=\"vmdisk2\" ovf:fileRef=\"file1\""),
        "Item[InstanceID=10]", "appvm-1.vmdk is also attached as VirtualHardwareSection/Item[InstanceID=9]");
  }

  @Test
  void fileIdListedTwiceIsRefused() throws Exception {
    refusedBoth(ovf.replace("ovf:id=\"file3\"", "ovf:id=\"file1\""), "References/File[ovf:id=file1]", "listed twice");
  }

  @Test
  void hostResourceToAnUnknownDiskIsRefused() throws Exception {
    refusedBoth(ovf.replace("ovf:/disk/vmdisk2", "ovf:/disk/vmdisk9"), "Item[InstanceID=10]/HostResource",
        "names disk vmdisk9, which the DiskSection does not list (it lists vmdisk2, vmdisk1)");
    refusedBoth(ovf.replace("ovf:/disk/vmdisk2", "http://example.com/disk"), "Item[InstanceID=10]/HostResource",
        "names no disk");
    refusedBoth(ovf.replace("<rasd:HostResource>ovf:/disk/vmdisk2</rasd:HostResource>", ""),
        "Item[InstanceID=10]/HostResource", "without HostResource");
  }

  @Test
  void diskToAnUnknownFileIsRefused() throws Exception {
    refusedBoth(ovf.replace("ovf:fileRef=\"file2\"", "ovf:fileRef=\"file7\""),
        "DiskSection/Disk[ovf:diskId=vmdisk2]@ovf:fileRef", "names file file7", "(it lists file2, file1, file3)");
  }

  @Test
  void parentThatIsNoControllerIsRefused() throws Exception {
    refusedBoth(ovf.replace("<rasd:InstanceID>10</rasd:InstanceID>\n        <rasd:Parent>3</rasd:Parent>",
        "<rasd:InstanceID>10</rasd:InstanceID>\n        <rasd:Parent>42</rasd:Parent>"), "Item[InstanceID=10]/Parent",
        "names item 42, which the hardware section does not have");
    refusedBoth(ovf.replace("<rasd:InstanceID>10</rasd:InstanceID>\n        <rasd:Parent>3</rasd:Parent>",
        "<rasd:InstanceID>10</rasd:InstanceID>\n        <rasd:Parent>10</rasd:Parent>"), "Item[InstanceID=10]/Parent",
        "names VirtualHardwareSection/Item[InstanceID=10], which is not a disk controller (ResourceType 17)");
  }

  @Test
  void twoDisksOnOneUnitAreRefused() throws Exception {
    refusedBoth(ovf.replace("<rasd:AddressOnParent>1</rasd:AddressOnParent>", "<rasd:AddressOnParent>0</rasd:AddressOnParent>"),
        "Item[InstanceID=10]/AddressOnParent", "unit 0 of VirtualHardwareSection/Item[InstanceID=3] is also"
            + " VirtualHardwareSection/Item[InstanceID=9]'s");
  }

  @Test
  void duplicateInstanceIdIsRefused() throws Exception {
    refusedBoth(ovf.replace("<rasd:InstanceID>10</rasd:InstanceID>", "<rasd:InstanceID>9</rasd:InstanceID>"),
        "Item[InstanceID=9]", "also VirtualHardwareSection/Item[InstanceID=9]'s");
  }

  @Test
  void itemWithoutOrWithBadResourceTypeIsRefused() throws Exception {
    refusedBoth(ovf.replace("<rasd:ResourceType>24</rasd:ResourceType>", ""), "Item[InstanceID=6]",
        "without ResourceType");
    refusedBoth(ovf.replace("<rasd:ResourceType>24</rasd:ResourceType>", "<rasd:ResourceType>video</rasd:ResourceType>"),
        "Item[InstanceID=6]/ResourceType", "'video'");
  }

  @Test
  void controllerWithoutInstanceIdIsRefused() throws Exception {
    refusedBoth(ovf.replace("<rasd:InstanceID>3</rasd:InstanceID>", ""), "VirtualHardwareSection/Item[3]",
        "a disk controller without InstanceID");
  }

  @Test
  void malformedOrMulticastMacIsRefused() throws Exception {
    refusedBoth(ovf.replace("00:50:56:8e:2a:41", "00:50:56:8e:2a"), "Item[InstanceID=11]/Address",
        "not a unicast MAC address");
    refusedBoth(ovf.replace("00:50:56:8e:2a:41", "01:00:5e:00:00:01"), "Item[InstanceID=11]/Address");
  }

  @Test
  void unknownFirmwareOrSecureBootValueIsRefused() throws Exception {
    refusedBoth(ovf.replace("vmw:value=\"efi\"", "vmw:value=\"coreboot\""), "vmw:Config[firmware]", "'coreboot'");
    refusedBoth(ovf.replace("vmw:key=\"bootOptions.efiSecureBootEnabled\" vmw:value=\"false\"",
        "vmw:key=\"bootOptions.efiSecureBootEnabled\" vmw:value=\"maybe\""),
        "vmw:Config[bootOptions.efiSecureBootEnabled]", "'maybe'");
  }

  @Test
  void severalVirtualSystemsAreRefusedNamingThem() throws Exception {
    String second = "  <VirtualSystem ovf:id=\"db\">\n    <Info>A virtual machine</Info>\n    <Name>db-vm</Name>\n"
        + "  </VirtualSystem>\n</Envelope>";
    refusedBoth(ovf.replace("</Envelope>", second), "Envelope/VirtualSystem", "2 VMs ['appvm', 'db-vm']",
        "export each VM on its own");
  }

  @Test
  void virtualSystemCollectionIsRefusedNamingItsVms() throws Exception {
    int vs = ovf.indexOf("  <VirtualSystem ovf:id=\"appvm\">");
    int end = ovf.indexOf("</Envelope>");
    String system = ovf.substring(vs, end);
    String collection = ovf.substring(0, vs) + "  <VirtualSystemCollection ovf:id=\"vapp\">\n    <Info>A vApp</Info>\n"
        + system + "  <VirtualSystemCollection ovf:id=\"inner\"><Info>nested</Info>\n"
        + system.replace("ovf:id=\"appvm\"", "ovf:id=\"web\"").replace("<Name>appvm</Name>", "<Name>web</Name>")
        + "  </VirtualSystemCollection>\n  </VirtualSystemCollection>\n</Envelope>\n";
    refusedBoth(collection, "VirtualSystemCollection[ovf:id=vapp]", "collection of VMs ['appvm', 'web']");
  }

  @Test
  void noVirtualSystemOrHardwareIsRefused() throws Exception {
    int vs = ovf.indexOf("  <VirtualSystem ovf:id=\"appvm\">");
    refusedBoth(ovf.substring(0, vs) + "</Envelope>\n", "Envelope", "describes no VM");
    int hw = ovf.indexOf("    <VirtualHardwareSection>");
    int hwEnd = ovf.indexOf("    </VirtualHardwareSection>") + "    </VirtualHardwareSection>\n".length();
    refusedBoth(ovf.substring(0, hw) + ovf.substring(hwEnd), "VirtualSystem", "no VirtualHardwareSection");
  }

  @Test
  void notAnOvfEnvelopeIsRefused() throws Exception {
    refusedBoth(ovf.replace("xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\" ", "")
        .replace("xmlns:ovf=\"http://schemas.dmtf.org/ovf/envelope/1\"", "xmlns:ovf=\"http://www.vmware.com/schema/ovf/1/envelope\"")
        .replace("<Envelope ", "<ovf:Envelope ").replace("</Envelope>", "</ovf:Envelope>"),
        "root element", "OVF 0.9");
    refusedBoth("<?xml version=\"1.0\"?>\n<domain type=\"kvm\"><name>x</name></domain>\n", "root element",
        "not an OVF 1.x or 2.x <Envelope>");
  }

  @Test
  void billionLaughsIsRefused() throws Exception {
    String bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE Envelope [\n <!ENTITY a \"aaaaaaaaaa\">\n"
        + " <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n <!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
        + " <!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n <!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n"
        + " <!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">\n <!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">\n"
        + " <!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">\n <!ENTITY i \"&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;\">\n]>\n"
        + ovf.substring(ovf.indexOf("<Envelope")).replace("<Name>appvm</Name>", "<Name>&i;</Name>");
    refusedBoth(bomb, "DOCTYPE");
  }

  @Test
  void externalEntityIsRefusedAndNeverRead() throws Exception {
    Path secret = Files.writeString(shared.resolve("secret.txt"), "TOP-SECRET");
    String xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE Envelope [ <!ENTITY x SYSTEM \"" + secret.toUri() + "\"> ]>\n"
        + ovf.substring(ovf.indexOf("<Envelope")).replace("<Name>appvm</Name>", "<Name>&x;</Name>");
    Path l = loose(xxe);
    VmDescriptionException e = refused(() -> OvfReader.read(l, Optional.empty()), l.toString(), "DOCTYPE");
    assertTrue(!e.getMessage().contains("TOP-SECRET"));
    String noDoctype = ovf.replace("<Name>appvm</Name>", "<Name>&x;</Name>");
    refusedBoth(noDoctype, "not a well-formed XML document");
  }

  @Test
  void notXmlIsRefused() throws Exception {
    refusedBoth("PK\u0003\u0004 this is a zip, not an OVF", "not a well-formed XML document");
    refusedBoth("", "not a well-formed XML document");
    refusedBoth(ovf.substring(0, ovf.length() / 2), "not a well-formed XML document");
  }

  @Test
  void descriptorOver16MiBIsRefused() throws Exception {
    StringBuilder big = new StringBuilder(ovf.replace("</Envelope>", ""));
    String pad = "<!-- " + "x".repeat(1 << 20) + " -->\n";
    while (big.length() <= 16 << 20) {
      big.append(pad);
    }
    big.append("</Envelope>\n");
    Path l = loose(big.toString());
    refused(() -> OvfReader.read(l, Optional.empty()), l.toString(), "more than 16777216 bytes");
    Path o = ova(big.toString());
    refused(() -> OvfReader.read(o, Optional.empty()), o.toString(), "OVA archive", "more than 16777216");
  }

  @Test
  void deepNestingCostsNoStack() throws Exception {
    String deep = "<a>".repeat(200_000) + "</a>".repeat(200_000);
    refusedBoth(ovf.replace("<Name>appvm</Name>", "<Name>" + deep + "</Name>").replace("<rasd:VirtualQuantity>4096<",
        "<rasd:VirtualQuantity>" + deep + "<"), "Item[InstanceID=2]");
  }

  @Test
  void diskMissingFromTheFolderIsRefused() throws Exception {
    Path l = loose(ovf);
    Files.delete(dir.resolve("appvm-2.vmdk"));
    refused(() -> OvfReader.read(l, Optional.empty()), l.toString(), "Item[InstanceID=10]", "appvm-2.vmdk",
        "not there");
  }

  @Test
  void diskMissingFromTheOvaIsRefused() throws Exception {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("app.ovf", utf8(ovf));
    entries.put("appvm-1.vmdk", disk);
    Path o = VmFixtures.ova(dir.resolve("app.ova"), entries);
    refused(() -> OvfReader.read(o, Optional.empty()), o.toString(), "Item[InstanceID=10]",
        "the OVA has no entry appvm-2.vmdk for file file2");
  }

  @Test
  void dotDotAndAbsoluteHrefsNeverLeaveTheFolder() throws Exception {
    // Beside a loose OVF: looked up by name in the folder only, even when the path it records exists.
    Path sub = Files.createDirectories(dir.resolve("vm"));
    Files.write(dir.resolve("outside.vmdk"), disk);
    Files.write(sub.resolve("appvm-1.vmdk"), disk);
    String climbing = ovf.replace("ovf:href=\"appvm-2.vmdk\"", "ovf:href=\"../outside.vmdk\"");
    Path l = Files.writeString(sub.resolve("app.ovf"), climbing);
    refused(() -> OvfReader.read(l, Optional.empty()), l.toString(), "Item[InstanceID=10]", "outside.vmdk",
        "not there");
    String absolute = ovf.replace("ovf:href=\"appvm-2.vmdk\"", "ovf:href=\"" + dir.resolve("outside.vmdk") + "\"");
    Files.writeString(l, absolute);
    refused(() -> OvfReader.read(l, Optional.empty()), l.toString(), "outside.vmdk", "not there");
    // Inside an OVA: not a plain entry name, refused as the disk reader refuses it.
    Path o = ova(climbing);
    refused(() -> OvfReader.read(o, Optional.empty()), o.toString(), "References/File[ovf:id=file2]",
        "'../outside.vmdk' is not a plain entry name");
    Path o2 = ova(ovf.replace("ovf:href=\"appvm-2.vmdk\"", "ovf:href=\"/vmfs/volumes/ds1/appvm-2.vmdk\""));
    refused(() -> OvfReader.read(o2, Optional.empty()), o2.toString(), "not a plain entry name");
  }

  @Test
  void symbolicLinkOutOfTheFolderIsNotFollowed() throws Exception {
    Path l = loose(ovf);
    Files.delete(dir.resolve("appvm-2.vmdk"));
    Files.createSymbolicLink(dir.resolve("appvm-2.vmdk"), shared.resolve("tiny.vmdk"));
    refused(() -> OvfReader.read(l, Optional.empty()), l.toString(), "Item[InstanceID=10]", "not a regular file in");
  }

  @Test
  void urlsCompressedAndChunkedFilesAreRefusedBesideALooseOvf() throws Exception {
    refusedBoth(ovf.replace("ovf:href=\"appvm-2.vmdk\"", "ovf:href=\"https://example.com/appvm-2.vmdk\""),
        "References/File[ovf:id=file2]", "is a URL");
    Path l = loose(ovf.replace("ovf:id=\"file2\"", "ovf:id=\"file2\" ovf:compression=\"gzip\""));
    refused(() -> OvfReader.read(l, Optional.empty()), l.toString(), "References/File[ovf:id=file2]",
        "gzip-compressed");
    Path c = loose(ovf.replace("ovf:id=\"file2\"", "ovf:id=\"file2\" ovf:chunkSize=\"7516192768\""));
    refused(() -> OvfReader.read(c, Optional.empty()), c.toString(), "References/File[ovf:id=file2]", "chunks");
    Path o = ova(ovf.replace("ovf:id=\"file2\"", "ovf:id=\"file2\" ovf:compression=\"bzip2\""));
    refused(() -> OvfReader.read(o, Optional.empty()), o.toString(), "bzip2-compressed");
  }

  @Test
  void chunkedFileInAnOvaNeedsItsFirstChunk() throws Exception {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("app.ovf", utf8(ovf.replace("ovf:id=\"file2\"", "ovf:id=\"file2\" ovf:chunkSize=\"7516192768\"")));
    entries.put("appvm-2.vmdk.000000000", disk);
    entries.put("appvm-1.vmdk", disk);
    Path o = VmFixtures.ova(dir.resolve("app.ova"), entries);
    assertEquals("appvm-2.vmdk", OvfReader.read(o, Optional.empty()).disks().get(1).file());
    entries.remove("appvm-2.vmdk.000000000");
    Path broken = VmFixtures.ova(dir.resolve("broken.ova"), entries);
    refused(() -> OvfReader.read(broken, Optional.empty()), broken.toString(), "no entry appvm-2.vmdk.000000000");
  }

  @Test
  void brokenArchivesAreRefused() throws Exception {
    Path o = ova(ovf);
    byte[] bytes = Files.readAllBytes(o);
    bytes[148] ^= 0x11; // the first header's checksum
    Path bad = Files.write(dir.resolve("bad.ova"), bytes);
    refused(() -> OvfReader.read(bad, Optional.empty()), bad.toString(), "OVA archive", "checksum");
    Path truncated = Files.write(dir.resolve("cut.ova"), java.util.Arrays.copyOf(Files.readAllBytes(o), 700));
    refused(() -> OvfReader.read(truncated, Optional.empty()), truncated.toString(), "OVA archive", "truncated");
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("appvm-1.vmdk", disk);
    entries.put("app.ovf", utf8(ovf));
    Path diskFirst = VmFixtures.ova(dir.resolve("first.ova"), entries);
    refused(() -> OvfReader.read(diskFirst, Optional.empty()), diskFirst.toString(), "starts with its .ovf");
    Path notTar = Files.writeString(dir.resolve("x.ova"), ovf);
    refused(() -> OvfReader.read(notTar, Optional.empty()), notTar.toString(), "OVA archive");
  }

  @Test
  void ovaManifestMismatchOfTheDescriptorIsRefused() throws Exception {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("app.ovf", utf8(ovf));
    entries.put("app.mf", utf8("SHA256(app.ovf)= " + "0".repeat(64) + "\n"));
    entries.put("appvm-1.vmdk", disk);
    entries.put("appvm-2.vmdk", disk);
    Path o = VmFixtures.ova(dir.resolve("app.ova"), entries);
    refused(() -> OvfReader.read(o, Optional.empty()), o.toString(), "app.ovf", "does not match the manifest");
  }

  @Test
  void itemForAConfigurationWithoutDeploymentOptionsIsRefused() throws Exception {
    refusedBoth(ovf.replace("<Item>\n        <rasd:AllocationUnits>byte * 2^20",
        "<Item ovf:configuration=\"big\">\n        <rasd:AllocationUnits>byte * 2^20"), "Item[InstanceID=2]",
        "configuration 'big'", "no DeploymentOptionSection");
  }

  @Test
  void everyTruncationEndsInADescriptionError() throws Exception {
    // A cut at any point of a real descriptor: never a parser exception or a runtime exception escaping.
    for (int cut = 0; cut < ovf.length(); cut += 97) {
      Path l = loose(ovf.substring(0, cut));
      try {
        OvfReader.read(l, Optional.empty());
        fail("a descriptor cut at " + cut + " was accepted");
      } catch (VmDescriptionException e) {
        assertTrue(e.getMessage().startsWith(l.toString()), e.getMessage());
      }
    }
  }

  @Test
  void everyElementRemovedEndsInADescriptionOrAValidRead() throws Exception {
    // Drop each line of the descriptor in turn (breaking elements, removing attributes' homes): the
    // reader either reads something sane or names what is wrong; it never throws anything else.
    String[] lines = ovf.split("\n");
    for (int i = 0; i < lines.length; i++) {
      StringBuilder b = new StringBuilder();
      for (int j = 0; j < lines.length; j++) {
        if (j != i) {
          b.append(lines[j]).append('\n');
        }
      }
      Path l = loose(b.toString());
      try {
        OvfReader.read(l, Optional.empty());
      } catch (VmDescriptionException e) {
        assertTrue(e.getMessage().startsWith(l.toString()), e.getMessage());
      } catch (RuntimeException e) {
        throw new AssertionError("line " + (i + 1) + " removed: " + e, e);
      }
    }
  }
}
