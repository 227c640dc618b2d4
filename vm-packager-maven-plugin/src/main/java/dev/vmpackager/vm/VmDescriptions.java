package dev.vmpackager.vm;

import dev.vmpackager.vm.libvirt.LibvirtReader;
import dev.vmpackager.vm.ovf.OvfReader;
import dev.vmpackager.vm.vbox.VboxReader;
import dev.vmpackager.vm.vmx.VmxReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Reads a VM description of any supported kind, and finds the one in a VM folder. The kind is
 * told by the file's extension ({@code .ova}, {@code .ovf}, {@code .vmx}, {@code .vbox}), and for
 * {@code .xml} by its content: only a libvirt {@code <domain>} is a description.
 */
public final class VmDescriptions {

  private VmDescriptions() {}

  /**
   * @param file the description
   * @param ovfConfiguration the OVF deployment option to use (empty: the default one); ignored for
   *     other kinds
   * @return what the description says
   * @throws VmDescriptionException when the file is not a description we read, or is malformed
   * @throws IOException when it cannot be read
   */
  public static VmDescription read(Path file, Optional<String> ovfConfiguration) throws IOException {
    Optional<DescriptionFormat> kind = kindOf(file);
    if (kind.isEmpty()) {
      throw new VmDescriptionException(file, "file", "is not a VM description this plugin reads: give an OVA"
          + " (.ova), an OVF (.ovf), a libvirt domain XML (.xml, as virsh dumpxml writes it), a VMware .vmx or a"
          + " VirtualBox .vbox");
    }
    if (ovfConfiguration.isPresent() && kind.get() != DescriptionFormat.OVF && kind.get() != DescriptionFormat.OVA) {
      throw new VmDescriptionException(file, "vm.ovfConfiguration", "names the OVF deployment option '"
          + ovfConfiguration.get() + "', but this description is not an OVF: remove vm.ovfConfiguration");
    }
    return switch (kind.get()) {
      case OVA, OVF -> OvfReader.read(file, ovfConfiguration);
      case LIBVIRT -> LibvirtReader.read(file);
      case VMX -> VmxReader.read(file);
      case VBOX -> VboxReader.read(file);
    };
  }

  /**
   * @param file a file in a VM folder
   * @return its kind when it is a description (a {@code .xml} file only when it holds a libvirt
   *     domain), else empty
   */
  public static Optional<DescriptionFormat> kindOf(Path file) throws IOException {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".ova")) {
      return Optional.of(DescriptionFormat.OVA);
    } else if (name.endsWith(".ovf")) {
      return Optional.of(DescriptionFormat.OVF);
    } else if (name.endsWith(".vmx")) {
      return Optional.of(DescriptionFormat.VMX);
    } else if (name.endsWith(".vbox")) {
      return Optional.of(DescriptionFormat.VBOX);
    } else if (name.endsWith(".xml") && Files.isRegularFile(file)) {
      byte[] head = new byte[4096];
      int n;
      try (InputStream in = Files.newInputStream(file)) {
        n = in.readNBytes(head, 0, head.length);
      }
      return LibvirtReader.matches(head, n) ? Optional.of(DescriptionFormat.LIBVIRT) : Optional.empty();
    }
    return Optional.empty();
  }

  /**
   * @param folder a VM folder, e.g. {@code src/main/vm}
   * @return the descriptions directly in it, sorted by name (none when the folder is missing)
   */
  public static List<Path> candidates(Path folder) throws IOException {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(folder)) {
      files = s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
    }
    List<Path> out = new java.util.ArrayList<>();
    for (Path p : files) {
      if (kindOf(p).isPresent()) {
        out.add(p);
      }
    }
    return List.copyOf(out);
  }
}
