package dev.vmpackager.vm.vbox;

import static dev.vmpackager.vm.VmFixtures.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vmpackager.vm.VmDescriptionException;
import dev.vmpackager.vm.VmFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Hostile and broken {@code .vbox} files: each a {@link VmDescriptionException} naming file and element. */
@Timeout(60)
class VboxHostileTest {

  @TempDir static Path shared;
  static String vbox;
  static String vbox71;

  @TempDir Path dir;

  @BeforeAll
  static void fixtures() throws Exception {
    vbox = VmFixtures.text("vbox/virtualbox7.vbox");
    vbox71 = VmFixtures.text("vbox/virtualbox71.vbox");
  }

  Path write(String text) throws IOException {
    Files.write(dir.resolve("win11-build.vdi"), new byte[512]);
    Files.write(dir.resolve("data.vdi"), new byte[512]);
    Files.write(dir.resolve("fedora40.vdi"), new byte[512]);
    return Files.writeString(dir.resolve("vm.vbox"), text);
  }

  void refusedWith(String text, String... parts) throws IOException {
    Path f = write(text);
    String[] all = new String[parts.length + 1];
    all[0] = f.toString();
    System.arraycopy(parts, 0, all, 1, parts.length);
    refused(() -> VboxReader.read(f), all);
  }

  @Test
  void fixturesAreFine() throws Exception {
    assertEquals(2, VboxReader.read(write(vbox)).disks().size());
    assertEquals(1, VboxReader.read(write(vbox71)).disks().size());
  }

  @Test
  void hugeMemoryIsRefused() throws Exception {
    refusedWith(vbox.replace("RAMSize=\"8192\"", "RAMSize=\"1000000000000000000000000000000\""),
        "Machine/Hardware/Memory@RAMSize", "out of range");
    refusedWith(vbox.replace("RAMSize=\"8192\"", "RAMSize=\"17179869184\""), "Machine/Hardware/Memory@RAMSize",
        "between 1 and 16777216");
    refusedWith(vbox.replace("RAMSize=\"8192\"", "RAMSize=\"8 GB\""), "Machine/Hardware/Memory@RAMSize",
        "not a whole number");
  }

  @Test
  void hugeCpuCountIsRefused() throws Exception {
    refusedWith(vbox.replace("<CPU count=\"4\">", "<CPU count=\"1099511627776\">"), "Machine/Hardware/CPU@count",
        "between 1 and 1024");
    refusedWith(vbox71.replace("<CPU count=\"2\"/>", "<CPU count=\"1099511627776\"/>"), "Machine/Platform/CPU@count");
    refusedWith(vbox.replace("<CPU count=\"4\">", "<CPU count=\"0\">"), "Machine/Hardware/CPU@count");
  }

  @Test
  void imageMissingFromTheMediaRegistryIsRefused() throws Exception {
    refusedWith(vbox.replace("<Image uuid=\"{A1B2C3D4-E5F6-4A7B-8C9D-0E1F2A3B4C55}\"/>",
        "<Image uuid=\"{99999999-E5F6-4A7B-8C9D-0E1F2A3B4C55}\"/>"),
        "StorageController[name=NVMe]/AttachedDevice[port=0,device=0]/Image",
        "{99999999-E5F6-4A7B-8C9D-0E1F2A3B4C55} is not in the machine's MediaRegistry/HardDisks");
    refusedWith(vbox.replace("<Image uuid=\"{A1B2C3D4-E5F6-4A7B-8C9D-0E1F2A3B4C55}\"/>", ""),
        "StorageController[name=NVMe]/AttachedDevice[port=0,device=0]", "without <Image uuid=...>");
  }

  @Test
  void differencingImageIsRefusedNamingItAndItsParent() throws Exception {
    String snap = vbox.replace("<HardDisk uuid=\"{0c5d8e21-3f4a-4b6c-9d7e-8f9a0b1c2d33}\" location=\"win11-build.vdi\""
        + " format=\"VDI\" type=\"Normal\"/>", "<HardDisk uuid=\"{0c5d8e21-3f4a-4b6c-9d7e-8f9a0b1c2d33}\""
        + " location=\"win11-build.vdi\" format=\"VDI\" type=\"Normal\">\n          <HardDisk"
        + " uuid=\"{d1ff0000-0000-4000-8000-000000000001}\" location=\"Snapshots/{d1ff0000-0000-4000-8000-000000000001}.vdi\""
        + " format=\"VDI\"/>\n        </HardDisk>")
        .replace("<Image uuid=\"{0c5d8e21-3f4a-4b6c-9d7e-8f9a0b1c2d33}\"/>",
            "<Image uuid=\"{d1ff0000-0000-4000-8000-000000000001}\"/>");
    refusedWith(snap, "StorageController[name=SATA]/AttachedDevice[port=0,device=0]/Image",
        "({d1ff0000-0000-4000-8000-000000000001}.vdi) is a differencing image of win11-build.vdi", "snapshots");
  }

