// Reads back what `mvn deploy` pushed for the two-disk VM of ovavm.ova: each image holds its own
// disk (compared with qemu-img against the disk the OVA was made from), Helm renders the chart
// from oci:// with both disks and the OVF's hardware (valid under the strict KubeVirt schema), and
// the OS disk pulled from the registry boots under qemu as the rendered VirtualMachine says.
import com.fasterxml.jackson.databind.ObjectMapper
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper
import com.marcnuri.helm.Helm
import com.networknt.schema.JsonSchemaFactory
import com.networknt.schema.SpecVersion
import dev.vmpackager.testing.EfiBootDisk
import dev.vmpackager.testing.QemuBoot
import dev.vmpackager.testing.QemuImg
import dev.vmpackager.testing.RenderedVm
import groovy.json.JsonSlurper
import java.nio.file.Files
import java.nio.file.StandardCopyOption
import java.time.Duration
import java.util.zip.GZIPInputStream
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream

def registry = System.properties.get('vmpackager.it.registry')
try {
  def host = registry.hostPort()
  def target = new File(basedir, 'target')
  def json = new JsonSlurper()
  // The boot disk's image is <image>; the data disk's <image repository>-<disk name>:<tag>.
  def images = [
      os: [ref: "${host}/it/ova-vm:1.0.0".toString(), source: new File(target, 'sources/os.raw')],
      data: [ref: "${host}/it/ova-vm-data:1.0.0".toString(), source: new File(target, 'sources/data.raw')],
  ]
  def pulled = [:]
  images.each { disk, image ->
    def pushed = json.parseText(registry.skopeo('inspect', "docker://${image.ref}".toString()))
    assert pushed.Layers.size() == 1 : "${image.ref}: ${pushed.Layers}"
    def copy = new File(target, "pulled/${disk}")
    copy.parentFile.mkdirs()
    registry.skopeo('copy', "docker://${image.ref}".toString(), "oci:${copy}:x".toString())
    def blob = new File(copy, "blobs/sha256/${pushed.Layers[0].substring(7)}")
    // The layer holds /disk/ and one disk file (KubeVirt and CDI take the one file under /disk/).
    def names = []
    def file = new File(target, "pulled/${disk}.qcow2")
    new TarArchiveInputStream(new GZIPInputStream(new FileInputStream(blob))).withCloseable { tin ->
      def e
      while ((e = tin.nextEntry) != null) {
        names << e.name
        if (e.isFile()) {
          Files.copy(tin, file.toPath(), StandardCopyOption.REPLACE_EXISTING)
        }
      }
    }
    assert names.size() == 2 && names[0] == 'disk/' && names[1] ==~ /disk\/[^\/]+\.qcow2/ : "${image.ref} holds ${names}"
    // The same guest-visible bytes as the disk this image's VMDK was made from.
    QemuImg.assertIdentical(image.source.toPath(), 'raw', file.toPath(), 'qcow2')
    pulled[disk] = file
  }

  def log = new File(basedir, 'build.log').text
  images.values().each { assert log.contains("Pushed image ${it.ref}@") : log }
  assert log.count("Pushed chart ${host}/charts/ova-vm:1.0.0@") == 1 : log
  // One line per setting with its origin; the boot disk is the OS disk on SCSI 0:0, not the first listed.
  ['cpu 1 socket x 2 cores x 1 thread (from ovavm.ova)', 'memory 2Gi (from ovavm.ova)',
   'firmware efi (from ovavm.ova)', 'secure boot off (from ovavm.ova)',
   "disk os: os.vmdk in ovavm.ova, bus sata (lsilogic_sas in ovavm.ova, devices=compatible), boot order 1, image ${images.os.ref}",
   "disk data: data.vmdk in ovavm.ova, bus sata (lsilogic_sas in ovavm.ova, devices=compatible), boot order 2, image ${images.data.ref}",
  ].each { line -> assert log.contains(line.toString()) : "no '${line}' in the build log" }

  // Helm renders the chart from the registry.
  def rendered = Helm.template("oci://${host}/charts/ova-vm".toString())
      .withVersion('1.0.0').withName('it').withKubeVersion('1.33.0').plainHttp().call()
  def docs = []
  new YAMLMapper().readerFor(Map).readValues(new YAMLFactory().createParser(rendered)).withCloseable { it.each { d -> if (d) docs << d } }
  def vms = docs.findAll { it.kind == 'VirtualMachine' }
  assert vms.size() == 1 : rendered
  def vm = vms[0]
  // The strict schema (additionalProperties false everywhere), as the chart tests use it.
  def schema = getClass().getResourceAsStream('/schemas/kubevirt.io_virtualmachine_v1.json').withCloseable {
    JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(new ObjectMapper().readTree(it))
  }
  def errors = schema.validate(new ObjectMapper().valueToTree(vm))
  assert errors.isEmpty() : "${errors}\n${rendered}"

  def spec = vm.spec.template.spec
  def domain = spec.domain
  def volumes = spec.volumes.findAll { it.containerDisk }
  assert volumes*.containerDisk*.image == [images.os.ref, images.data.ref] : rendered
  def diskOf = { volume -> domain.devices.disks.find { it.name == volume.name } }
  assert diskOf(volumes[0]).bootOrder == 1 : rendered
  assert diskOf(volumes[1]).bootOrder == 2 : rendered
  // The OVF's hardware: 2 vCPUs as 1 socket of 2 cores (KubeVirt's default for an unset sockets
  // or threads is 1), 2048 MB, EFI without Secure Boot.
  def sockets = domain.cpu.sockets ?: 1
  def threads = domain.cpu.threads ?: 1
  assert [sockets, domain.cpu.cores, threads] == [1, 2, 1] : rendered
  assert (domain.memory?.guest ?: domain.resources?.requests?.memory) == '2Gi' : rendered
  assert domain.firmware.bootloader.efi.secureBoot == false : rendered

  // The OS disk from the registry boots as KubeVirt would run the rendered VirtualMachine.
  def machine = RenderedVm.fromManifests(rendered)
  assert machine.bootImage() == Optional.of(images.os.ref) : machine
  assert machine.machine() == new QemuBoot.Machine(1, 2, 1, 2048, QemuBoot.Firmware.EFI, false, machine.machine().bus()) : machine
  def boot = QemuBoot.boot(pulled.os.toPath(), machine.machine(), new File(target, 'boot').toPath(), Duration.ofMinutes(4))
  assert boot.outcome() == QemuBoot.Outcome.EXITED : boot
  def seen = EfiBootDisk.seen(boot.serial()).orElseThrow { new AssertionError("no marker: ${boot}") }
  assert seen.firmware() == 'efi' && [seen.cpus(), seen.sockets(), seen.cores(), seen.threads()] == [2, 1, 2, 1] : boot
  assert seen.memTotalKiB() > 2048 * 1024 * 85 / 100 && seen.memTotalKiB() <= 2048 * 1024 : boot

  // The chart also went to the Maven repository as the project's artifact.
  assert new File(target, 'repo/dev/vmpackager/it/ova-vm/1.0.0/ova-vm-1.0.0.tgz').isFile()
} finally {
  registry.close()
}
return true
