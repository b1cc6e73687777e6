package org.kerasport;

import org.junit.jupiter.api.Tag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.kerasport.dl4j.LayerMapper;
import org.kerasport.dl4j.MapperRegistry;
import org.kerasport.dl4j.MappingContext;
import org.kerasport.export.Dl4jToKeras;
import org.kerasport.format.LayerCatalog;
import org.kerasport.format.WeightLayout;
import org.kerasport.format.kinds.LayerKind;
import org.kerasport.format.kinds.LayerKinds;
import org.kerasport.model.LayerSpec;

/**
 * The Keras class name is a string key in several tables (issue 19). This test lists, for every Keras class any of
 * them names, where it is known, and fails on any disagreement:
 * <ul>
 *   <li>{@code catalog}: {@link LayerCatalog#KNOWN} (aliases in {@link LayerCatalog#ALIASES} must point into it and
 *       must not shadow a known class);</li>
 *   <li>{@code shape}: the output-shape rules ({@link LayerKind#shape()});</li>
 *   <li>{@code weights}: what {@link WeightLayout} says of the class ({@code W} variables tabled, {@code -} known to
 *       have none, absent: not tabled);</li>
 *   <li>{@code upgrade}: the classes with their own config upgrade ({@link LayerKind#upgrade()}) and those
 *       KerasConfigUpgrader still names (read from the source: {@code equals} and {@code startsWith} tests on the
 *       class name, the classes it writes);</li>
 *   <li>{@code mapper}: {@link MapperRegistry}'s built-in class names;</li>
 *   <li>{@code export}: {@link Dl4jToKeras#KERAS_CLASSES}, the classes the DL4J → Keras export writes.</li>
 * </ul>
 * Rules: every name is a known canonical class; a class mapped onto DL4J has a WeightLayout decision and an
 * output-shape rule (the mappers ask for shapes); a class the export writes is one the importer maps, with a
 * WeightLayout decision, so every export reads back.
 */
@Tag("unit")
class ClassNameTablesTest {
    /**
     * Disagreements known today, each with its reason. An entry that stops being a disagreement fails the test, so
     * whoever closes the gap removes it here.
     */
    private static final Map<String, String> KNOWN_GAPS = Map.of();
    private static final Path MAIN = Path.of("src/main/java/org/kerasport");
    private static final Pattern CLASS_TEST = Pattern.compile("(?:className\\(\\)|\\bcls)\\.(equals|startsWith)\\(\"([A-Za-z0-9]+)\"\\)");
    private static final Pattern WRITTEN_CLASS = Pattern.compile("env\\.put\\(\"class_name\", (?:\\w+ \\? \"(\\w+)\" : )?\"(\\w+)\"\\)");

    @Test
    void everyClassNameTableAgrees() throws IOException {
        Set<String> known = LayerCatalog.KNOWN;
        Map<String, Set<String>> where = new TreeMap<>();
        List<String> problems = new ArrayList<>();

        for (String k : known) mark(where, k, "catalog");
        for (Map.Entry<String, String> a : LayerCatalog.ALIASES.entrySet()) {
            mark(where, a.getValue(), "alias:" + a.getKey());
            if (!known.contains(a.getValue())) problems.add("alias " + a.getKey() + " -> " + a.getValue() + ": the target is not in LayerCatalog.KNOWN");
            if (known.contains(a.getKey())) problems.add("alias " + a.getKey() + " is also in LayerCatalog.KNOWN: the alias shadows it");
        }

        Set<String> shape = shapeRules();
        for (String c : shape) mark(where, c, "shape");

        WeightLayout layout = new WeightLayout((layer, field) -> null);
        Map<String, String> weights = new TreeMap<>();
        Set<String> all = new TreeSet<>(where.keySet());
        Set<String> mapped = MapperRegistry.defaults().classNames();
        all.addAll(mapped);
        all.addAll(Dl4jToKeras.KERAS_CLASSES);
        Map<String, String> upgrade = upgraderClasses(known);
        all.addAll(upgrade.keySet());
        for (String c : all) {
            String w = weightDecision(layout, c);
            if (w != null) {
                weights.put(c, w);
                mark(where, c, "weights" + w);
            }
        }
        upgrade.forEach((c, how) -> mark(where, c, "upgrade" + how));
        for (LayerKind k : LayerKinds.all()) if (k.keras1Weights() != null) mark(where, k.className(), "keras1");
        for (String c : mapped) mark(where, c, "mapper");
        for (String c : Dl4jToKeras.KERAS_CLASSES) mark(where, c, "export");

        for (Map.Entry<String, Set<String>> e : where.entrySet()) {
            String c = e.getKey();
            Set<String> in = e.getValue();
            boolean tabled = weights.containsKey(c);
            if (!known.contains(c)) problems.add(c + " is named by " + in + " but is not in LayerCatalog.KNOWN");
            if (mapped.contains(c) && !tabled) problems.add(c + " is mapped onto DL4J but WeightLayout does not table its variables");
            if (mapped.contains(c) && !shape.contains(c)) problems.add(c + " is mapped onto DL4J but ShapeInference has no output-shape rule");
            if (Dl4jToKeras.KERAS_CLASSES.contains(c) && !LayerCatalog.MODELS.contains(c) && !c.equals("InputLayer")) {
                if (!mapped.contains(c)) problems.add(c + " is written by the export but the importer does not map it back");
                if (!tabled) problems.add(c + " is written by the export but WeightLayout does not table its variables");
            }
        }
        for (Map.Entry<String, String> u : upgrade.entrySet())
            if (u.getValue().startsWith("!")) problems.add("KerasConfigUpgrader tests the class prefix " + u.getValue().substring(1) + ", which no known class has");

        for (Map.Entry<String, String> gap : KNOWN_GAPS.entrySet())
            if (!problems.remove(gap.getKey())) problems.add("KNOWN_GAPS lists a gap that is closed now, remove it: " + gap.getKey());
        StringBuilder table = new StringBuilder("Keras class -> where it is known\n");
        where.forEach((c, in) -> table.append(String.format("  %-26s %s%n", c, String.join(" ", in))));
        System.out.print(table);
        assertTrue(problems.isEmpty(), String.join("\n", problems) + "\n\n" + table);
    }

