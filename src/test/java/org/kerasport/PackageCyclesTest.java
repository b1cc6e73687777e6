package org.kerasport;

import org.junit.jupiter.api.Tag;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No package of the main sources uses a package that uses it back (issue 19). A use is an import or a fully
 * qualified name ({@code org.kerasport.export.Exporter.describe(...)}) outside comments and string literals, read
 * from the sources: plain Java, no ArchUnit (it is not in the local Maven repository, and reading imports and
 * qualified names is all this rule needs).
 */
@Tag("unit")
class PackageCyclesTest {
    private static final Path MAIN = Path.of("src/main/java");
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern USE = Pattern.compile("\\b(org\\.kerasport(?:\\.[a-z][a-z0-9_]*)*)\\.(?:[A-Z]|\\*)");

    /**
     * Back-arrows known today, each with the change that removes it. One that disappears fails the test, so whoever
     * removes it deletes its entry.
     */
    private static final Map<String, String> KNOWN = Map.of(
            "org.kerasport.dl4j <-> org.kerasport.dl4j.layers", "InputTypes and NdArrays, which dl4j/layers use, into dl4j/runtime (issue 19)",
            "org.kerasport.dl4j <-> org.kerasport.dl4j.mappers", "dl4j/importer package holding registry, context and bindings (issue 19)",
            "org.kerasport.train <-> org.kerasport.train.report", "DecaySearchReport/SearchProgress take report data, not train types");

    @Test
    void noPackageUsesOneThatUsesItBack() throws IOException {
        Map<String, Map<String, Set<String>>> uses = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(MAIN)) {
            files = s.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertTrue(files.size() > 100, "main sources not found under " + MAIN.toAbsolutePath());
        for (Path f : files) {
            String src = Files.readString(f);
            Matcher pm = PACKAGE.matcher(src);
            if (!pm.find()) continue;
            String pkg = pm.group(1);
            Matcher m = USE.matcher(code(src));
            while (m.find()) {
                String used = m.group(1);
                if (!used.equals(pkg))
                    uses.computeIfAbsent(pkg, k -> new TreeMap<>()).computeIfAbsent(used, k -> new TreeSet<>()).add(f.getFileName().toString());
            }
        }
        List<String> found = new ArrayList<>();
        Set<String> cycles = new TreeSet<>();
        for (var a : uses.entrySet())
            for (var b : a.getValue().entrySet()) {
                String p = a.getKey(), q = b.getKey();
                Set<String> back = uses.getOrDefault(q, Map.of()).get(p);
                if (back == null || p.compareTo(q) > 0) continue;
                String key = p + " <-> " + q;
                cycles.add(key);
                if (!KNOWN.containsKey(key)) found.add(key + ": " + p + " in " + b.getValue() + ", " + q + " in " + back);
            }
        for (String k : KNOWN.keySet())
            if (!cycles.contains(k)) found.add("no longer a cycle, remove it from KNOWN: " + k);
        assertTrue(found.isEmpty(), String.join("\n", found));
    }

    /** The source with comments, string, char and text-block literals blanked out. */
    static String code(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0, n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '/' && i + 1 < n && s.charAt(i + 1) == '/') {
                while (i < n && s.charAt(i) != '\n') i++;
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                int end = s.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                out.append(' ');
            } else if (s.startsWith("\"\"\"", i)) {
                int end = s.indexOf("\"\"\"", i + 3);
                i = end < 0 ? n : end + 3;
                out.append("\"\"");
            } else if (c == '"' || c == '\'') {
                i++;
                while (i < n && s.charAt(i) != c) i += s.charAt(i) == '\\' ? 2 : 1;
                i++;
                out.append(c).append(c);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
