package org.kerasport.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.kerasport.TestSupport;
import org.kerasport.format.Json;
import org.kerasport.format.KerasReader;
import org.kerasport.format.TrainingConfigParser;

/**
 * Interop tier: real Keras (the cached venv) generates fresh seeded random models covering every regularizer
 * placement, kind and optimizer, saved as .keras, legacy .h5 and .weights.h5 + JSON, each with the facts Keras
 * itself reports (src/test/python/generate_read_models.py). Kerasport must read identical facts from every form.
 */
@Tag("interop")
class InteropReadTest {
    static final long SEED = Long.getLong("kerasport.interop.seed", 1126L);
    static Path out;

    @BeforeAll
    static void generate() throws IOException {
        out = Path.of("target", "interop", "read-" + SEED).toAbsolutePath();
        if (!Files.exists(out.resolve("DONE"))) {
            Files.createDirectories(out);
            Path script = Path.of("src/test/python/generate_read_models.py").toAbsolutePath();
            TestSupport.runPython(out, 600, script.toString(), out.toString(), "--seed", Long.toString(SEED));
            Files.writeString(out.resolve("DONE"), "ok\n");
        }
    }

    @TestFactory
    Stream<DynamicTest> kerasportReadsWhatKerasWrote() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        List<Path> models;
        try (Stream<Path> s = Files.list(out)) {
            models = s.filter(p -> Files.exists(p.resolve("facts.json"))).sorted().toList();
        }
        assertTrue(models.size() >= 12, "the generator made " + models.size() + " models");
        for (Path m : models) {
            tests.add(DynamicTest.dynamicTest(m.getFileName() + "/model.keras", () -> check(m, "keras",
                    TestSupport.cli("inspect", m.resolve("model.keras").toString(), "--json"))));
            tests.add(DynamicTest.dynamicTest(m.getFileName() + "/model.h5", () -> check(m, "h5",
                    TestSupport.cli("inspect", m.resolve("model.h5").toString(), "--json"))));
            tests.add(DynamicTest.dynamicTest(m.getFileName() + "/model.weights.h5+model.json", () -> check(m, "weights",
                    TestSupport.cli("inspect", m.resolve("model.weights.h5").toString(), "--arch", m.resolve("model.json").toString(), "--json"))));
        }
        return tests.stream();
    }

    private static void check(Path dir, String form, TestSupport.Run run) throws IOException {
        assertEquals(0, run.code(), run.err());
        JsonNode got = run.json();
        JsonNode facts = Json.parse(Files.readString(dir.resolve("facts.json")), dir, "facts.json");
        String where = dir.getFileName() + " (" + form + "): ";
        if (form.equals("weights")) assertTrue(got.get("keras_version").isNull(), where + "Keras 3's to_json records no version");
        else assertEquals(facts.get("keras_version").asText(), got.get("keras_version").asText(), where + "keras_version");
        assertEquals(facts.get("model_class").asText(), got.get("model_class").asText(), where + "model_class");

        // inputs and layers (Keras' Sequential.layers has no InputLayer; ours lists it: compare without it)
        List<String> inputs = new ArrayList<>(), wantInputs = new ArrayList<>();
        got.get("inputs").forEach(i -> inputs.add(i.get("name").asText() + i.get("shape")));
        facts.get("inputs").forEach(i -> wantInputs.add(i.get("name").asText() + i.get("shape")));
        assertEquals(wantInputs, inputs, where + "inputs");
        List<String> layers = new ArrayList<>(), wantLayers = new ArrayList<>();
        for (JsonNode l : got.get("layers"))
            if (!l.get("class_name").asText().equals("InputLayer"))
                layers.add(l.get("name").asText() + ":" + l.get("class_name").asText() + ":" + l.get("trainable") + ":"
                        + l.get("params") + ":" + l.get("output_shape"));
        for (JsonNode l : facts.get("layers"))
            if (!l.get("class_name").asText().equals("InputLayer"))
                layers(wantLayers, l);
        assertEquals(wantLayers, layers, where + "layers (name:class:trainable:params:output_shape)");

        // every variable in Keras order
        List<String> weights = new ArrayList<>(), wantWeights = new ArrayList<>();
        got.get("weights").forEach(w -> weights.add(w.get("layer").asText() + "/" + w.get("name").asText() + w.get("shape")
                + ":" + w.get("dtype").asText() + ":" + w.get("trainable")));
        facts.get("weights").forEach(w -> wantWeights.add(w.get("layer").asText() + "/" + w.get("name").asText() + w.get("shape")
                + ":" + w.get("dtype").asText() + ":" + w.get("trainable")));
        assertEquals(wantWeights, weights, where + "weights");

        // regularizers with their values as Keras stored them
        List<String> regs = new ArrayList<>(), wantRegs = new ArrayList<>();
        for (JsonNode r : got.get("regularizers"))
            regs.add(r.get("layer").asText() + "/" + r.get("weight").asText() + "=" + r.get("class_name").asText() + "(" + r.get("l1").asDouble()
                    + "," + r.get("l2").asDouble() + "," + r.path("factor").asDouble(0) + "," + r.path("mode").asText("") + "):" + r.get("trainable"));
        for (JsonNode r : facts.get("regularizers"))
            wantRegs.add(r.get("layer").asText() + "/" + r.get("weight").asText() + "=" + r.get("class_name").asText() + "(" + r.get("l1").asDouble()
                    + "," + r.get("l2").asDouble() + "," + r.path("factor").asDouble(0) + "," + r.path("mode").asText("") + "):" + r.get("contributes_to_loss"));
        assertEquals(wantRegs, regs, where + "regularizers");
        for (JsonNode r : got.get("regularizers"))
            if (!r.get("class_name").asText().equals("OrthogonalRegularizer")) {
                assertEquals(r.get("l1").asDouble(), r.get("dl4j_l1").asDouble(), 0.0, where + "dl4j_l1 = l1");
                assertEquals(2 * r.get("l2").asDouble(), r.get("dl4j_l2").asDouble(), 0.0, where + "dl4j_l2 = 2*l2");
            }
        List<String> acts = new ArrayList<>(), wantActs = new ArrayList<>();
        got.get("activity_regularizers").forEach(a -> acts.add(a.get("layer").asText() + "=" + a.get("class_name").asText()
                + "(" + a.get("l1").asDouble() + "," + a.get("l2").asDouble() + ")"));
        facts.get("activity_regularizers").forEach(a -> wantActs.add(a.get("layer").asText()
                + (a.get("sublayer").isNull() ? "" : "." + a.get("sublayer").asText()) + "=" + a.get("class_name").asText()
                + "(" + a.get("l1").asDouble() + "," + a.get("l2").asDouble() + ")"));
        assertEquals(wantActs, acts, where + "activity regularizers");
        if (!facts.get("regularizers").isEmpty() || facts.get("template").asText().equals("nested_frozen")) {
            boolean orth = false;
            for (JsonNode r : facts.get("regularizers")) orth |= r.get("class_name").asText().equals("OrthogonalRegularizer");
            boolean listed = false;
            for (JsonNode u : got.get("unsupported")) listed |= u.get("class_name").asText().equals("Dense") && u.get("field").asText().equals("kernel_regularizer");
            assertEquals(orth, listed, where + "an orthogonal regularizer is listed as unsupported");
        }

        // optimizer and loss: only the full-model forms carry the training config
        if (form.equals("weights")) return;
        JsonNode fo = facts.get("optimizer");
        if (fo.isNull()) {
            assertTrue(got.get("optimizer").isNull(), where + "uncompiled model has no optimizer");
            return;
        }
        JsonNode o = got.get("optimizer");
        assertEquals(fo.get("class_name").asText(), o.get("class_name").asText(), where + "optimizer class");
        fo.get("config").fields().forEachRemaining(e -> {
            JsonNode v = o.get("config").get(e.getKey());
            assertEquals(e.getValue().isNumber() ? e.getValue().asDouble() : (Object) e.getValue().toString(),
                    v == null ? null : v.isNumber() ? v.asDouble() : (Object) v.toString(), where + "optimizer config " + e.getKey());
        });
        JsonNode fl = facts.get("loss");
        for (JsonNode outp : facts.get("outputs")) {
            String name = outp.get("name").asText();
            JsonNode l = fl.isObject() && !fl.has("class_name") ? fl.get(name) : fl;
            String want = l.isTextual() ? l.asText() : l.get("class_name").asText();
            assertEquals(TrainingConfigParser.canonicalLoss(want), got.get("loss").get(name).get("name").asText(), where + "loss of " + name);
            if (l.isObject() && l.path("config").has("from_logits"))
                assertEquals(l.get("config").get("from_logits").asBoolean(), got.get("loss").get(name).get("from_logits").asBoolean(), where + "from_logits");
        }
        JsonNode flw = facts.get("loss_weights");
        if (flw != null && flw.isObject())
            flw.fields().forEachRemaining(e -> assertEquals(e.getValue().asDouble(), got.get("loss_weights").get(e.getKey()).asDouble(), 0.0));
    }

    private static void layers(List<String> out, JsonNode l) {
        out.add(l.get("name").asText() + ":" + l.get("class_name").asText() + ":" + l.get("trainable") + ":"
                + l.get("params") + ":" + l.get("output_shape"));
    }

    static {
        // keep KerasReader referenced: the test reads through the CLI, the class must be on the path
        KerasReader.class.getName();
    }
}
