package dev.vmpackager.mojo;

import java.io.File;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.maven.project.MavenProject;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The plugin descriptor maven-plugin-plugin wrote from the Mojos' annotations and Javadoc
 * ({@code target/classes/META-INF/maven/plugin.xml}, made in process-classes, before the tests):
 * what {@code vm-packager:help} prints, and the defaults Maven injects. Tests read it to check the
 * help text and to give a Mojo exactly the defaults Maven would, not hand-picked ones.
 */
final class PluginDescriptor {

  private static final Path FILE = Path.of("target/classes/META-INF/maven/plugin.xml");
  private static final Pattern EXPRESSION = Pattern.compile("\\$\\{([^}]+)}");

  private final Document doc;

  private PluginDescriptor(Document doc) {
    this.doc = doc;
  }

  static PluginDescriptor load() throws Exception {
    if (!Files.isRegularFile(FILE)) {
      throw new IllegalStateException(FILE + " is missing: run the tests through Maven (process-classes writes it)");
    }
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return new PluginDescriptor(f.newDocumentBuilder().parse(FILE.toFile()));
  }

  private Element mojo(String goal) {
    NodeList mojos = doc.getElementsByTagName("mojo");
    for (int i = 0; i < mojos.getLength(); i++) {
      Element m = (Element) mojos.item(i);
      if (goal.equals(text(m, "goal"))) {
        return m;
      }
    }
    throw new IllegalArgumentException("no goal " + goal + " in " + FILE);
  }

  /** @return the goal's user-editable parameters (what help lists), name to description */
  Map<String, String> parameters(String goal) {
    Map<String, String> out = new LinkedHashMap<>();
    NodeList ps = ((Element) mojo(goal).getElementsByTagName("parameters").item(0)).getElementsByTagName("parameter");
    for (int i = 0; i < ps.getLength(); i++) {
      Element p = (Element) ps.item(i);
      if (!"false".equals(text(p, "editable"))) {
        out.put(text(p, "name"), text(p, "description"));
      }
    }
    return out;
  }

  /** @return the parameter's alias, or null */
  String alias(String goal, String parameter) {
    NodeList ps = ((Element) mojo(goal).getElementsByTagName("parameters").item(0)).getElementsByTagName("parameter");
    for (int i = 0; i < ps.getLength(); i++) {
      Element p = (Element) ps.item(i);
      if (parameter.equals(text(p, "name"))) {
        return text(p, "alias");
      }
    }
    throw new IllegalArgumentException("no parameter " + parameter + " in " + goal);
  }

  /** @return the parameter's configuration: the user property and default, e.g. {@code ${vm.image}} */
  Element configuration(String goal, String parameter) {
    Node c = mojo(goal).getElementsByTagName("configuration").item(0);
    NodeList children = c.getChildNodes();
    for (int i = 0; i < children.getLength(); i++) {
      if (children.item(i) instanceof Element e && e.getTagName().equals(parameter)) {
        return e;
      }
    }
    return null;
  }

  /**
   * Sets each of the Mojo's parameters that has a default value to that default, evaluated against
   * the project as Maven would ({@code ${project.artifactId}}, {@code ${project.build.directory}}...).
   */
  void applyDefaults(String goal, Object mojo, MavenProject project) throws Exception {
    for (String name : parameters(goal).keySet()) {
      Element c = configuration(goal, name);
      String dflt = c == null ? "" : c.getAttribute("default-value");
      if (dflt.isEmpty()) {
        continue;
      }
      Matcher m = EXPRESSION.matcher(dflt);
      StringBuilder value = new StringBuilder();
      boolean known = true;
      while (m.find()) {
        String v = switch (m.group(1)) {
          case "project.artifactId" -> project.getArtifactId();
          case "project.version" -> project.getVersion();
          case "project.build.directory" -> project.getBuild().getDirectory();
          case "project.build.finalName" -> project.getBuild().getFinalName();
          case "project.basedir" -> project.getBasedir().toString();
          case "project.build.outputTimestamp" -> project.getProperties().getProperty("project.build.outputTimestamp");
          default -> null;
        };
        if (v == null) {
          known = false;
          break;
        }
        m.appendReplacement(value, Matcher.quoteReplacement(v));
      }
      if (!known) {
        continue;
      }
      m.appendTail(value);
      set(mojo, name, value.toString());
    }
  }

  private static void set(Object mojo, String name, String value) throws Exception {
    for (Class<?> c = mojo.getClass(); c != null; c = c.getSuperclass()) {
      try {
        Field f = c.getDeclaredField(name);
        f.setAccessible(true);
        if (f.getType() == String.class) {
          f.set(mojo, value);
        } else if (f.getType() == boolean.class) {
          f.setBoolean(mojo, Boolean.parseBoolean(value));
        } else if (f.getType() == File.class) {
          f.set(mojo, new File(value));
        }
        return;
      } catch (NoSuchFieldException next) {
        // look in the superclass
      }
    }
    throw new NoSuchFieldException(name);
  }

  private static String text(Element e, String child) {
    NodeList l = e.getElementsByTagName(child);
    for (int i = 0; i < l.getLength(); i++) {
      if (l.item(i).getParentNode() == e) {
        return l.item(i).getTextContent();
      }
    }
    return null;
  }
}
