package org.kerasport.dl4j;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.TestSupport;
import org.kerasport.Tolerances;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;
import org.kerasport.export.Exporter;
import org.kerasport.format.Json;
import org.kerasport.format.KerasReader;
import org.kerasport.format.KerasWriter;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * GroupNormalization, RMSNormalization, UnitNormalization (any rank and axes), ZeroPadding3D, Cropping3D, Resizing
 * (bilinear, nearest, crop_to_aspect_ratio), CenterCrop (crop and smart_resize) and the Keras 3 Adaptive
 * Average/Max Pooling 1D/2D/3D layers and Conv3DTranspose against real Keras
 * (src/test/python/norm_layer_cases.py: several random configurations per class, each in a model
 * x -> 1x1 convolution or Dense -> LAYER -> Flatten -> Dense): predictions from .keras and .h5, three SGD steps (loss
 * and every weight, the layers' gamma/beta with their regularizers included), the DL4J configuration's JSON round
 * trip (what a convert zip holds), and the trained model exported as
 * .keras and .h5, loaded by real Keras 3.15, predicting what Kerasport predicts.
 *
 * <p>Tolerances: {@link KerasMatch}'s float32 bounds with no extra floor (case.json floors 0). The layers under test
 * add no longer sums than the Flatten -> Dense after them (each mean, variance or norm sums at most the layer's
 * whole output, which that Dense's fan-in counts; a resize sums 2 terms per axis, an adaptive average at most
 * the input's cells), so the graph's reduction length
 * bounds them; normalizations rescale relative errors by O(1) on the random O(1) data used. Measured (this
 * machine, -Dkerasport.tolerances.report=true): every comparison under 0.15 of its bound except weights whose gradient
 * is 0 in exact arithmetic (a bias before an instance normalization, which removes any per-channel shift): both
 * frameworks move them by rounding noise, and the bound's one rounding of the weight (2u·|w| >= 1 ulp) covers the
 * resulting one-ulp difference (ratio 0.5). Groups of GroupNormalization hold at least 4 values (norm_layer_cases.py).
 */
@Tag("interop")
class NormLayersKerasTest {
    /** The generated cases (cached, read only) and a folder for this run's exports. */
    static Path out;
    @TempDir
    static Path work;
    static List<Path> cases = new ArrayList<>();
    static List<Path> refused = new ArrayList<>();

    @BeforeAll
    static void generate() throws IOException {
        out = TestSupport.fixture("norm_layer_cases.py", 600);
        try (Stream<Path> s = Files.list(out)) {
            s.filter(p -> Files.exists(p.resolve("case.json"))).sorted()
                    .forEach(p -> (p.getFileName().toString().startsWith("refused_") ? refused : cases).add(p));
        }
    }

    @TestFactory
    Stream<DynamicTest> predictsAndTrainsAsKeras() {
        return cases.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
            AttentionKerasTest.predict(dir, "model.keras");
            if (ReferenceData.load(dir).caseJson().path("h5").asBoolean()) AttentionKerasTest.predict(dir, "model.h5");
            AttentionKerasTest.train(dir);
            AttentionKerasTest.roundTrip(dir); // the DL4J configuration (a convert zip) rebuilds the same graph
        }));
    }

    /**
     * Configurations these layers do not compute yet (antialias, bicubic, pad_to_aspect_ratio, normalization over
     * another axis) are refused naming the layer, its class and the field, never mapped to something else.
     */
    @TestFactory
    Stream<DynamicTest> unsupportedConfigurationsAreRefusedByName() {
        assertTrue(refused.size() >= 5, refused.toString());
        return refused.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
            JsonNode c = Json.MAPPER.readTree(Files.readString(dir.resolve("case.json")));
            var km = KerasReader.read(dir.resolve("model.keras"));
            org.kerasport.UnsupportedFeatureException e = org.junit.jupiter.api.Assertions.assertThrows(
                    org.kerasport.UnsupportedFeatureException.class, () -> Dl4jImporter.importModel(km, false));
            String want = "layer 'layer' (" + c.get("refused_class").asText() + "), " + c.get("refused_field").asText() + ":";
            assertTrue(e.getMessage().contains(want) && e.getMessage().contains("not supported"), e.getMessage());
        }));
    }

    /** Every class the generator covers has at least two configurations (the script's table). */
    @Test
    void everyClassHasSeveralConfigurations() {
        Map<String, Integer> per = new LinkedHashMap<>();
        for (Path d : cases) per.merge(ReferenceData.load(d).caseJson().get("class").asText(), 1, Integer::sum);
        for (String c : List.of("GroupNormalization", "RMSNormalization", "UnitNormalization", "ZeroPadding3D", "Cropping3D",
                "Resizing", "CenterCrop", "AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveAveragePooling3D",
                "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D", "Conv3DTranspose"))
            assertTrue(per.getOrDefault(c, 0) >= 2, c + ": " + per);
    }

    /**
     * Trained on the JVM (the three steps above), exported as .keras and .h5: real Keras loads both and predicts
     * Kerasport's numbers within the prediction bound.
     */
    @Test
    void trainedExportsLoadInKerasAndPredictTheSame() throws Exception {
        ArrayNode jobs = Json.MAPPER.createArrayNode();
        Map<String, INDArray> want = new LinkedHashMap<>();
        Map<String, Long> lengths = new LinkedHashMap<>();
        for (Path dir : cases) {
            ReferenceData ref = ReferenceData.load(dir);
            ImportedModel im = Dl4jImporter.importForTraining(KerasReader.read(dir.resolve("model.keras")), false);
            for (int k = 0; k < ref.caseJson().get("training").get("steps").asInt(); k++)
                im.graph().fit(new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{ref.array("train_x__" + k)},
                        new INDArray[]{ref.array("train_y__" + k)}));
            INDArray x = ref.array("x");
            String id = dir.getFileName().toString();
            want.put(id, im.graph().output(false, x)[0]);
            lengths.put(id, Tolerances.reductionLength(im.graph()));
            Path xs = work.resolve(id + ".export.x.npz");
            try (OutputStream os = Files.newOutputStream(xs)) {
                Npy.writeNpz(os, Map.of("x", new NdArray(x.shape(), x.dup('c').data().asFloat(), "float32")));
            }
            KerasWriter w = new KerasWriter(Exporter.withTrainedWeights(im), new KerasWriter.Provenance("test", "3 SGD steps", false));
            for (KerasWriter.Form f : new KerasWriter.Form[]{KerasWriter.Form.KERAS, KerasWriter.Form.H5}) {
                Path file = work.resolve(id + ".exported" + (f == KerasWriter.Form.KERAS ? ".keras" : ".h5"));
                w.write(file, f, true);
                ObjectNode j = jobs.addObject();
                j.put("id", id + "." + f);
                j.put("path", file.toString());
                j.put("form", f.name().toLowerCase());
                j.put("x", xs.toString());
                j.put("out", work.resolve(id + "." + f + ".y.npz").toString());
            }
        }
        Path jobsFile = work.resolve("export-jobs.json"), results = work.resolve("export-results.json");
        Files.writeString(jobsFile, Json.MAPPER.writeValueAsString(jobs));
        TestSupport.runPython(Path.of("."), 900, "src/test/python/keras_load_exports.py", jobsFile.toString(), results.toString());
        JsonNode res = Json.MAPPER.readTree(Files.readString(results));
        List<String> problems = new ArrayList<>();
        for (JsonNode j : jobs) {
            String jid = j.get("id").asText(), id = jid.substring(0, jid.lastIndexOf('.'));
            JsonNode r = res.get(jid);
            if (r == null || !r.path("ok").asBoolean()) {
                problems.add(jid + ": Keras cannot load the export: " + r);
                continue;
            }
            NdArray y = Npy.readNpz(Path.of(j.get("out").asText())).get("y__0");
            try {
                KerasMatch.assertOutput(lengths.get(id), want.get(id), Nd4j.create(y.data(), y.shape(), 'c'), 0, jid + " exported");
            } catch (AssertionError e) {
                problems.add(e.getMessage());
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }
}
