package org.kerasport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.kerasport.dl4j.MapperRegistry;
import org.kerasport.format.Json;

/**
 * The layer coverage table (src/test/resources/org/kerasport/layer-coverage.tsv, shown in README's "Layer coverage"):
 * one row per layer class Keras 3.15 exports in {@code keras.layers}, listed by real Keras, saying which tests prove
 * that Kerasport predicts, trains and exports it as Keras does.
 *
 * <ul>
 *   <li>the rows are exactly Keras' classes (one per class; aliases such as {@code Convolution2D} share a row);</li>
 *   <li>every named proof is a test class of this suite whose cases hold the layer: its source, the generator scripts
 *       it runs ({@code src/test/python/*.py} named in it) or, for the tests that walk {@code ../shared/keras-reference},
 *       the model configs of those cases (with a training reference, for the training column) name the class. The
 *       numbers themselves are those tests' business: a supported row fails the suite when its layer stops matching
 *       Keras;</li>
 *   <li>a class predicts only if a DL4J mapper claims it, and every class a mapper claims has a prediction proof, so
 *       the table and the code cannot drift apart;</li>
 *   <li>README's table is this file rendered ({@code scripts/coverage-table} rewrites it).</li>
 * </ul>
 */
@Tag("interop")
@Tag("corpus")
class LayerCoverageTest {
    static final String RESOURCE = "layer-coverage.tsv";
    static final Path README = Path.of("README.md");
    static final String BEGIN = "<!-- layer-coverage:begin (generated from src/test/resources/org/kerasport/layer-coverage.tsv"
            + " by scripts/coverage-table; edit the TSV) -->", END = "<!-- layer-coverage:end -->";
    /** Tests that compare every case of ../shared/keras-reference; the training column's one uses the cases that train. */
    static final Set<String> REFERENCE_TESTS = Set.of("ReferencePredictTest", "ExportKerasTest");
    static final String REFERENCE_TRAINING_TEST = "TrainingTrajectoryTest";
    /**
     * Classes the reader handles itself: no DL4J mapper (an input, or a container that is flattened), and the RNN cells,
     * which the RNN mapper maps with the RNN that holds them.
     */
    static final Set<String> STRUCTURAL = Set.of("InputLayer", "LSTMCell", "GRUCell", "SimpleRNNCell", "StackedRNNCells");

    record Row(String keras, List<String> predict, List<String> train, List<String> export, String note) {
        String status() {
            if (!predict.isEmpty() && !train.isEmpty() && !export.isEmpty()) return "supported";
            if (!predict.isEmpty()) return "partly";
            return "no";
        }
    }

