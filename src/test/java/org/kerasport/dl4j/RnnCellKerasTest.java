package org.kerasport.dl4j;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import org.kerasport.train.ModelEdits;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keras RNN of LSTMCell, GRUCell, SimpleRNNCell and StackedRNNCells of them, against real Keras
 * (src/test/python/rnn_cell_cases.py): return_sequences, go_backwards, every regularizer a cell takes, two cells of one
 * class in a stack (their .keras groups lstm_cell and lstm_cell_1), predictions from both file forms and three
 * training steps (losses and every variable, regularizers included), and cells with dropout (the identity at
 * inference: predictions only). The DL4J graph survives its JSON. Export: each case, trained on Keras' batches, is
 * written as .keras and .h5 (an RNN of its cells, as read); real Keras loads both and predicts what the trained graph
 * predicts; exported with every regularizer doubled, Keras' weight penalties (its sum of model.losses) are twice the
 * original's, so every cell's regularizer is written back.
 *
 * <p>Tolerances (case.json, as LayerCasesKerasTest's): predictions 1e-5 absolute on outputs of magnitude about 1 after a
 * few hundred float32 operations per value through at most six time steps (rounding 2^-24 each, a few 1e-6 worst case
 * on any kernel), training by KerasMatch's float32 step bounds with those floors.
 */
@Tag("interop")
class RnnCellKerasTest {
    static final String SCRIPT = "rnn_cell_cases.py";
    static final List<String> CASES = List.of("rnn_cells", "rnn_stacked", "rnn_back", "rnn_dropout_inference");

    @TempDir
    static Path tmp;

    static Path generated() {
        return TestSupport.fixture(SCRIPT, 600);
    }

    @TestFactory
    Stream<DynamicTest> rnnOfCellsPredictsAndTrainsAsKeras() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String c : CASES) {
            for (String f : new String[]{"model.keras", "model.h5"})
                tests.add(DynamicTest.dynamicTest(c + "/" + f + " predicts", () -> AttentionKerasTest.predict(generated().resolve(c), f)));
            if (!c.endsWith("_inference"))
                tests.add(DynamicTest.dynamicTest(c + " trains", () -> AttentionKerasTest.train(generated().resolve(c))));
            tests.add(DynamicTest.dynamicTest(c + " JSON round trip", () -> AttentionKerasTest.roundTrip(generated().resolve(c))));
        }
        return tests.stream();
    }

    @Test
    void trainedRnnOfCellsExportsToFilesKerasLoads() throws Exception {
        ArrayNode jobs = Json.MAPPER.createArrayNode();
        Map<String, INDArray> want = new LinkedHashMap<>();
        Map<String, Long> lengths = new LinkedHashMap<>();
        for (String c : CASES) {
            Path dir = generated().resolve(c);
            ReferenceData ref = ReferenceData.load(dir);
            JsonNode training = ref.caseJson().get("training");
            int steps = training == null || training.isNull() ? 0 : training.get("steps").asInt();
            var km = KerasReader.read(dir.resolve("model.keras"));
            // as read with every regularizer doubled (ModelEdits.penalties, as finetune --l2-scale 2): Keras'
            // penalties of the export must be twice the original's, so each cell's config is written anew
            ImportedModel plain = Dl4jImporter.importModel(ModelEdits.penalties(km, new ModelEdits.Penalties(null, null, null, 2.0)), false);
            ImportedModel im = steps > 0 ? Dl4jImporter.importForTraining(km, false) : Dl4jImporter.importModel(km, false);
            for (int k = 0; k < steps; k++)
                im.graph().fit(new MultiDataSet(AttentionKerasTest.inputs(ref, im, "train_x__" + k), new INDArray[]{ref.array("train_y__" + k)}));
            INDArray[] x = AttentionKerasTest.inputs(ref, im, "x");
            Path xs = tmp.resolve(c + ".x.npz");
            try (OutputStream os = Files.newOutputStream(xs)) {
                Npy.writeNpz(os, Map.of("x", new NdArray(x[0].shape(), x[0].dup('c').data().asFloat(), "float32")));
            }
            for (KerasWriter.Form form : new KerasWriter.Form[]{KerasWriter.Form.KERAS, KerasWriter.Form.H5}) {
                String ext = form == KerasWriter.Form.KERAS ? "keras" : "h5";
                for (boolean trained : new boolean[]{true, false}) {
                    String id = c + (trained ? ".trained." : ".doubled.") + ext;
                    ImportedModel m = trained ? im : plain;
                    Path file = tmp.resolve(id + "." + ext);
                    Exporter.write(Exporter.withTrainedWeights(m), file, form,
                            new KerasWriter.Provenance("test", "RnnCellKerasTest", false), true, () -> null);
                    ObjectNode j = jobs.addObject();
                    j.put("id", id).put("path", file.toString()).put("form", ext).put("x", xs.toString())
                            .put("out", tmp.resolve(id + ".y.npz").toString());
                    want.put(id, m.graph().output(false, x)[0]);
                    lengths.put(id, Tolerances.reductionLength(m.graph()));
                }
            }
        }
        Path jobsFile = tmp.resolve("jobs.json"), results = tmp.resolve("results.json");
        Files.writeString(jobsFile, Json.MAPPER.writeValueAsString(jobs));
        TestSupport.runPython(Path.of("."), 600, "src/test/python/keras_load_exports.py", jobsFile.toString(), results.toString());
        JsonNode res = Json.MAPPER.readTree(Files.readString(results));
        for (String id : want.keySet()) {
            JsonNode r = res.get(id);
            assertTrue(r != null && r.get("ok").asBoolean(), id + ": real Keras could not load the export: " + r);
            String c = id.substring(0, id.indexOf('.'));
            ReferenceData ref = ReferenceData.load(generated().resolve(c));
            NdArray y = Npy.readNpz(tmp.resolve(id + ".y.npz")).get("y__0");
            KerasMatch.assertOutput(lengths.get(id), want.get(id), Nd4j.create(y.data(), y.shape(), 'c'),
                    ref.tolerance("predict_abs", 0), id);
            if (id.contains(".doubled.")) {
                // Keras sums the same penalties of the same float32 variables on both sides: at most one rounding
                // (2^-24 relative) per term and per addition of each sum, over the model's variables
                double keras = 2 * ref.caseJson().get("reg_loss").asDouble(), got = r.get("reg_loss").asDouble();
                long n = 0;
                for (JsonNode shape : r.get("weight_shapes")) {
                    long e = 1;
                    for (JsonNode d : shape) e *= d.asLong();
                    n += e;
                }
                double tol = 2.0 * n * Math.pow(2, -24) * Math.abs(keras);
                assertTrue(Math.abs(keras - got) <= tol, id + ": weight penalties " + got + " vs twice the original's " + keras + " (tolerance " + tol + ")");
            }
        }
    }
}
