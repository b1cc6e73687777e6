package org.kerasport.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.kerasport.TestSupport;

/**
 * Every model in ../shared/keras-corpus (MANIFEST.tsv, written by real Keras 1.1 to 3.15 in public projects) is read,
 * and {@code inspect --json} reports what the manifest records: Keras version, layer classes, every regularizer with
 * its values, and the optimizer with its hyperparameters.
 */
@Tag("corpus")
class CorpusManifestTest {

    record Row(Map<String, String> f) {
        String get(String k) {
            return f.getOrDefault(k, "");
        }
    }

    static List<Row> manifest() throws IOException {
        List<String> lines = Files.readAllLines(TestSupport.corpus().resolve("MANIFEST.tsv"));
        String[] head = lines.get(0).split("\t", -1);
        List<Row> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) continue;
            String[] v = line.split("\t", -1);
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < head.length; i++) m.put(head[i], i < v.length ? v[i] : "");
            rows.add(new Row(m));
        }
        return rows;
    }

    /** The CLI arguments that read a manifest row, or null for rows that are not models (reference I/O). */
    static String[] inspectArgs(Row r) {
        Path file = TestSupport.corpus().resolve(r.get("local_path"));
        String format = r.get("format");
        if (format.equals("keras-h5-full") || format.equals("keras-v3-zip") || format.equals("keras-json-arch"))
            return new String[]{"inspect", file.toString(), "--json", "--lenient"};
        if (format.startsWith("weights-h5+json-arch:")) {
            Path arch = file.resolveSibling(format.substring(format.indexOf(':') + 1));
            return new String[]{"inspect", file.toString(), "--arch", arch.toString(), "--json", "--lenient"};
        }
        return null;
    }

    @TestFactory
    Stream<DynamicTest> everyCorpusModelIsReadAsTheManifestSays() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Row r : manifest()) {
            String[] args = inspectArgs(r);
            if (args == null) continue;
            tests.add(DynamicTest.dynamicTest(r.get("local_path"), () -> check(r, args)));
        }
        assertTrue(tests.size() >= 45, "expected the whole manifest, found " + tests.size() + " models");
        return tests.stream();
    }

    private void check(Row r, String[] args) {
        TestSupport.Run run = TestSupport.cli(args);
        assertEquals(0, run.code(), "inspect failed: " + run.err());
        JsonNode j = run.json();
        String where = r.get("local_path") + ": ";
        assertEquals(r.get("keras_version"), j.path("keras_version").asText(""), where + "keras_version");
        if (!r.get("backend").isEmpty()) assertEquals(r.get("backend"), j.path("backend").asText(), where + "backend");

        // layer classes as written, including those inside wrappers and nested models (no synthesized InputLayer)
        TreeSet<String> classes = new TreeSet<>();
        collectClasses(j.get("layers"), classes);
        TreeSet<String> expected = new TreeSet<>(Arrays.asList(r.get("layers").split(",")));
        assertEquals(expected, classes, where + "layer classes");
        String top = r.get("top_class");
        assertEquals(top.equals("Model") ? "Functional" : top, j.get("model_class").asText(), where + "top class");

        // regularizers: the manifest lists field=Class(values) as written; compare as a set with the values
        assertEquals(manifestRegularizers(r.get("regularizers")), reportedRegularizers(j), where + "regularizers");

        // optimizer: class as written and every hyperparameter the manifest lists, by its written key
        String opt = r.get("optimizer");
        if (opt.isEmpty()) {
            assertTrue(j.get("optimizer").isNull(), where + "no optimizer expected, found " + j.get("optimizer"));
        } else {
            Matcher m = Pattern.compile("^([^(]+)\\((.*)\\)$").matcher(opt);
            assertTrue(m.matches(), opt);
            JsonNode o = j.get("optimizer");
            assertNotNull(o, where + "optimizer missing");
            assertEquals(m.group(1), o.get("written_class_name").asText(), where + "optimizer class");
            for (String kv : m.group(2).split(",")) {
                String[] p = kv.split("=");
                JsonNode v = o.get("config").get(p[0]);
                assertNotNull(v, where + "optimizer config key " + p[0]);
                // the file holds Keras's float32 value (one rounding), the manifest prints 6 significant digits (%g:
                // within half a unit of the 6th, 5e-6 relative)
                double listed = Double.parseDouble(p[1]);
                assertEquals(listed, v.asDouble(), 5e-6 * Math.abs(listed) + org.kerasport.Tolerances.roundings(1, listed), where + p[0]);
            }
            // the normalized view agrees with the written one
            JsonNode cfg = o.get("config");
            JsonNode lr = cfg.has("learning_rate") ? cfg.get("learning_rate") : cfg.get("lr");
            if (lr != null && lr.isNumber()) assertEquals(lr.asDouble(), o.get("learning_rate").asDouble(), 0.0, where + "learning_rate");
        }
        assertTrue(j.get("params").get("total").asLong() > 0 || r.get("format").equals("keras-json-arch"), where + "params");
    }

    private static void collectClasses(JsonNode layers, TreeSet<String> out) {
        for (JsonNode l : layers) {
            if (l.path("synthesized").asBoolean(false)) continue;
            out.add(l.has("written_class_name") ? l.get("written_class_name").asText() : l.get("class_name").asText());
            if (l.has("inner_layers")) {
                JsonNode inner = l.get("inner_layers");
                // Bidirectional lists its forward and backward copies of the one wrapped layer
                collectClasses(inner, out);
            }
        }
    }

    /** "kernel_regularizer=L2(l2=0.01);W_regularizer=WeightRegularizer(l1=0.0,l2=0.1)" -> normalized set. */
    static TreeSet<String> manifestRegularizers(String s) {
        TreeSet<String> out = new TreeSet<>();
        if (s.isEmpty() || s.equals("none")) return out;
        for (String item : s.split(";")) {
            int eq = item.indexOf('=');
            String field = item.substring(0, eq)
                    .replace("W_regularizer", "kernel_regularizer").replace("b_regularizer", "bias_regularizer")
                    .replace("U_regularizer", "recurrent_regularizer");
            out.add(field + "=" + canonicalRegularizer(item.substring(eq + 1)));
        }
        return out;
    }

    private static String canonicalRegularizer(String written) {
        Matcher m = Pattern.compile("^([^(]+)\\((.*)\\)$").matcher(written);
        assertTrue(m.matches(), written);
        String cls = m.group(1);
        StringBuilder sb = new StringBuilder(cls).append('(');
        for (String kv : m.group(2).split(",")) {
            String[] p = kv.split("=");
            sb.append(p[0]).append('=').append(String.format("%.6e", Double.parseDouble(p[1]))).append(',');
        }
        return sb.append(')').toString();
    }

    private static TreeSet<String> reportedRegularizers(JsonNode j) {
        TreeSet<String> out = new TreeSet<>();
        for (JsonNode r : j.get("regularizers")) out.add(r.get("field").asText() + "=" + reported(r));
        for (JsonNode r : j.get("activity_regularizers")) out.add("activity_regularizer=" + reported(r));
        return out;
    }

    private static String reported(JsonNode r) {
        String written = r.get("written_as").asText();
        String cls = r.get("class_name").asText();
        StringBuilder sb = new StringBuilder(written).append('(');
        if (cls.equals("L1L2")) sb.append("l1=").append(String.format("%.6e", r.get("l1").asDouble())).append(',')
                .append("l2=").append(String.format("%.6e", r.get("l2").asDouble())).append(',');
        else if (cls.equals("L1")) sb.append("l1=").append(String.format("%.6e", r.get("l1").asDouble())).append(',');
        else if (cls.equals("L2")) sb.append("l2=").append(String.format("%.6e", r.get("l2").asDouble())).append(',');
        return sb.append(')').toString();
    }
}
