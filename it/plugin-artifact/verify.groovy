// The installed plugin is one self-contained artifact (README, Decisions: "One plugin jar"):
// Maven resolves no dependency tree for it on each call. Checks the POM and jar that
// invoker:install put into the local repository, which every other IT runs.
import java.security.MessageDigest
import java.util.jar.JarFile

def pom = new groovy.xml.XmlSlurper().parse(new File(basedir, 'pom.xml'))
def plugin = pom.build.plugins.plugin[0]
def dir = new File(localRepositoryPath,
    "${plugin.groupId.text().replace('.', '/')}/${plugin.artifactId.text()}/${plugin.version.text()}")
def base = "${plugin.artifactId.text()}-${plugin.version.text()}"

// 1. The installed POM declares no dependency Maven would resolve for a plugin (compile or
//    runtime scope, its own or managed by a parent's dependencyManagement); provided and test
//    ones are never resolved for a plugin.
def installedPom = new File(dir, "${base}.pom")
assert installedPom.isFile() : "no installed POM ${installedPom}"
def model = new groovy.xml.XmlSlurper().parse(installedPom)
def managedScope = [:]
for (def p = model.parent; p.artifactId.text(); ) {
  def parentPom = new File(localRepositoryPath, "${p.groupId.text().replace('.', '/')}/${p.artifactId.text()}/" +
      "${p.version.text()}/${p.artifactId.text()}-${p.version.text()}.pom")
  assert parentPom.isFile() : "no installed parent POM ${parentPom}"
  def parentModel = new groovy.xml.XmlSlurper().parse(parentPom)
  parentModel.dependencyManagement.dependencies.dependency.each {
    managedScope.putIfAbsent("${it.groupId}:${it.artifactId}".toString(), it.scope.text())
  }
  p = parentModel.parent
}
def scopeOf = { d -> d.scope.text() ?: managedScope["${d.groupId}:${d.artifactId}".toString()] ?: 'compile' }
def resolved = model.dependencies.dependency.findAll { scopeOf(it) in ['compile', 'runtime', 'system'] }
    .collect { "${it.groupId}:${it.artifactId}:${scopeOf(it)}" }
assert resolved.isEmpty() : "the installed plugin POM ${installedPom} lists dependencies Maven resolves on every call: ${resolved}"

// 2. The installed jar is the one this build made (target/ of the plugin module), so the other
//    ITs run the shaded jar.
def installedJar = new File(dir, "${base}.jar")
def builtJar = new File(basedir, "../../${base}.jar")
def sha = { File f -> MessageDigest.getInstance('SHA-256').digest(f.bytes).encodeHex().toString() }
assert installedJar.isFile() && builtJar.isFile() : "${installedJar} / ${builtJar}"
assert sha(installedJar) == sha(builtJar) : "${installedJar} is not the jar the build made (${builtJar})"
// The jar shade started from is the plugin's own (a build without clean must not shade the
// shaded jar again: maven-jar-plugin's forceCreation).
new JarFile(new File(basedir, "../../original-${base}.jar")).withCloseable { original ->
  assert original.getEntry('dev/vmpackager/mojo/ConvertMojo.class') != null
  assert original.getEntry('com/google/cloud/tools/jib/api/Jib.class') == null : "original-${base}.jar is itself a shaded jar"
}

// 3. The jar: the bundled libraries with their Maven metadata (written by the build for jars
//    that have none: jib-core, bcprov, zstd-jni...) and native libraries, no
//    signature files (the JVM would refuse the classes of a jar whose signature no longer
//    matches), no module-info, no Maven API, and Multi-Release for bcprov's and Jackson's
//    versioned classes.
new JarFile(installedJar).withCloseable { jar ->
  def names = jar.entries().collect { it.name } as Set
  ['META-INF/maven/plugin.xml',
   'dev/vmpackager/mojo/ConvertMojo.class',
   'com/google/cloud/tools/jib/api/Jib.class',
   'land/oras/Registry.class',
   'org/bouncycastle/jce/provider/BouncyCastleProvider.class',
   'com/github/luben/zstd/Zstd.class',
   'linux/amd64/libzstd-jni-1.5.7-11.so',
   'tools/jackson/databind/ObjectMapper.class',
   'com/fasterxml/jackson/databind/ObjectMapper.class',
   'META-INF/maven/com.google.cloud.tools/jib-core/pom.properties',
   'META-INF/maven/com.google.cloud.tools/jib-core/pom.xml',
   'META-INF/maven/org.bouncycastle/bcprov-jdk18on/pom.properties',
   'META-INF/maven/land.oras/oras-java-sdk/pom.properties',
   'META-INF/maven/com.github.luben/zstd-jni/pom.properties'].each {
    assert names.contains(it) : "${installedJar} has no ${it}"
  }
  def signatures = names.findAll { it ==~ /(?i)META-INF\/[^\/]+\.(SF|DSA|RSA|EC)/ }
  assert signatures.isEmpty() : "${installedJar} carries signature files ${signatures}"
  def modules = names.findAll { it.endsWith('module-info.class') }
  assert modules.isEmpty() : "${installedJar} carries ${modules}"
  def mavenApi = names.findAll { it.startsWith('org/apache/maven/') || it.startsWith('org/slf4j/') || it.startsWith('javax/inject/') }
  assert mavenApi.isEmpty() : "${installedJar} bundles classes Maven provides: ${mavenApi.take(5)}"
  assert jar.manifest.mainAttributes.getValue('Multi-Release') == 'true' : "${installedJar} is not Multi-Release"
  // The services of Jackson 2 and 3 and BouncyCastle, merged.
  def services = { String n -> jar.getInputStream(jar.getEntry("META-INF/services/${n}")).text }
  assert services('tools.jackson.core.TokenStreamFactory').contains('tools.jackson.dataformat.yaml.YAMLFactory')
  assert services('tools.jackson.core.TokenStreamFactory').contains('tools.jackson.dataformat.toml.TomlFactory')
  assert services('com.fasterxml.jackson.core.JsonFactory').contains('com.fasterxml.jackson.dataformat.yaml.YAMLFactory')
  assert services('java.security.Provider').contains('org.bouncycastle.jce.provider.BouncyCastleProvider')
}

// 4. The help goal read the plugin descriptor.
def log = new File(basedir, 'build.log').text
assert log.contains('vm-packager:convert') && log.contains('BUILD SUCCESS') : log
return true
