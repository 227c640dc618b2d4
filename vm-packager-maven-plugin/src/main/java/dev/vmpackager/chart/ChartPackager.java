package dev.vmpackager.chart;

import dev.vmpackager.io.DiskFullException;
import dev.vmpackager.io.TempPaths;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Packs a chart folder into {@code <name>-<version>.tgz} the way {@code helm package} lays it
 * out, but reproducibly: file entries only (no directory entries), all under one top folder named
 * after the chart, sorted by path, mode 0644, owner 0:0 without names, one fixed mtime; gzip with
 * Helm's header (extra field and the comment {@code Helm}) and no header timestamp. The same
 * folder and time give a byte-identical file.
 */
public final class ChartPackager {

  /** The gzip extra field {@code helm package} writes (helm pkg/chart/v2/util/save.go). */
  private static final byte[] HELM_EXTRA =
      "+aHR0cHM6Ly95b3V0dS5iZS96OVV6MWljandyTQo=".getBytes(StandardCharsets.US_ASCII);

  private ChartPackager() {}

  /**
   * @param chartDir the chart folder (holding Chart.yaml)
   * @param chartName the top folder name inside the archive: the chart's name
   * @param tgz where to write; written to a temporary file beside it and renamed on success
   * @param mtime the modification time of every entry (whole seconds are kept)
   * @throws IOException when the folder cannot be read, holds a symbolic link, or the file cannot be written
   */
  public static void pack(Path chartDir, String chartName, Path tgz, Instant mtime) throws IOException {
    if (!Files.isRegularFile(chartDir.resolve("Chart.yaml"))) {
      throw new IOException("Chart.yaml is missing in " + chartDir);
    }
    List<String> files = list(chartDir);
    List<Entry> entries = new ArrayList<>();
    for (String rel : files) {
      Path f = chartDir.resolve(rel);
      entries.add(new Entry(chartName + "/" + rel, Files.size(f), out -> Files.copy(f, out)));
    }
    write(entries, tgz, mtime, true);
  }

  /**
   * One regular file of an archive: its name and size, and what writes its bytes.
   *
   * @param name the '/'-separated path in the archive
   * @param size the number of bytes {@code content} writes
   * @param content writes the file's bytes
   */
  public record Entry(String name, long size, Content content) {

    /**
     * @param name the '/'-separated path in the archive
     * @param bytes the file's bytes
     * @return an entry holding them
     */
    public static Entry of(String name, byte[] bytes) {
      return new Entry(name, bytes.length, out -> out.write(bytes));
    }
  }

  /** Writes an entry's bytes. */
  @FunctionalInterface
  public interface Content {
    /** @param out where the bytes go */
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * Writes a gzip-compressed tar the same way {@link #pack} does (regular files only, in the order
   * given, mode 0644, owner 0:0 without names, one mtime, no gzip timestamp), for archives other
   * than charts: the same entries and time give a byte-identical file.
   *
   * @param entries the files, in the order they are written
   * @param out where to write; written to a temporary file beside it and renamed on success
   * @param mtime the modification time of every entry (whole seconds are kept)
   * @throws IOException when the file cannot be written
   */
  public static void writeTarGz(List<Entry> entries, Path out, Instant mtime) throws IOException {
    write(entries, out, mtime, false);
  }

  private static void write(List<Entry> entries, Path tgz, Instant mtime, boolean helm) throws IOException {
    // Not Files.createTempFile: its 0600 would stay on the archive after the rename.
    Path tmp = TempPaths.createFile(tgz);
    FileTime time = FileTime.from(Instant.ofEpochSecond(Math.max(0, mtime.getEpochSecond())));
    try {
      try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp));
          HelmGzipOutputStream gz = new HelmGzipOutputStream(file, helm);
          TarArchiveOutputStream tar = new TarArchiveOutputStream(gz, StandardCharsets.UTF_8.name())) {
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        for (Entry entry : entries) {
          TarArchiveEntry e = new TarArchiveEntry(entry.name(), true);
          e.setMode(0100644);
          e.setSize(entry.size());
          e.setModTime(time);
          e.setIds(0, 0);
          e.setUserName("");
          e.setGroupName("");
          tar.putArchiveEntry(e);
          entry.content().writeTo(tar);
          tar.closeArchiveEntry();
        }
        tar.finish();
      }
      Files.move(tmp, tgz, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw DiskFullException.named(e, tgz);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** @return the regular files under {@code root}, as '/'-separated relative paths in byte order */
  private static List<String> list(Path root) throws IOException {
    List<String> out = new ArrayList<>();
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        if (attrs.isSymbolicLink() || Files.isSymbolicLink(file)) {
          throw new IOException("The chart folder holds a symbolic link, which a chart cannot carry: " + file);
        }
        if (attrs.isRegularFile()) {
          StringBuilder rel = new StringBuilder();
          for (Path part : root.relativize(file)) {
            if (rel.length() > 0) {
              rel.append('/');
            }
            rel.append(part);
          }
          out.add(rel.toString());
        }
        return FileVisitResult.CONTINUE;
      }
    });
    // Byte order of the UTF-8 names, independent of locale and file system order.
    out.sort((a, b) -> java.util.Arrays.compareUnsigned(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
    return out;
  }

  /**
   * gzip as Go's {@code compress/gzip} writes it for Helm: header with FEXTRA and FCOMMENT, MTIME 0,
   * XFL 0, OS 255 (unknown), then raw deflate, CRC-32 and size. Without {@code helm}, the same with
   * neither extra field nor comment.
   */
  private static final class HelmGzipOutputStream extends FilterOutputStream {
    private final OutputStream raw;
    private final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    private final CRC32 crc = new CRC32();
    private long size;
    private boolean closed;

    HelmGzipOutputStream(OutputStream raw, boolean helm) throws IOException {
      super(null);
      this.raw = raw;
      raw.write(new byte[] {0x1f, (byte) 0x8b, 8, (byte) (helm ? 0x04 | 0x10 : 0), 0, 0, 0, 0, 0, (byte) 255});
      if (helm) {
        raw.write(HELM_EXTRA.length & 0xff);
        raw.write(HELM_EXTRA.length >>> 8);
        raw.write(HELM_EXTRA);
        raw.write("Helm".getBytes(StandardCharsets.ISO_8859_1));
        raw.write(0);
      }
      this.out = new DeflaterOutputStream(raw, deflater, 64 * 1024);
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      crc.update(b, off, len);
      size += len;
    }

    @Override
    public void close() throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      try {
        ((DeflaterOutputStream) out).finish();
        long c = crc.getValue();
        raw.write(new byte[] {(byte) c, (byte) (c >>> 8), (byte) (c >>> 16), (byte) (c >>> 24),
            (byte) size, (byte) (size >>> 8), (byte) (size >>> 16), (byte) (size >>> 24)});
        raw.flush();
      } finally {
        deflater.end();
      }
    }
  }
}
