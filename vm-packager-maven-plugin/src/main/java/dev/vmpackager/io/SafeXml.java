package dev.vmpackager.io;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Parses XML that came from elsewhere (OVF envelopes, libvirt domains, VirtualBox machine files):
 * no DOCTYPE at all (so no external entity, no entity expansion bomb), no XInclude, secure
 * processing limits on, and nothing printed to stderr on errors.
 */
public final class SafeXml {

  private SafeXml() {}

  /**
   * @param xml the document's bytes (the caller bounds their size)
   * @param namespaceAware whether elements are matched by namespace (OVF) or by plain name
   * @return the parsed document
   * @throws SAXException when the bytes are not well-formed XML or declare a DOCTYPE
   */
  public static Document parse(byte[] xml, boolean namespaceAware) throws SAXException, IOException {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    try {
      f.setNamespaceAware(namespaceAware);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setFeature("http://xml.org/sax/features/external-general-entities", false);
      f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
      f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
      f.setXIncludeAware(false);
      f.setExpandEntityReferences(false);
      DocumentBuilder b = f.newDocumentBuilder();
      b.setErrorHandler(new ErrorHandler() {
        @Override public void warning(SAXParseException e) {}
        @Override public void error(SAXParseException e) throws SAXException { throw e; }
        @Override public void fatalError(SAXParseException e) throws SAXException { throw e; }
      });
      return b.parse(new ByteArrayInputStream(xml));
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("The JDK's XML parser lacks a security feature", e);
    }
  }
}
