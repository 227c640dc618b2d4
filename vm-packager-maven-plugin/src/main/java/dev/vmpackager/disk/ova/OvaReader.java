package dev.vmpackager.disk.ova;

import dev.vmpackager.disk.DiskExtent;
import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageReader;
import dev.vmpackager.io.Closeables;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/** The disk inside an OVA, read by its own format's reader; reports itself as {@link DiskFormat#OVA}. */
final class OvaReader implements DiskImageReader {

  private final DiskImageReader disk;
  private final String name;
  private final List<Closeable> scratch;

  /**
   * @param scratch closed (in order) after the disk reader: an inflated copy of a compressed disk
   */
  OvaReader(DiskImageReader disk, String name, List<Closeable> scratch) {
    this.disk = disk;
    this.name = name;
    this.scratch = List.copyOf(scratch);
  }

  @Override
  public DiskFormat format() {
    return DiskFormat.OVA;
  }

  /** @return the format of the disk entry itself (VMDK, usually) */
  DiskFormat diskFormat() {
    return disk.format();
  }

  @Override
  public long virtualSize() {
    return disk.virtualSize();
  }

  @Override
  public DiskExtent extentAt(long offset) throws IOException {
    return disk.extentAt(offset);
  }

  @Override
  public void read(ByteBuffer dst, long offset) throws IOException {
    disk.read(dst, offset);
  }

  @Override
  public void close() throws IOException {
    try {
      disk.close();
    } finally {
      Closeables.closeAll(scratch);
    }
  }

  @Override
  public String toString() {
    return "OVA disk " + name + " (" + disk.format().id() + ")";
  }
}
