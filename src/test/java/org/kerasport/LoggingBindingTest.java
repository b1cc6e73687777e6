package org.kerasport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * A library must not bind a logger for its users: every SLF4J binding in pom.xml is optional (the CLI's runtime,
 * target/lib, still gets it) or test-scoped, so a project depending on Kerasport keeps its own binding.
 */
@Tag("unit")
class LoggingBindingTest {
    static final List<String> BINDINGS = List.of("slf4j-simple", "slf4j-log4j12", "slf4j-reload4j", "slf4j-jdk14", "logback-classic",
            "log4j-slf4j-impl", "log4j-slf4j2-impl", "slf4j-nop");

    @Test
    void noBindingReachesLibraryUsers() throws Exception {
        var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
        // the project's own dependencies (not those of <dependencyManagement>, which only pins versions)
        Element own = null;
        NodeList lists = doc.getElementsByTagName("dependencies");
        for (int i = 0; i < lists.getLength(); i++)
            if (lists.item(i).getParentNode() == doc.getDocumentElement()) own = (Element) lists.item(i);
        NodeList deps = own.getElementsByTagName("dependency");
        List<String> forced = new ArrayList<>();
        boolean simple = false;
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            String artifact = text(d, "artifactId");
            if (!BINDINGS.contains(artifact)) continue;
            simple |= artifact.equals("slf4j-simple");
            if (!text(d, "optional").equals("true") && !text(d, "scope").equals("test")) forced.add(artifact);
        }
        assertTrue(forced.isEmpty(), "SLF4J bindings that library users would inherit: " + forced);
        assertTrue(simple, "the CLI's binding (slf4j-simple) is gone from pom.xml: bin/kerasport would not log");
        assertFalse(org.slf4j.LoggerFactory.getILoggerFactory().getClass().getName().contains("NOP"), "the tests run with a binding");
    }

    private static String text(Element e, String tag) {
        NodeList l = e.getElementsByTagName(tag);
        return l.getLength() == 0 ? "" : l.item(0).getTextContent().trim();
    }
}