  @Test
  void diskAttachedTwiceIsRefused() throws Exception {
    refusedWith(vbox.replace("<Image uuid=\"{A1B2C3D4-E5F6-4A7B-8C9D-0E1F2A3B4C55}\"/>",
        "<Image uuid=\"{0c5d8e21-3f4a-4b6c-9d7e-8f9a0b1c2d33}\"/>"),
        "StorageController[name=NVMe]/AttachedDevice[port=0,device=0]", "also attached at",
        "StorageController[name=SATA]/AttachedDevice[port=0,device=0]");
  }

  @Test
  void uuidRegisteredTwiceIsRefused() throws Exception {
    refusedWith(vbox.replace("{a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c55}\" location",
        "{0C5D8E21-3f4a-4b6c-9d7e-8f9a0b1c2d33}\" location"), "MediaRegistry/HardDisks/HardDisk", "registered twice");
  }

  @Test
  void diskMissingFromTheFolderIsRefused() throws Exception {
    Path f = write(vbox);
    Files.delete(dir.resolve("data.vdi"));
    refused(() -> VboxReader.read(f), f.toString(), "StorageController[name=NVMe]/AttachedDevice[port=0,device=0]",
        "data.vdi", "not there");
  }

  @Test
  void locationsNeverLeaveTheFolder() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("vm"));
    Files.write(dir.resolve("outside.vdi"), new byte[512]);
    Files.write(sub.resolve("win11-build.vdi"), new byte[512]);
    Path f = Files.writeString(sub.resolve("vm.vbox"), vbox.replace(
        "location=\"C:/Users/builder/VirtualBox VMs/win11-build/data.vdi\"", "location=\"../outside.vdi\""));
    refused(() -> VboxReader.read(f), f.toString(), "outside.vdi", "not there");
    Files.writeString(f, vbox.replace("location=\"C:/Users/builder/VirtualBox VMs/win11-build/data.vdi\"",
        "location=\"" + dir.resolve("outside.vdi") + "\""));
    refused(() -> VboxReader.read(f), f.toString(), "outside.vdi", "not there");
    Files.createSymbolicLink(sub.resolve("outside.vdi"), dir.resolve("outside.vdi"));
    refused(() -> VboxReader.read(f), f.toString(), "not a regular file in");
    Files.writeString(f, vbox.replace("location=\"C:/Users/builder/VirtualBox VMs/win11-build/data.vdi\"",
        "location=\"..\""));
    refused(() -> VboxReader.read(f), f.toString(), "names no file");
  }

  @Test
  void dtdAndEntitiesAreRefused() throws Exception {
    String body = vbox.substring(vbox.indexOf("<VirtualBox"));
    refusedWith("<?xml version=\"1.0\"?>\n<!DOCTYPE VirtualBox [ <!ENTITY a \"aaaaaaaaaa\"> <!ENTITY b"
        + " \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"> <!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\"> ]>\n"
        + body.replace("name=\"win11-build\"", "name=\"&c;\""), "DOCTYPE");
    Path secret = Files.writeString(shared.resolve("secret"), "TOP-SECRET");
    Path f = write("<?xml version=\"1.0\"?>\n<!DOCTYPE VirtualBox [ <!ENTITY x SYSTEM \"" + secret.toUri() + "\"> ]>\n"
        + body.replace("name=\"win11-build\"", "name=\"&x;\""));
    VmDescriptionException e = refused(() -> VboxReader.read(f), f.toString(), "DOCTYPE");
    assertTrue(!e.getMessage().contains("TOP-SECRET"));
  }

  @Test
  void notXmlOrNotAMachineFileIsRefused() throws Exception {
    refusedWith("VBoxManage showvminfo output, not XML", "not a well-formed XML document");
    refusedWith(vbox.substring(0, vbox.length() / 3), "not a well-formed XML document");
    refusedWith(vbox.replace("xmlns=\"http://www.virtualbox.org/\"", ""), "root element",
        "not a VirtualBox machine file");
    refusedWith("<VirtualBox xmlns=\"http://www.virtualbox.org/\" version=\"1.19-linux\"><Global/></VirtualBox>",
        "VirtualBox/Machine", "holds no machine");
    int m = vbox.indexOf("  <Machine");
    int end = vbox.indexOf("</VirtualBox>");
    String machine = vbox.substring(m, end);
    refusedWith(vbox.substring(0, end) + machine.replace("name=\"win11-build\"", "name=\"other\"") + "</VirtualBox>\n",
        "VirtualBox/Machine", "2 machines ['win11-build', 'other']");
    int hw = vbox.indexOf("    <Hardware>");
    int hwEnd = vbox.indexOf("    </Hardware>") + "    </Hardware>\n".length();
    refusedWith(vbox.substring(0, hw) + vbox.substring(hwEnd), "Machine", "no <Hardware>");
  }

  @Test
  void fileOver16MiBIsRefused() throws Exception {
    StringBuilder big = new StringBuilder(vbox.replace("</VirtualBox>", ""));
    String pad = "<!-- " + "x".repeat(1 << 20) + " -->\n";
    while (big.length() <= 16 << 20) {
      big.append(pad);
    }
    refusedWith(big.append("</VirtualBox>\n").toString(), "more than 16777216 bytes");
  }

  @Test
  void badValuesAreRefused() throws Exception {
    refusedWith(vbox.replace("MACAddress=\"080027C08E7C\"", "MACAddress=\"080027C08E7\""),
        "Machine/Hardware/Network/Adapter[slot=0]@MACAddress", "not a unicast MAC address");
    refusedWith(vbox.replace("<Firmware type=\"EFI\"/>", "<Firmware type=\"UBOOT\"/>"),
        "Machine/Hardware/Firmware@type", "'UBOOT'");
    refusedWith(vbox.replace("type=\"HardDisk\" hotpluggable=\"false\" port=\"0\" device=\"0\">\n          <Image uuid=\"{A1B2",
        "type=\"HardDisk\" hotpluggable=\"false\" port=\"zero\" device=\"0\">\n          <Image uuid=\"{A1B2"),
        "StorageController[name=NVMe]/AttachedDevice@port", "'zero'");
    refusedWith(vbox.replace("{0c5d8e21-3f4a-4b6c-9d7e-8f9a0b1c2d33}\" location=\"win11-build.vdi\"",
        "\" location=\"win11-build.vdi\""), "MediaRegistry/HardDisks/HardDisk", "without uuid");
  }

  @Test
  void deeplyNestedDifferencingChainCostsNoStack() throws Exception {
    StringBuilder chain = new StringBuilder();
    int depth = 50_000;
    for (int i = 0; i < depth; i++) {
      chain.append("<HardDisk uuid=\"{").append(String.format("%08x", i)).append("-0000-4000-8000-000000000000}\"")
          .append(" location=\"d").append(i).append(".vdi\" format=\"VDI\">");
    }
    chain.append("</HardDisk>".repeat(depth));
    refusedWith(vbox.replace("<HardDisk uuid=\"{0c5d8e21", chain + "<HardDisk uuid=\"{0c5d8e21")
        .replace("<Image uuid=\"{0c5d8e21-3f4a-4b6c-9d7e-8f9a0b1c2d33}\"/>",
            "<Image uuid=\"{" + String.format("%08x", depth - 1) + "-0000-4000-8000-000000000000}\"/>"),
        "is a differencing image of d" + (depth - 2) + ".vdi");
  }

  @Test
  void everyTruncationEndsInADescriptionError() throws Exception {
    for (int cut = 0; cut < vbox.length(); cut += 61) {
      Path f = write(vbox.substring(0, cut));
      try {
        VboxReader.read(f);
        fail("a file cut at " + cut + " was accepted");
      } catch (VmDescriptionException e) {
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
      }
    }
  }

  @Test
  void everyLineRemovedEndsInADescriptionOrAValidRead() throws Exception {
    for (String text : new String[] {vbox, vbox71}) {
      String[] lines = text.split("\n");
      for (int i = 0; i < lines.length; i++) {
        StringBuilder b = new StringBuilder();
        for (int j = 0; j < lines.length; j++) {
          if (j != i) {
            b.append(lines[j]).append('\n');
          }
        }
        Path f = write(b.toString());
        try {
          VboxReader.read(f);
        } catch (VmDescriptionException e) {
          assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        } catch (RuntimeException e) {
          throw new AssertionError("line " + (i + 1) + " removed: " + e, e);
        }
      }
    }
  }
}
