package dev.vmpackager.disk.ova;

import dev.vmpackager.disk.DiskExtent;
import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageReader;
import java.io.IOException;
import java.nio.ByteBuffer;

/** The disk inside an OVA, read by its own format's reader; reports itself as {@link DiskFormat#OVA}. */
final class OvaReader implements DiskImageReader {

  private final DiskImageReader disk;
  private final String name;

  OvaReader(DiskImageReader disk, String name) {
    this.disk = disk;
    this.name = name;
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
    disk.close();
  }

  @Override
  public String toString() {
    return "OVA disk " + name + " (" + disk.format().id() + ")";
  }
}
