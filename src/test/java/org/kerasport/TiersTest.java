package org.kerasport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Every test class carries a tier tag (TestSupport's class comment), so scripts/test --fast and the CI tiers see it. */
@Tag("unit")
class TiersTest {
    static final Set<String> TIERS = Set.of("unit", "interop", "corpus", "examples", "spark");

    @Test
    void everyTestClassHasATier() throws IOException, ClassNotFoundException {
        Path root = Path.of("target", "test-classes");
        List<String> untagged = new ArrayList<>();
        int classes = 0;
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".class") && !f.getFileName().toString().contains("$")).toList()) {
                String name = root.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> c = Class.forName(name, false, getClass().getClassLoader());
                if (!hasTests(c)) continue;
                classes++;
                boolean tier = false;
                for (Tag t : c.getAnnotationsByType(Tag.class)) tier |= TIERS.contains(t.value());
                if (!tier) untagged.add(name);
            }
        }
        assertTrue(classes > 40, "found only " + classes + " test classes under " + root);
        assertTrue(untagged.isEmpty(), "test classes without a tier tag " + TIERS + ": " + untagged);
    }

    private static boolean hasTests(Class<?> c) {
        for (Method m : c.getDeclaredMethods())
            for (var a : m.getAnnotations()) {
                String n = a.annotationType().getName();
                if (n.equals("org.junit.jupiter.api.Test") || n.equals("org.junit.jupiter.api.TestFactory")
                        || n.equals("org.junit.jupiter.params.ParameterizedTest"))
                    return true;
            }
        return false;
    }
}
