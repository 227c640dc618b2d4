// Makes src/main/vm/ovavm.ova as VMware's ovftool exports a VM (descriptor, manifest, then the
// disks as streamOptimized VMDKs made by qemu-img), and starts a real registry (Debian's
// docker-registry) on the port the pom names, for this build only.
//
// The OS disk is the UEFI-only disk that prints a marker when it boots (EfiBootDisk), so
// verify.groovy can boot what came back from the registry; the data disk is a patterned disk. The
// OVF lists the data disk first in References and DiskSection: the OS disk (SCSI 0:0) must still
// be the boot disk.
import dev.vmpackager.testing.EfiBootDisk
import dev.vmpackager.testing.LocalRegistry
import dev.vmpackager.testing.PatternedDisk
import dev.vmpackager.testing.QemuImg
import java.nio.file.Files
import java.nio.file.Path
import java.security.MessageDigest
import org.apache.commons.compress.archivers.tar.TarArchiveEntry
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream

Path base = basedir.toPath()
// The disks the OVA is made from, kept for verify.groovy's qemu-img compare (outside src/main/vm/).
Path sources = Files.createDirectories(base.resolve('target/sources'))
Path osRaw = EfiBootDisk.get()
Files.copy(osRaw, sources.resolve('os.raw'), java.nio.file.StandardCopyOption.REPLACE_EXISTING)
Path dataRaw = PatternedDisk.create(sources.resolve('data.raw'), 8L << 20, 42)

def vmdk = { Path raw, String name ->
  Path out = sources.resolve(name)
  QemuImg.convert(raw, out, 'vmdk', '-o', 'subformat=streamOptimized')
  Files.readAllBytes(out)
}
byte[] os = vmdk(osRaw, 'os.vmdk')
byte[] data = vmdk(dataRaw, 'data.vmdk')
byte[] ovf = new File(basedir, 'ovavm.ovf').text
    .replace('@OS_SIZE@', "${os.length}").replace('@DATA_SIZE@', "${data.length}")
    .replace('@OS_MIB@', "${Files.size(osRaw) >> 20}").replace('@DATA_MIB@', "${Files.size(dataRaw) >> 20}")
    .getBytes('UTF-8')
def sha256 = { byte[] b -> MessageDigest.getInstance('SHA-256').digest(b).encodeHex().toString() }
byte[] mf = ("SHA256(ovavm.ovf)= ${sha256(ovf)}\nSHA256(data.vmdk)= ${sha256(data)}\n"
    + "SHA256(os.vmdk)= ${sha256(os)}\n").getBytes('UTF-8')

Path ova = Files.createDirectories(base.resolve('src/main/vm')).resolve('ovavm.ova')
new TarArchiveOutputStream(Files.newOutputStream(ova)).withCloseable { tar ->
  ['ovavm.ovf': ovf, 'ovavm.mf': mf, 'data.vmdk': data, 'os.vmdk': os].each { name, bytes ->
    def e = new TarArchiveEntry(name)
    e.size = bytes.length
    tar.putArchiveEntry(e)
    tar.write(bytes)
    tar.closeArchiveEntry()
  }
}

int port = Integer.parseInt(registryPort)
def registry = LocalRegistry.start(base.resolve('target/registry'), port, false, false)
System.properties.put('vmpackager.it.registry', registry)
// Stop it with the JVM even when the build fails and verify.groovy never runs.
Runtime.runtime.addShutdownHook(new Thread({ registry.close() }))
return true
