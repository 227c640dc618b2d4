// The Edge Orchestrator deployment package of the README's example, as the catalog reads it, and
// installed beside the chart in the local repository.
import com.fasterxml.jackson.databind.ObjectMapper
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper
import com.networknt.schema.JsonSchemaFactory
import com.networknt.schema.SpecVersion
import java.util.zip.GZIPInputStream
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream

def target = new File(basedir, 'target')
def archive = new File(target, 'librespeed-vm-0.0.1-deployment-package.tar.gz')
assert archive.isFile()

def files = [:]
new TarArchiveInputStream(new GZIPInputStream(new FileInputStream(archive))).withCloseable { tin ->
  def e
  while ((e = tin.nextEntry) != null) {
    assert e.isFile() : e.name
    assert e.mode == 0100644 && e.longUserId == 0 && e.modTime.time == java.time.Instant.parse('2026-01-01T00:00:00Z').toEpochMilli()
    files[e.name] = new String(tin.readAllBytes(), 'UTF-8')
  }
}
assert files.keySet() as List == ['registry.yaml', 'application.yaml', 'librespeed-vm-values.yaml', 'deployment-package.yaml']

// Every catalog document passes the catalog's schema (src/test/resources/edge/catalog-schema.json).
def schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
    .getSchema(new ObjectMapper().readTree(getClass().getResourceAsStream('/edge/catalog-schema.json')))
def yaml = new YAMLMapper()
def docs = []
files.each { name, text ->
  yaml.readerFor(com.fasterxml.jackson.databind.JsonNode).readValues(new YAMLFactory().createParser(text)).readAll().each {
    if (it.has('specSchema')) {
      def errors = schema.validate(it)
      assert errors.isEmpty() : "${name}: ${errors}"
      docs << it
    }
  }
}
assert docs.collect { it.path('specSchema').asText() } == ['Registry', 'Registry', 'Application', 'DeploymentPackage']
def helm = docs[0]
def images = docs[1]
assert helm.path('type').asText() == 'HELM' && helm.path('rootUrl').asText() == 'oci://registry.example.com/charts'
assert images.path('type').asText() == 'IMAGE' && images.path('rootUrl').asText() == 'oci://registry.example.com/apps'
def app = docs[2]
assert app.path('name').asText() == 'librespeed-vm' && app.path('version').asText() == '0.0.1'
assert app.path('chartName').asText() == 'librespeed-vm' && app.path('chartVersion').asText() == '0.0.1'
assert app.path('helmRegistry').asText() == helm.path('name').asText()
assert app.path('imageRegistry').asText() == images.path('name').asText()
assert app.path('defaultProfile').asText() == 'default'
def profile = app.path('profiles').get(0)
assert profile.path('valuesFileName').asText() == 'librespeed-vm-values.yaml'
assert profile.at('/deploymentRequirements/0/name').asText() == 'virtualization'
assert profile.at('/deploymentRequirements/0/version').asText() == '0.8.0'
assert profile.path('parameterTemplates').collect { it.path('name').asText() } == ['vm.memory', 'vm.cpuCores', 'cloudInit.existingSecret']
def values = yaml.readTree(files['librespeed-vm-values.yaml'])
assert values.at('/image/repository').asText() == '%ImageRegistryURL%/librespeed-vm'
assert values.at('/image/tag').asText() == '0.0.1'
assert values.at('/vm/usbDevices').collect { it.path('name').asText() } == ['wifi-dongle-1', 'wifi-dongle-2', 'wifi-dongle-3', 'gsm-dongle']
def usbList = 'kubevirt.io/wifi-dongle;0bda;0811,kubevirt.io/gsm-dongle;0bda;2838'
def dp = docs[3]
assert dp.path('name').asText() == 'librespeed-vm' && dp.path('defaultProfile').asText() == 'default'
assert dp.path('description').asText().contains("usbList=${usbList} ")

// The deployer is told in the build log too.
def log = new File(basedir, 'build.log').text
assert log.contains("[INFO] Deploy the Virtualization package (virtualization 0.8.0) with usbList=${usbList} ") : log
assert log.contains('Edge Orchestrator deployment package librespeed-vm 0.0.1')
assert !log.contains('KubeVirt Helper')

// install put the archive, attached as deployment-package/tar.gz, beside the chart.
def installed = new File(localRepositoryPath, 'com/example/edge/librespeed-vm/0.0.1')
def copy = new File(installed, 'librespeed-vm-0.0.1-deployment-package.tar.gz')
assert copy.isFile() : installed.list()
assert copy.bytes == archive.bytes
assert new File(installed, 'librespeed-vm-0.0.1.tgz').isFile()
return true
