// Makes src/main/vm/biosvm.ova as VMware's ovftool exports a VM (descriptor, manifest, disk as a
// streamOptimized VMDK made by qemu-img): the UEFI-only disk (EfiBootDisk) under an OVF that says
// BIOS, as a VM whose description is wrong would be.
import dev.vmpackager.testing.EfiBootDisk
import dev.vmpackager.testing.QemuImg
import java.nio.file.Files
import java.nio.file.Path
import java.security.MessageDigest
import org.apache.commons.compress.archivers.tar.TarArchiveEntry
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream

Path base = basedir.toPath()
Path sources = Files.createDirectories(base.resolve('target/sources'))
Path osRaw = EfiBootDisk.get()
Path vmdk = sources.resolve('os.vmdk')
QemuImg.convert(osRaw, vmdk, 'vmdk', '-o', 'subformat=streamOptimized')
byte[] os = Files.readAllBytes(vmdk)
byte[] ovf = new File(basedir, 'biosvm.ovf').text
    .replace('@OS_SIZE@', "${os.length}").replace('@OS_MIB@', "${Files.size(osRaw) >> 20}").getBytes('UTF-8')
def sha256 = { byte[] b -> MessageDigest.getInstance('SHA-256').digest(b).encodeHex().toString() }
byte[] mf = "SHA256(biosvm.ovf)= ${sha256(ovf)}\nSHA256(os.vmdk)= ${sha256(os)}\n".getBytes('UTF-8')

Path ova = Files.createDirectories(base.resolve('src/main/vm')).resolve('biosvm.ova')
new TarArchiveOutputStream(Files.newOutputStream(ova)).withCloseable { tar ->
  ['biosvm.ovf': ovf, 'biosvm.mf': mf, 'os.vmdk': os].each { name, bytes ->
    def e = new TarArchiveEntry(name)
    e.size = bytes.length
    tar.putArchiveEntry(e)
    tar.write(bytes)
    tar.closeArchiveEntry()
  }
}
return true
