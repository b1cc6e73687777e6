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
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
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
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Export after training, for every generated case: the case's model (written by real Keras) is imported, trained on
 * Keras' reference batches (where the case has a training reference), exported to .keras through the one export service
 * ({@link Exporter#withTrainedWeights}, {@link Exporter#write}), loaded by real Keras, and Keras' predictions from it equal
 * the trained DL4J graph's. This is the "export" proof of the layer coverage table for the layers these generators use
 * (the read-back of Keras' own reference cases is {@code ExportKerasTest}). Whether the training itself matches Keras is
 * the business of the tests that own each generator (ConvInteropTest, AppLayersKerasTest, AttentionKerasTest,
 * LayerCasesKerasTest, ApplicationsKerasTest).
 *
 * <p>Tolerance: both sides compute the same float32 function of the same weights with different kernels, as in the
 * prediction tests: the case's predict floor plus {@link Tolerances#between} for the graph's reduction length and the
 * outputs' magnitude.
 */
@Tag("interop")
class TrainedExportKerasTest {
    /** The generators whose cases are exported after training: script and folder. */
    static final List<String> GENERATORS = List.of("conv_trajectories.py", "app_layer_cases.py", "attention_cases.py",
            "layer_cases.py", "applications_cases.py", "text_layer_cases.py");

    static final java.util.regex.Pattern CUSTOM_OBJECT = java.util.regex.Pattern.compile("\"[A-Za-z0-9_.]+>[A-Za-z0-9_.]+\"");

    @TempDir
    static Path tmp;

    static String kerasConfig(Path keras) throws IOException {
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(keras.toFile())) {
            return new String(z.getInputStream(z.getEntry("config.json")).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private record Exported(String id, ImportedModel im, INDArray[] want, double floor, Path out) {
    }

    @TestFactory
    Stream<DynamicTest> trainedModelsExportAndKerasPredictTheSame() throws Exception {
        List<Exported> done = new ArrayList<>();
        ArrayNode jobs = Json.MAPPER.createArrayNode();
        for (String g : GENERATORS) {
            Path root = g.equals("conv_trajectories.py") ? ConvInteropTest.generated() : TestSupport.fixture(g, 1200);
            List<Path> cases;
            try (Stream<Path> s = Files.list(root)) {
                cases = s.filter(d -> Files.exists(d.resolve("case.json")) && Files.exists(d.resolve("model.keras"))).sorted().toList();
            }
            for (Path dir : cases) {
                ReferenceData ref = ReferenceData.load(dir);
                JsonNode training = ref.caseJson().get("training");
                // a model holding a registered custom object (keras_hub>gelu_approximate) loads only where that
                // registration is made: the export keeps it, as the original, and plain Keras cannot load either
                if (CUSTOM_OBJECT.matcher(kerasConfig(dir.resolve("model.keras"))).find()) continue;
                String id = g.replace(".py", "") + "." + dir.getFileName();
                done.add(export(id, dir, ref, training, jobs));
            }
        }
        Path jobsFile = tmp.resolve("jobs.json"), results = tmp.resolve("results.json");
        Files.writeString(jobsFile, Json.MAPPER.writeValueAsString(jobs));
        TestSupport.runPython(Path.of("."), 1200, "src/test/python/keras_load_exports.py", jobsFile.toString(), results.toString());
        JsonNode res = Json.MAPPER.readTree(Files.readString(results));
        assertTrue(done.size() >= 10, "expected the generated training cases, found " + done.size());
        return done.stream().map(e -> DynamicTest.dynamicTest(e.id, () -> {
            JsonNode r = res.get(e.id);
            assertTrue(r != null && r.get("ok").asBoolean(), e.id + ": real Keras could not load the export: " + r);
            Map<String, NdArray> ys = Npy.readNpz(e.out);
            long n = Tolerances.reductionLength(e.im.graph());
            for (int i = 0; i < e.want.length; i++) {
                NdArray y = ys.get("y__" + i);
                KerasMatch.assertOutput(n, e.want[i], Nd4j.create(y.data(), y.shape(), 'c'), e.floor, e.id + " output " + i);
            }
        }));
    }

    private static Exported export(String id, Path dir, ReferenceData ref, JsonNode training, ArrayNode jobs) throws IOException {
        // a backbone case of applications_cases.py has no training batches (ApplicationsKerasTest says why), nor has a
        // prediction-only case: those are exported as imported for inference
        int steps = training == null || training.isNull() || !ref.has("train_y__0") ? 0 : training.get("steps").asInt();
        var km = KerasReader.read(dir.resolve("model.keras"));
        ImportedModel im = steps > 0 ? Dl4jImporter.importForTraining(km, false) : Dl4jImporter.importModel(km, false);
        int outputs = im.graph().getConfiguration().getNetworkOutputs().size();
        for (int k = 0; k < steps; k++) {
            INDArray[] y = new INDArray[outputs];
            for (int o = 0; o < outputs; o++)
                y[o] = outputs == 1 ? ref.array("train_y__" + k)
                        : ref.array("train_y__" + k + "__" + im.graph().getConfiguration().getNetworkOutputs().get(o));
            im.graph().fit(new MultiDataSet(AttentionKerasTest.inputs(ref, im, "train_x__" + k), y));
        }
        INDArray[] x = AttentionKerasTest.inputs(ref, im, "x");
        INDArray[] want = im.graph().output(false, x);
        Path model = tmp.resolve(id + ".keras"), xs = tmp.resolve(id + ".x.npz"), out = tmp.resolve(id + ".y.npz");
        Exporter.write(Exporter.withTrainedWeights(im), model, KerasWriter.Form.KERAS,
                new KerasWriter.Provenance("test", "TrainedExportKerasTest", false), true, () -> null);
        Map<String, NdArray> in = new LinkedHashMap<>();
        for (int i = 0; i < x.length; i++)
            in.put(x.length == 1 ? "x" : "x__" + im.inputs().get(i), new NdArray(x[i].shape(), x[i].dup('c').data().asFloat(), "float32"));
        try (OutputStream os = Files.newOutputStream(xs)) {
            Npy.writeNpz(os, in);
        }
        ObjectNode j = jobs.addObject();
        j.put("id", id);
        j.put("path", model.toString());
        j.put("form", "keras");
        j.put("x", xs.toString());
        j.put("out", out.toString());
        return new Exported(id, im, want, ref.tolerance("predict_abs", 0), out);
    }
}