    /** Built-in duplicates fail at start-up (the defaults load); custom mappers override built-ins, never each other. */
    @Test
    void customMappersOverrideBuiltInsAndNeverEachOther() {
        LayerMapper mine = new Fake();
        MapperRegistry r = new MapperRegistry(List.of(mine));
        assertSame(mine, r.get("Dense"), "a custom mapper overrides the built-in one of its class");
        assertTrue(MapperRegistry.defaults().get("Dense") != mine);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new MapperRegistry(List.of(new Fake(), new Fake())));
        assertTrue(e.getMessage().contains("Keras class Dense has two custom mappers"), e.getMessage());
        assertEquals(MapperRegistry.defaults().classNames(), new MapperRegistry(List.of()).classNames());
    }

    /** Two entries for one class, an older name given to two classes, or one that is a class: each fails at start-up. */
    @Test
    void duplicateLayerKindsFail() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> LayerKinds.index(List.of(LayerKind.kind("Dense"), LayerKind.kind("Dense"))));
        assertTrue(e.getMessage().contains("Keras class Dense has two LayerKind entries"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> LayerKinds.aliases(List.of(
                LayerKind.kind("Conv2D").alias("Convolution2D"), LayerKind.kind("Conv2DTranspose").alias("Convolution2D"))));
        assertTrue(e.getMessage().contains("older name Convolution2D is given to both Conv2D and Conv2DTranspose"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> LayerKinds.aliases(List.of(
                LayerKind.kind("Conv2D").alias("Dense"), LayerKind.kind("Dense"))));
        assertTrue(e.getMessage().contains("older name Dense of Conv2D is itself a Keras class entry"), e.getMessage());
        assertEquals(LayerKinds.names(), LayerCatalog.KNOWN, "LayerCatalog.KNOWN is the table of LayerKinds");
    }

    private static final class Fake implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("Dense");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            return null;
        }
    }

    private static void mark(Map<String, Set<String>> where, String c, String table) {
        where.computeIfAbsent(c, k -> new java.util.LinkedHashSet<>()).add(table);
    }

    /** The classes with an output-shape rule: each {@link LayerKind} that has one. */
    private static Set<String> shapeRules() {
        Set<String> out = new TreeSet<>();
        for (LayerKind k : LayerKinds.all()) if (k.shape() != null) out.add(k.className());
        assertTrue(out.contains("Dense") && out.contains("Activation"), "shape rules found " + out);
        return out;
    }

    /** " W" when WeightLayout tables variables for the class, " -" when it knows the class has none, null when untabled. */
    private static String weightDecision(WeightLayout layout, String c) {
        LayerSpec l = new LayerSpec("probe", c, c, JsonNodeFactory.instance.objectNode(), JsonNodeFactory.instance.objectNode(),
                true, List.of(), List.of(), null, null, false);
        try {
            List<WeightLayout.Expected> e = layout.expected(l);
            return e == null ? null : e.isEmpty() ? "-" : "W";
        } catch (RuntimeException wrapperWithoutInner) { // Bidirectional, TimeDistributed, nested models: tabled via the inner layers
            return "W";
        }
    }

    /**
     * The classes whose config is upgraded: each {@link LayerKind} with its own upgrade, and the classes
     * KerasConfigUpgrader still names: {@code equals} tests (exact), {@code startsWith} tests (each known class with
     * the prefix; "!prefix" when none has it), and the class names it writes.
     */
    private static Map<String, String> upgraderClasses(Set<String> known) throws IOException {
        String src = Files.readString(MAIN.resolve("format/KerasConfigUpgrader.java"));
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = CLASS_TEST.matcher(src);
        int found = 0;
        while (m.find()) {
            found++;
            if (m.group(1).equals("equals")) out.put(m.group(2), "");
            else {
                boolean any = false;
                for (String k : known) if (k.startsWith(m.group(2))) { out.put(k, "(" + m.group(2) + "*)"); any = true; }
                if (!any) out.put(m.group(2), "!" + m.group(2));
            }
        }
        assertTrue(found > 5, "KerasConfigUpgrader's class tests not found: update this test with their new form");
        for (LayerKind k : LayerKinds.all())
            if (k.upgrade() != null || k.keepsKey("input_dim")) out.putIfAbsent(k.className(), "");
        Matcher w = WRITTEN_CLASS.matcher(src);
        while (w.find())
            for (int g = 1; g <= 2; g++) if (w.group(g) != null) out.putIfAbsent(w.group(g), "(writes)");
        return out;
    }
}
