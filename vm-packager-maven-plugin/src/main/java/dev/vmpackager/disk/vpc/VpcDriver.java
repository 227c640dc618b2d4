package dev.vmpackager.disk.vpc;

import dev.vmpackager.disk.DiskFormat;
import dev.vmpackager.disk.DiskImageReader;
import dev.vmpackager.disk.DiskOpenOptions;
import dev.vmpackager.disk.FormatDriver;
import dev.vmpackager.disk.ImageSource;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Microsoft VHD ("vpc" in qemu): fixed, dynamic and (refused) differencing disks. Dynamic and
 * differencing disks carry a copy of the footer, cookie {@code conectix}, at offset 0; a fixed
 * disk is raw data with the footer only in its last 512 bytes, so it is recognised by a valid
 * footer there. Detection must therefore try this driver after every format with a magic at the
 * head: a fixed VHD's guest data can begin with anything.
 */
public final class VpcDriver implements FormatDriver {

  @Override
  public DiskFormat format() {
    return DiskFormat.VPC;
  }

  @Override
  public boolean matches(ByteBuffer head, ImageSource source) throws IOException {
    if (head.limit() >= 8 && VpcFooter.hasCookie(head, 0)) {
      return true;
    }
    long size = source.size();
    if (size < VpcFooter.SIZE) {
      return false;
    }
    ByteBuffer tail = ByteBuffer.allocate(VpcFooter.SIZE);
    source.readFully(tail, size - VpcFooter.SIZE);
    tail.flip();
    if (!VpcFooter.hasCookie(tail, 0) || !VpcFooter.checksumOk(tail)) {
      return false;
    }
    int type = tail.getInt(VpcFooter.DISK_TYPE);
    return type == VpcFooter.FIXED || type == VpcFooter.DYNAMIC || type == VpcFooter.DIFFERENCING;
  }

  @Override
  public DiskImageReader open(ImageSource source, DiskOpenOptions options) throws IOException {
    return VpcReader.open(source, options);
  }
}
