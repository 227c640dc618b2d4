package dev.vmpackager.disk.ova;

import dev.vmpackager.disk.CorruptImageException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * What the reader needs from an OVF envelope: the files of {@code <References>} and the disks of
 * {@code <DiskSection>}, in document order. Parsed with DTDs and external entities disabled.
 *
 * @param files {@code ovf:id} to file
 * @param disks the disks in document order
 */
record OvfDescriptor(Map<String, OvfFile> files, List<OvfDisk> disks) {

  /**
   * A {@code <References><File>}.
   *
   * @param id {@code ovf:id}
   * @param href {@code ovf:href}, the entry name in the OVA
   * @param compression {@code ovf:compression}, empty when absent
   * @param chunkSize {@code ovf:chunkSize}: the file is stored as entries {@code href.000000000},
   *     {@code href.000000001}, ... of this size (the last one shorter); 0 when not chunked
   * @param size {@code ovf:size}, the stored (compressed, joined) size in bytes; -1 when absent
   */
  record OvfFile(String id, String href, String compression, long chunkSize, long size) {

    /** @return whether the file is stored in chunks */
    boolean chunked() {
      return chunkSize > 0;
    }

    /** @return whether the file is compressed ({@code identity} means not) */
    boolean compressed() {
      return !compression.isEmpty() && !compression.equalsIgnoreCase("identity");
    }
  }

  /**
   * A {@code <DiskSection><Disk>}.
   *
   * @param diskId {@code ovf:diskId}
   * @param fileRef {@code ovf:fileRef}, empty for a blank disk
   * @param format {@code ovf:format}, a URI such as {@code ...vmdk.html#streamOptimized}
   * @param capacityBytes {@code ovf:capacity} times {@code ovf:capacityAllocationUnits} in bytes,
   *     or -1 when absent or not a plain number (a property reference such as {@code ${size}})
   */
  record OvfDisk(String diskId, String fileRef, String format, long capacityBytes) {}

  /**
   * @param xml the .ovf bytes
   * @param name the entry's name in messages
   */
  static OvfDescriptor parse(byte[] xml, String name) throws CorruptImageException {
    Document doc;
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(true);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setFeature("http://xml.org/sax/features/external-general-entities", false);
      f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
      f.setXIncludeAware(false);
      f.setExpandEntityReferences(false);
      DocumentBuilder b = f.newDocumentBuilder();
      b.setErrorHandler(null);
      doc = b.parse(new ByteArrayInputStream(xml));
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("XML parser cannot be configured safely", e);
    } catch (SAXException | IOException e) {
      throw new CorruptImageException(name + ": not a valid OVF descriptor: " + e.getMessage(), e);
    }
    Map<String, OvfFile> files = new HashMap<>();
    for (Element file : elements(doc, "References", "File")) {
      String id = attr(file, "id");
      String chunk = attr(file, "chunkSize");
      long chunkSize = chunk.isEmpty() ? 0 : parsePositive(chunk, name, "ovf:chunkSize of file " + id);
      String size = attr(file, "size");
      long sizeBytes = size.isEmpty() ? -1 : parsePositive(size, name, "ovf:size of file " + id);
      files.put(id, new OvfFile(id, attr(file, "href"), attr(file, "compression"), chunkSize, sizeBytes));
    }
    List<OvfDisk> disks = new ArrayList<>();
    for (Element disk : elements(doc, "DiskSection", "Disk")) {
      disks.add(new OvfDisk(attr(disk, "diskId"), attr(disk, "fileRef"), attr(disk, "format"),
          capacityBytes(attr(disk, "capacity"), attr(disk, "capacityAllocationUnits"))));
    }
    return new OvfDescriptor(Map.copyOf(files), List.copyOf(disks));
  }

  private static long parsePositive(String text, String name, String what) throws CorruptImageException {
    try {
      long v = Long.parseLong(text);
      if (v > 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new CorruptImageException(name + ": " + what + " is \"" + text + "\", not a positive number of bytes");
  }

  /** Units as DSP0004 programmatic units ({@code byte * 2^30}) or OVF 0.9 words; anything else is unknown. */
  private static final Pattern UNITS = Pattern.compile("byte(?:\\s*\\*\\s*2\\s*\\^\\s*(\\d{1,2}))?");

  static long capacityBytes(String capacity, String units) {
    long value;
    try {
      value = Long.parseLong(capacity);
    } catch (NumberFormatException e) {
      return -1;
    }
    int shift;
    String u = units.strip().toLowerCase(Locale.ROOT);
    Matcher m = UNITS.matcher(u);
    if (u.isEmpty()) {
      shift = 0;
    } else if (m.matches()) {
      shift = m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
    } else if (u.equals("kilobytes")) {
      shift = 10;
    } else if (u.equals("megabytes")) {
      shift = 20;
    } else if (u.equals("gigabytes")) {
      shift = 30;
    } else {
      return -1;
    }
    if (value < 0 || shift > 62 || value > (Long.MAX_VALUE >> shift)) {
      return -1;
    }
    return value << shift;
  }

  /** Children named {@code child} (any namespace) of every element named {@code parent}. */
  private static List<Element> elements(Document doc, String parent, String child) {
    List<Element> out = new ArrayList<>();
    NodeList parents = doc.getElementsByTagNameNS("*", parent);
    for (int i = 0; i < parents.getLength(); i++) {
      NodeList kids = parents.item(i).getChildNodes();
      for (int j = 0; j < kids.getLength(); j++) {
        Node k = kids.item(j);
        if (k instanceof Element e && child.equals(e.getLocalName())) {
          out.add(e);
        }
      }
    }
    return out;
  }

  /** The attribute with this local name in any namespace (OVF 1.x and 2.x differ), or empty. */
  private static String attr(Element e, String localName) {
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
}
