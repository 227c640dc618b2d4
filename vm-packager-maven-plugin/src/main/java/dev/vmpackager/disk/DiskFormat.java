package dev.vmpackager.disk;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The disk image formats the plugin reads ({@code vm.sourceFormat}) or writes ({@code vm.format}). */
public enum DiskFormat {
  RAW("raw", List.of(".raw", ".img")),
  QCOW2("qcow2", List.of(".qcow2", ".qcow")),
  VMDK("vmdk", List.of(".vmdk")),
  VDI("vdi", List.of(".vdi")),
  /** Microsoft VHD, called "vpc" by qemu. */
  VPC("vpc", List.of(".vhd")),
  VHDX("vhdx", List.of(".vhdx")),
  QED("qed", List.of(".qed")),
  OVA("ova", List.of(".ova"));

  private final String id;
  private final List<String> extensions;

  DiskFormat(String id, List<String> extensions) {
    this.id = id;
    this.extensions = extensions;
  }

  /** @return the name users write in {@code vm.sourceFormat} and {@code vm.format}, as qemu-img names it */
  public String id() {
    return id;
  }

  /** @return file name endings that claim this format ({@code .img} claims nothing in particular) */
  public List<String> extensions() {
    return extensions;
  }

  /**
   * @param id a format name as users write it, case-insensitive ({@code vhd} is accepted for vpc)
   * @return the format, or empty when the name is unknown
   */
  public static Optional<DiskFormat> fromId(String id) {
    String lower = id.trim().toLowerCase(Locale.ROOT);
    if (lower.equals("vhd")) {
      return Optional.of(VPC);
    }
    return Arrays.stream(values()).filter(f -> f.id.equals(lower)).findFirst();
  }

  /**
   * @param fileName a file's name
   * @return the format the name's extension claims, if it claims one ({@code .raw} and {@code .img} claim nothing)
   */
  public static Optional<DiskFormat> claimedByName(String fileName) {
    String lower = fileName.toLowerCase(Locale.ROOT);
    return Arrays.stream(values())
        .filter(f -> f != RAW)
        .filter(f -> f.extensions.stream().anyMatch(lower::endsWith))
        .findFirst();
  }
}
