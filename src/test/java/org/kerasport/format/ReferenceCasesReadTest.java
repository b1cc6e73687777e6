package org.kerasport.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.kerasport.TestSupport;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;
import org.kerasport.model.KerasModel;
import org.kerasport.model.LayerSpec;
import org.kerasport.model.Regularizer;
import org.kerasport.model.WeightSpec;

/**
 * Every ../shared/keras-reference case (made with real Keras 3.15.1), read from each of its files: the weights
 * (names, shapes, trainable flags and values bit for bit against reference.npz), the regularizers and activity
 * regularizers with their DL4J coefficients, and the optimizer and loss, all as case.json records them.
 */
@Tag("corpus")
class ReferenceCasesReadTest {

    static List<Path> cases() throws IOException {
        try (Stream<Path> s = Files.walk(TestSupport.reference())) {
            return s.filter(p -> p.getFileName().toString().equals("case.json")).map(Path::getParent).sorted().toList();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyReferenceCaseReadsAsKerasWroteIt() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        List<Path> cases = cases();
        assertTrue(cases.size() >= 40, "expected every case, found " + cases.size());
        for (Path c : cases) {
            String name = TestSupport.reference().relativize(c).toString();
            for (String f : new String[]{"model.keras", "model.h5"})
                tests.add(DynamicTest.dynamicTest(name + "/" + f, () -> check(c, KerasReader.read(c.resolve(f)))));
            if (Files.exists(c.resolve("model.weights.h5")))
                tests.add(DynamicTest.dynamicTest(name + "/model.weights.h5+model.json", () -> check(c,
                        KerasReader.read(c.resolve("model.weights.h5"), ReadOptions.defaults().withCompanion(c.resolve("model.json"))))));
        }
        return tests.stream();
    }

    private static void check(Path dir, KerasModel m) {
        JsonNode cs = Json.parse(readString(dir.resolve("case.json")), dir, "case.json");
        Map<String, NdArray> ref = Npy.readNpz(dir.resolve("reference.npz"));
        if (m.source().format().equals(KerasReader.FORMAT_WEIGHTS_V3)) // Keras 3's to_json() and .weights.h5 record no version
            assertNull(m.source().kerasVersion());
        else
            assertEquals(cs.get("keras_version").asText(), m.source().kerasVersion());
        assertEquals(cs.get("model_class").asText(), m.graph().className());

        // every variable: name, shape, trainable, values
        List<JsonNode> expected = new ArrayList<>();
        cs.get("weights").forEach(expected::add);
        List<Map.Entry<String, WeightSpec>> actual = KerasReader.allWeights(m);
        assertEquals(expected.size(), actual.size(), "number of variables");
        for (JsonNode e : expected) {
            String layer = e.get("layer").asText(), weight = e.get("weight").asText();
            WeightSpec w = m.graph().layer(layer).flatMap(l -> l.weight(weight)).orElse(null);
            assertNotNull(w, "variable " + layer + "/" + weight + " not read; read: " + actual.stream().map(x -> x.getKey() + "/" + x.getValue().name()).toList());
            long[] shape = new long[e.get("shape").size()];
            for (int i = 0; i < shape.length; i++) shape[i] = e.get("shape").get(i).asLong();
            assertArrayEquals(shape, w.shape(), layer + "/" + weight + " shape");
            assertEquals(e.get("trainable").asBoolean(), w.trainable(), layer + "/" + weight + " trainable");
            NdArray r = ref.get(e.get("npz_key").asText());
            assertArrayEquals(r.data(), w.data(), layer + "/" + weight + " values");
        }

        // regularizers: exactly the case's, with Keras values and DL4J coefficients (l1, 2*l2)
        List<KerasModel.RegularizedWeight> regs = m.regularizedWeights();
        assertEquals(cs.get("regularizers").size(), regs.size(), "regularized variables: " + regs);
        for (JsonNode e : cs.get("regularizers")) {
            WeightSpec w = m.graph().layer(e.get("layer").asText()).flatMap(l -> l.weight(e.get("weight").asText())).orElseThrow();
            Regularizer r = w.regularizer();
            assertNotNull(r, e.get("layer") + "/" + e.get("weight") + " lost its regularizer");
            assertEquals(e.get("keras_class").asText(), r.className());
            assertEquals(e.get("l1").asDouble(), r.l1(), 0.0);
            assertEquals(e.get("l2").asDouble(), r.l2(), 0.0);
            assertEquals(e.get("dl4j_l1_coefficient").asDouble(), r.dl4jL1(), 0.0);
            assertEquals(e.get("dl4j_l2_coefficient").asDouble(), r.dl4jL2(), 0.0);
            assertEquals(e.get("trainable").asBoolean(), w.trainable());
        }
        var acts = m.activityRegularizers();
        assertEquals(cs.get("activity_regularizers").size(), acts.size(), "activity regularizers");
        for (JsonNode e : cs.get("activity_regularizers")) {
            String layer = e.get("layer").asText() + (e.get("sublayer").isNull() ? "" : "." + e.get("sublayer").asText());
            var a = acts.stream().filter(x -> x.layer().equals(layer)).findFirst().orElseThrow();
            assertEquals(e.get("keras_class").asText(), a.regularizer().className());
            assertEquals(e.get("l1").asDouble(), a.regularizer().l1(), 0.0);
            assertEquals(e.get("l2").asDouble(), a.regularizer().l2(), 0.0);
        }

        // training config: optimizer class and hyperparameters, loss per output, loss weights
        JsonNode t = cs.get("training");
        if (t == null || t.isNull() || m.source().format().startsWith("keras-v3-weights")) return;
        assertNotNull(m.training(), "training config missing");
        var o = m.training().optimizer();
        JsonNode oc = t.get("optimizer").get("config");
        assertEquals(t.get("optimizer").get("class_name").asText(), o.className());
        assertEquals(oc.get("learning_rate").asDouble(), o.learningRate(), 0.0);
        if (oc.get("weight_decay").isNull()) assertNull(o.weightDecay());
        else assertEquals(oc.get("weight_decay").asDouble(), o.weightDecay(), 0.0);
        for (String k : new String[]{"momentum", "beta_1", "beta_2", "epsilon", "rho", "initial_accumulator_value"})
            if (oc.has(k)) assertEquals(oc.get(k).asDouble(), o.config().get(k).asDouble(), 0.0, k);
        for (String k : new String[]{"nesterov", "amsgrad", "centered"})
            if (oc.has(k)) assertEquals(oc.get(k).asBoolean(), o.config().get(k).asBoolean(), k);
        JsonNode loss = t.get("loss");
        for (LayerSpec out : m.graph().outputs().stream().map(r -> m.graph().layer(r.layer()).orElseThrow()).toList()) {
            String want = loss.isTextual() ? loss.asText() : loss.get(out.name()).asText();
            assertEquals(TrainingConfigParser.canonicalLoss(want), m.training().losses().get(out.name()).name(), "loss of " + out.name());
        }
        JsonNode lw = t.get("loss_weights");
        if (lw != null && !lw.isNull())
            lw.fields().forEachRemaining(e -> assertEquals(e.getValue().asDouble(), m.training().lossWeights().get(e.getKey()), 0.0));
    }

    private static String readString(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
