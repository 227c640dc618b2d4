// Takes the disk back out of the containerDisk tar, renders the chart with Helm and boots the disk
// under qemu as KubeVirt would run the rendered VirtualMachine: the OVF said BIOS, so the chart
// says BIOS, and SeaBIOS cannot boot this UEFI-only disk (it-deploy-ova-two-disks boots the same
// disk with the EFI its OVF says).
import com.marcnuri.helm.Helm
import dev.vmpackager.testing.EfiBootDisk
import dev.vmpackager.testing.QemuBoot
import dev.vmpackager.testing.QemuImg
import dev.vmpackager.testing.RenderedVm
import groovy.json.JsonSlurper
import java.nio.file.Files
import java.time.Duration
import java.util.zip.GZIPInputStream
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream

def target = new File(basedir, 'target')
def tar = new File(target, 'bios-vm-1.0.0-containerdisk.tar')
assert tar.isFile()
// The OCI archive's one layer holds /disk/ and the disk file.
def layout = new File(target, 'layout-copy')
def proc = ['skopeo', 'copy', "oci-archive:${tar}", "oci:${layout}:x"].collect { it.toString() }.execute()
def err = new StringBuilder()
proc.consumeProcessErrorStream(err)
assert proc.waitFor() == 0 : err
def index = new JsonSlurper().parse(new File(layout, 'index.json'))
def manifest = new JsonSlurper().parse(new File(layout, "blobs/sha256/${index.manifests[0].digest.substring(7)}"))
assert manifest.layers.size() == 1 : manifest
def names = []
def disk = new File(target, 'pulled.qcow2')
new TarArchiveInputStream(new GZIPInputStream(new FileInputStream(new File(layout,
    "blobs/sha256/${manifest.layers[0].digest.substring(7)}")))).withCloseable { tin ->
  def e
  while ((e = tin.nextEntry) != null) {
    names << e.name
    if (e.isFile()) {
      Files.copy(tin, disk.toPath(), java.nio.file.StandardCopyOption.REPLACE_EXISTING)
    }
  }
}
assert names == ['disk/', 'disk/bios-vm.qcow2'] : names
QemuImg.assertIdentical(EfiBootDisk.get(), 'raw', disk.toPath(), 'qcow2')

assert new File(basedir, 'build.log').text.contains('firmware bios (from biosvm.ova)')

def rendered = new Helm(new File(target, 'bios-vm-1.0.0.tgz').toPath()).template().withName('it')
    .withKubeVersion('1.33.0').call()
def vm = RenderedVm.fromManifests(rendered)
assert vm.machine().firmware() == QemuBoot.Firmware.BIOS : "the OVF says bios: ${vm}\n${rendered}"
assert vm.bootImage() == Optional.of('registry.example.com/it/bios-vm:1.0.0') : vm

def boot = QemuBoot.boot(disk.toPath(), vm.machine(), new File(target, 'boot').toPath(), Duration.ofMinutes(4),
    EfiBootDisk.NO_BIOS_MARKER)
assert boot.outcome() == QemuBoot.Outcome.GAVE_UP : boot
assert boot.printed('SeaBIOS') && boot.printed(EfiBootDisk.NO_BIOS_MARKER) : boot
assert !boot.printed(EfiBootDisk.MARKER) : boot
return true
