import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Build step of the plugin module (run by exec-maven-plugin before the jar is made, as a Java
 * source-file program, not part of the plugin): gives every bundled dependency jar that has no
 * {@code META-INF/maven/<groupId>/<artifactId>/pom.properties} of its own (jib-core, bcprov,
 * zstd-jni, caffeine, micrometer... are built by Gradle or bnd) one, with its POM as
 * {@code pom.xml} beside it, in the plugin's classes. The shaded plugin jar then names every
 * artifact it holds the way Maven-built jars do, which is what security scanners read from a jar.
 *
 * <p>Arguments: the output folder (target/classes) and the runtime classpath. Coordinates come
 * from the POM next to each jar in the local repository, checked against the jar's path.
 */
public final class BundledMavenMetadata {
  private static final Pattern PROPERTIES = Pattern.compile("META-INF/maven/[^/]+/[^/]+/pom\\.properties");

  private BundledMavenMetadata() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: BundledMavenMetadata <classes folder> <runtime classpath>");
    }
    Path classes = Paths.get(args[0]);
    List<String> written = new ArrayList<>();
    for (String element : args[1].split(Pattern.quote(System.getProperty("path.separator")))) {
      Path jar = Paths.get(element);
      if (!element.endsWith(".jar") || !Files.isRegularFile(jar) || hasMavenMetadata(jar)) {
        continue;
      }
      Path versionDir = jar.getParent();
      String version = versionDir.getFileName().toString();
      String artifactId = versionDir.getParent().getFileName().toString();
      Path pom = versionDir.resolve(artifactId + "-" + version + ".pom");
      if (!Files.isRegularFile(pom)) {
        throw new IOException(jar + " has no META-INF/maven metadata and no POM at " + pom
            + ": the bundled jar must come from a Maven repository");
      }
      Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile()).getDocumentElement();
      String groupId = child(project, "groupId");
      if (groupId == null) {
        groupId = child(firstChild(project, "parent"), "groupId");
      }
      String groupPath = groupId == null ? null : groupId.replace('.', '/');
      if (!artifactId.equals(child(project, "artifactId"))
          || groupPath == null
          || !versionDir.getParent().getParent().endsWith(groupPath)) {
        throw new IOException(pom + " does not name " + groupPath + "/" + artifactId + " (the jar's folder)");
      }
      Path dir = classes.resolve("META-INF/maven").resolve(groupId).resolve(artifactId);
      Files.createDirectories(dir);
      // What maven-archiver writes, without its build-time comment line.
      Files.write(dir.resolve("pom.properties"),
          ("artifactId=" + artifactId + "\ngroupId=" + groupId + "\nversion=" + version + "\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      Files.copy(pom, dir.resolve("pom.xml"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      written.add(groupId + ":" + artifactId + ":" + version);
    }
    System.out.println("META-INF/maven metadata written for " + written.size() + " bundled jars: " + String.join(", ", written));
  }

  private static boolean hasMavenMetadata(Path jar) throws IOException {
    try (JarFile f = new JarFile(jar.toFile())) {
      return f.stream().anyMatch(e -> PROPERTIES.matcher(e.getName()).matches());
    }
  }

  private static Element firstChild(Element parent, String name) {
    if (parent == null) {
      return null;
    }
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element && name.equals(n.getNodeName())) {
        return (Element) n;
      }
    }
    return null;
  }

  private static String child(Element parent, String name) {
    Element e = firstChild(parent, name);
    return e == null ? null : e.getTextContent().trim();
  }
}
