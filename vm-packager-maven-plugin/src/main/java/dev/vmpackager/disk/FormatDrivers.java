package dev.vmpackager.disk;

import dev.vmpackager.disk.ova.OvaDriver;
import dev.vmpackager.disk.qcow2.Qcow2Driver;
import dev.vmpackager.disk.qed.QedDriver;
import dev.vmpackager.disk.vdi.VdiDriver;
import dev.vmpackager.disk.vhdx.VhdxDriver;
import dev.vmpackager.disk.vmdk.VmdkDriver;
import dev.vmpackager.disk.vpc.VpcDriver;
import java.util.List;

/**
 * The format drivers, in detection order: the one list both {@link DiskImages} (a file's format)
 * and {@link OvaDriver} (the format of the disk inside an OVA) detect with. A new format is added
 * here only.
 */
public final class FormatDrivers {

  /**
   * Raw is not here: it is what content that matches none of them is. Formats identified only by a
   * footer (fixed VHD) come after those with magic at the head.
   */
  private static final List<FormatDriver> DETECTION_ORDER = List.of(
      new Qcow2Driver(),
      new VmdkDriver(),
      new OvaDriver(),
      new VdiDriver(),
      new VhdxDriver(),
      new QedDriver(),
      // Last: a fixed VHD is known only by its footer at the end of the file.
      new VpcDriver());

  private FormatDrivers() {}

  /** @return every driver but raw's, in the order content is tried against them */
  public static List<FormatDriver> detectionOrder() {
    return DETECTION_ORDER;
  }
}
