package dev.vmpackager.vm;

import dev.vmpackager.io.SafeXml;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * What every XML description reader needs: the file read with a size bound, parsed safely
 * ({@link SafeXml}: no DOCTYPE, so no entities of any kind), failures turned into
 * {@link VmDescriptionException}s naming the file, and element lookups by local name (OVF 1.x and
 * 2.x, and VirtualBox's machine XML embedded in an OVF, put the same elements in different
 * namespaces).
 *
 * <p>Lookups never recurse: a hostile file nested a million levels deep costs no stack.
 */
public final class DescriptionXml {

  /** Descriptions larger than this are refused: real ones are tens of KiB. */
  public static final int MAX_BYTES = 16 << 20;

  private DescriptionXml() {}

  /**
   * @param file a description file
   * @return its bytes
   * @throws VmDescriptionException when it cannot be read or is larger than {@link #MAX_BYTES}
   *     (read through a bounded stream, so a device or a growing file cannot make it read forever)
   */
  public static byte[] read(Path file) throws VmDescriptionException {
    return DescriptionFile.read(file, MAX_BYTES, "a VM description");
  }

  /**
   * @param file the description, for messages
   * @param xml its bytes
   * @return the parsed document, namespace aware
   * @throws VmDescriptionException when the bytes are not well-formed XML or declare a DOCTYPE
   */
  public static Document parse(Path file, byte[] xml) throws VmDescriptionException {
    try {
      return SafeXml.parse(xml, true);
    } catch (SAXParseException e) {
      throw new VmDescriptionException(file, "line " + e.getLineNumber() + " column " + e.getColumnNumber(),
          "not a well-formed XML document without DOCTYPE (DTDs and entities are refused): " + e.getMessage(), e);
    } catch (SAXException | IOException e) {
      throw new VmDescriptionException(file, "XML", "not a well-formed XML document without DOCTYPE (DTDs and"
          + " entities are refused): " + e.getMessage(), e);
    }
  }

  /**
   * @param parent an element
   * @param localName a local name, in any namespace
   * @return the child elements with that local name, in document order
   */
  public static List<Element> children(Element parent, String localName) {
    List<Element> out = new ArrayList<>();
    NodeList kids = parent.getChildNodes();
    for (int i = 0; i < kids.getLength(); i++) {
      if (kids.item(i) instanceof Element e && localName.equals(localName(e))) {
        out.add(e);
      }
    }
    return out;
  }

  /**
   * @param parent an element
   * @return all its child elements, in document order
   */
  public static List<Element> children(Element parent) {
    List<Element> out = new ArrayList<>();
    NodeList kids = parent.getChildNodes();
    for (int i = 0; i < kids.getLength(); i++) {
      if (kids.item(i) instanceof Element e) {
        out.add(e);
      }
    }
    return out;
  }

  /**
   * @param parent an element
   * @param localName a local name, in any namespace
   * @return the first child element with that local name
   */
  public static Optional<Element> child(Element parent, String localName) {
    NodeList kids = parent.getChildNodes();
    for (int i = 0; i < kids.getLength(); i++) {
      if (kids.item(i) instanceof Element e && localName.equals(localName(e))) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  /** @return the element's local name (its plain name when parsed without namespaces) */
  public static String localName(Element e) {
    return e.getLocalName() != null ? e.getLocalName() : e.getNodeName();
  }

  /**
   * @param e an element
   * @return its own text (text and CDATA children only, not its descendants'), stripped
   */
  public static String text(Element e) {
    StringBuilder b = new StringBuilder();
    NodeList kids = e.getChildNodes();
    for (int i = 0; i < kids.getLength(); i++) {
      Node k = kids.item(i);
      if (k.getNodeType() == Node.TEXT_NODE || k.getNodeType() == Node.CDATA_SECTION_NODE) {
        b.append(k.getNodeValue());
      }
    }
    return b.toString().strip();
  }

  /**
   * @param parent an element
   * @param localName a child's local name
   * @return the first such child's own text, empty when there is no such child
   */
  public static String childText(Element parent, String localName) {
    return child(parent, localName).map(DescriptionXml::text).orElse("");
  }

  /**
   * @param e an element
   * @param localName an attribute's local name, in any namespace ({@code ovf:id}, {@code vmw:key}
   *     and a plain {@code id} all match {@code id})
   * @return its value stripped, or empty when absent
   */
  public static String attr(Element e, String localName) {
    NamedNodeMap attrs = e.getAttributes();
    for (int i = 0; i < attrs.getLength(); i++) {
      Node a = attrs.item(i);
      String ln = a.getLocalName() != null ? a.getLocalName() : a.getNodeName();
      if (localName.equals(ln)) {
        return a.getNodeValue().strip();
      }
    }
    return "";
  }

  /**
   * Parses a whole number a description states, refusing what no hypervisor writes.
   *
   * @param file the description, for messages
   * @param element where the number is, for messages
   * @param text the number as written (decimal digits, surrounding spaces allowed)
   * @param min the smallest sane value
   * @param max the largest sane value
   * @return the value
   * @throws VmDescriptionException naming the element when the text is not a decimal number
   *     between {@code min} and {@code max}
   */
  public static long number(Path file, String element, String text, long min, long max)
      throws VmDescriptionException {
    String t = text.strip();
    // At most 19 digits before parsing: a megabyte of digits must not cost a quadratic parse.
    if (!t.isEmpty() && t.length() <= 19 && t.chars().allMatch(c -> c >= '0' && c <= '9')) {
      long v = Long.parseLong(t);
      if (v >= min && v <= max) {
        return v;
      }
    }
    String shown = t.length() > 40 ? t.substring(0, 40) + "... (" + t.length() + " characters)" : t;
    boolean digits = !t.isEmpty() && t.chars().allMatch(c -> c >= '0' && c <= '9');
    throw new VmDescriptionException(file, element, "'" + shown + "' is " + (digits ? "out of range" : "not a whole"
        + " number") + ": it must be between " + min + " and " + max);
  }
}