    static List<Row> rows() throws IOException {
        List<Row> rows = new ArrayList<>();
        try (InputStream in = LayerCoverageTest.class.getResourceAsStream(RESOURCE)) {
            assertTrue(in != null, RESOURCE + " missing");
            int n = 0;
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                n++;
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] f = line.split("\t", -1);
                assertEquals(5, f.length, RESOURCE + " line " + n + ": class, predict, train, export, note (tab-separated)");
                rows.add(new Row(f[0].strip(), proofs(f[1]), proofs(f[2]), proofs(f[3]), f[4].strip()));
            }
        }
        return rows;
    }

    private static List<String> proofs(String cell) {
        String c = cell.strip();
        return c.equals("-") || c.isEmpty() ? List.of() : List.of(c.split("\\s+"));
    }

    @Test
    void everyKerasLayerClassHasOneRow() throws IOException {
        Path out = Files.createTempFile("keras-layers", ".txt");
        TestSupport.runPython(Path.of("."), 120, "-c", String.join("\n",
                "import inspect, sys, keras",
                "names = sorted({c.__name__ for n, c in vars(keras.layers).items()",
                "                if inspect.isclass(c) and issubclass(c, keras.layers.Layer)})",
                "open(sys.argv[1], 'w').write('\\n'.join(names) + '\\n')"), out.toString());
        Set<String> keras = new TreeSet<>(List.of(Files.readString(out).strip().split("\n")));
        Files.delete(out);
        Set<String> table = new TreeSet<>();
        for (Row r : rows()) assertTrue(table.add(r.keras()), "two rows for " + r.keras());
        Set<String> missing = new TreeSet<>(keras), extra = new TreeSet<>(table);
        missing.removeAll(table);
        extra.removeAll(keras);
        assertTrue(missing.isEmpty() && extra.isEmpty(), "keras.layers classes without a row: " + missing + "; rows that are not keras.layers classes: " + extra);
    }

    @Test
    void rowsAgreeWithTheMappers() throws IOException {
        Set<String> mapped = MapperRegistry.defaults().classNames();
        List<String> wrong = new ArrayList<>();
        for (Row r : rows()) {
            boolean m = mapped.contains(r.keras()) || STRUCTURAL.contains(r.keras());
            if (!r.predict().isEmpty() && !m) wrong.add(r.keras() + ": a prediction proof but no DL4J mapper");
            if (m && r.predict().isEmpty()) wrong.add(r.keras() + ": mapped onto DL4J but no test proves its predictions");
            if ((!r.train().isEmpty() || !r.export().isEmpty()) && r.predict().isEmpty()) wrong.add(r.keras() + ": train/export without predict");
            if (!r.status().equals("supported") && r.note().isEmpty()) wrong.add(r.keras() + ": a row that is not fully supported says why in its note");
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    @Test
    void everyProofHoldsItsLayer() throws IOException {
        Map<String, String> texts = new LinkedHashMap<>();
        List<String> wrong = new ArrayList<>();
        for (Row r : rows()) {
            for (String t : r.predict()) check(r.keras(), t, false, texts, wrong);
            for (String t : r.train()) check(r.keras(), t, true, texts, wrong);
            for (String t : r.export()) check(r.keras(), t, false, texts, wrong);
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    private static void check(String keras, String test, boolean training, Map<String, String> texts, List<String> wrong) throws IOException {
        String key = test + (training ? "#train" : "");
        String text = texts.get(key);
        if (text == null) {
            text = evidence(test, training);
            if (text == null) {
                wrong.add(keras + ": proof " + test + " is not a test class of this suite");
                return;
            }
            texts.put(key, text);
        }
        if (!Pattern.compile("\\b" + keras + "\\b").matcher(text).find())
            wrong.add(keras + ": " + test + " has no case holding it (" + (REFERENCE_TESTS.contains(test) || test.equals(REFERENCE_TRAINING_TEST)
                    ? "no ../shared/keras-reference case" + (training ? " with training" : "") : "neither its source nor its generator scripts") + " name it)");
    }

    /** What a proof test's cases are made of: reference model configs, or its source and the generator scripts it runs. */
    private static String evidence(String test, boolean training) throws IOException {
        if (REFERENCE_TESTS.contains(test) || test.equals(REFERENCE_TRAINING_TEST)) {
            StringBuilder sb = new StringBuilder();
            try (Stream<Path> s = Files.walk(TestSupport.reference())) {
                for (Path c : s.filter(p -> p.getFileName().toString().equals("case.json")).sorted().toList()) {
                    JsonNode t = Json.MAPPER.readTree(c.toFile()).get("training");
                    if ((training || test.equals(REFERENCE_TRAINING_TEST)) && (t == null || t.isNull())) continue;
                    try (ZipFile z = new ZipFile(c.resolveSibling("model.keras").toFile())) {
                        sb.append(new String(z.getInputStream(z.getEntry("config.json")).readAllBytes(), StandardCharsets.UTF_8));
                    }
                }
            }
            return sb.toString();
        }
        Path src;
        try (Stream<Path> s = Files.walk(Path.of("src/test/java"))) {
            src = s.filter(p -> p.getFileName().toString().equals(test + ".java")).findFirst().orElse(null);
        }
        if (src == null) return null;
        StringBuilder sb = new StringBuilder(Files.readString(src));
        Matcher m = Pattern.compile("([A-Za-z0-9_]+\\.py)\\b").matcher(sb.toString());
        Set<String> scripts = new TreeSet<>();
        while (m.find()) scripts.add(m.group(1));
        for (String py : scripts) {
            Path p = Path.of("src/test/python", py);
            if (Files.exists(p)) sb.append('\n').append(Files.readString(p));
        }
        return sb.toString();
    }

    /** The README section, rendered from the rows. */
    static String render(List<Row> rows) {
        StringBuilder sb = new StringBuilder(BEGIN).append("\n\n");
        long full = rows.stream().filter(r -> r.status().equals("supported")).count(),
                part = rows.stream().filter(r -> r.status().equals("partly")).count();
        sb.append("Keras 3.15 exports ").append(rows.size()).append(" layer classes in `keras.layers`: ").append(full)
                .append(" predict, train and export as Keras does, ").append(part).append(" in part, ")
                .append(rows.size() - full - part).append(" not yet.\n\n");
        sb.append("| Keras class | predicts | trains | exports | notes |\n|---|---|---|---|---|\n");
        for (Row r : rows)
            sb.append("| `").append(r.keras()).append("` | ").append(mark(r.predict())).append(" | ").append(mark(r.train()))
                    .append(" | ").append(mark(r.export())).append(" | ").append(r.note().replace("|", "\\|")).append(" |\n");
        return sb.append('\n').append(END).toString();
    }

    private static String mark(List<String> proofs) {
        return proofs.isEmpty() ? "—" : "✓";
    }

    @Test
    void readmeShowsTheTable() throws IOException {
        String readme = Files.readString(README);
        int a = readme.indexOf(BEGIN), b = readme.indexOf(END);
        String want = render(rows());
        if (Boolean.getBoolean("kerasport.writeCoverage")) {
            if (a < 0 || b < a) fail("README has no layer-coverage markers to write between");
            Files.writeString(README, readme.substring(0, a) + want + readme.substring(b + END.length()));
            return;
        }
        assertTrue(a >= 0 && b > a, "README has no generated layer coverage table (run scripts/coverage-table)");
        assertEquals(want, readme.substring(a, b + END.length()), "README's layer coverage table is stale: run scripts/coverage-table");
    }
}
