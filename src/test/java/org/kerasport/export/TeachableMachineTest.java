package org.kerasport.export;

import org.junit.jupiter.api.Tag;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.TestSupport;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;
import org.kerasport.dl4j.Dl4jImporter;
import org.kerasport.dl4j.ImportedModel;
import org.kerasport.format.Json;
import org.kerasport.format.KerasReader;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Teachable Machine image models leave Keras 2 through Kerasport's export.
 *
 * <p>The real file {@code ../shared/keras-wild/teachable-machine/waste_classifier_keras_model.h5} was made by Google's
 * Teachable Machine and saved by tf.keras 2.4 (legacy .h5; provenance: {@code ../shared/keras-wild/SOURCES.tsv}, a
 * public repository's {@code keras_model.h5}). It is a Sequential holding a Sequential [a truncated MobileNetV2
 * (alpha 0.35, its own Functional model), GlobalAveragePooling2D] and a Sequential head [Dense(100, relu),
 * Dense(4, softmax, no bias)], 224x224x3 inputs in [-1, 1]. Keras 3.15 cannot load it (DepthwiseConv2D refuses
 * {@code groups}), so it has no Keras 3 outputs of its own: the checks are agreement ones (../shared/keras-wild/README.md)
 * with real Keras computing from the file's weights, by two routes: Keras 3 loading Kerasport's export of the file,
 * and keras.applications.MobileNetV2 given the file's backbone weights plus the file's head
 * (src/test/python/teachable_machine_cases.py).
 *
 * <p>To cover the form beyond that one file, the venv's Keras 3.15 also makes a small model of the same form
 * (MobileNetV2(alpha=0.35, weights=None, include_top=False) at 64x64 in a Sequential with pooling, then a nested
 * Sequential head), saved as .keras and .h5, and it makes the same round trip.
 */
@Tag("interop")
@Tag("corpus")
class TeachableMachineTest {
    static final Path TM = TestSupport.shared().resolve("keras-wild/teachable-machine/waste_classifier_keras_model.h5");

    @TempDir
    static Path gen;

    @TempDir
    Path tmp;

    @BeforeAll
    static void generate() {
        TestSupport.runPython(Path.of("."), 600, "src/test/python/teachable_machine_cases.py", TM.toString(), gen.toString());
    }

    /**
     * The bound for every comparison of two float32 computations of these networks, from the shared float32 rules
     * ({@link org.kerasport.Tolerances#between}): the ~52 convolution and dense layers each sum at most 1280
     * products (the head's Dense; the backbone's largest fan-in is 336), so an output carries the rounding of at most
     * n = 52·1280 summed terms, of total size about max(1, |y|) (probabilities are at most 1, pooled ReLU6 features at
     * most 6, and ReLU6, pooling and softmax do not amplify it): λ·√n·u per implementation, for two of them.
     */
    static final long REDUCTION = 52L * 1280;

    static void close(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": sizes");
        for (int i = 0; i < expected.length; i++)
            assertEquals(expected[i], actual[i], org.kerasport.Tolerances.between(REDUCTION, Math.max(1, Math.abs(expected[i]))),
                    what + " [" + i + "]");
    }

    static float[] kerasportPredict(Path model, Path x, Path out) {
        TestSupport.Run r = TestSupport.cli("predict", model.toString(), "--input", x.toString(), "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        Map<String, NdArray> y = Npy.readNpz(out);
        assertEquals(1, y.size(), y.keySet().toString());
        return y.values().iterator().next().data();
    }

    static void export(Path from, Path to) {
        TestSupport.Run r = TestSupport.cli("export", from.toString(), "-o", to.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
    }

    static ObjectNode job(ArrayNode jobs, String id, Path model, Path x) {
        return jobs.addObject().put("id", id).put("path", model.toString()).put("form", "keras").put("x", x.toString())
                .put("out", model + ".y.npz").put("eager", true);
    }

    /** Runs the jobs in one Python (TensorFlow starts once); every job must have loaded. */
    JsonNode runKeras(ArrayNode jobs) throws Exception {
        Path jobsFile = tmp.resolve("jobs.json"), res = tmp.resolve("results.json");
        Files.writeString(jobsFile, jobs.toString());
        TestSupport.runPython(Path.of("."), 600, "src/test/python/keras_load_exports.py", jobsFile.toString(), res.toString());
        JsonNode results = Json.parse(Files.readString(res), res, null);
        for (JsonNode j : jobs) {
            JsonNode r = results.get(j.get("id").asText());
            assertTrue(r.path("ok").asBoolean(), j.get("id").asText() + ": real Keras cannot load the export: " + r);
        }
        return results;
    }

    static float[] kerasY(Path model) {
        return Npy.readNpz(Path.of(model + ".y.npz")).get("y__0").data();
    }

    @Test
    void exportsLoadInKerasAndPredictWhatTheOriginalDoes() throws Exception {
        Path tmX = gen.resolve("tm_x.npz"), formX = gen.resolve("form_x.npz");
        // Kerasport on the original file, against real Keras computing it from keras.applications components
        float[] ours = kerasportPredict(TM, tmX, tmp.resolve("tm_ours.npz"));
        Map<String, NdArray> ref = Npy.readNpz(gen.resolve("tm_keras.npz"));
        close(ref.get("y").data(), ours, "Kerasport vs keras.applications rebuild, softmax");
        ImportedModel im = Dl4jImporter.importModel(KerasReader.read(TM), false);
        NdArray x = Npy.readNpz(tmX).get("x");
        Map<String, INDArray> acts = im.graph().feedForward(new INDArray[]{Nd4j.create(x.data(), x.shape(), 'c')}, false);
        List<String> pooled = acts.keySet().stream().filter(k -> k.endsWith("global_average_pooling2d_GlobalAveragePooling2D1")).toList();
        assertEquals(1, pooled.size(), "the backbone's pooling vertex among " + acts.keySet());
        INDArray features = acts.get(pooled.get(0));
        assertArrayEquals(new long[]{2, 1280}, features.shape());
        close(ref.get("features").data(), features.dup('c').data().asFloat(), "Kerasport vs keras.applications MobileNetV2, pooled features");

        // every export of the Teachable Machine file and of the Keras 3 model of its form loads in Keras 3 and agrees
        ArrayNode jobs = Json.MAPPER.createArrayNode();
        for (String form : List.of("keras", "h5")) {
            Path out = tmp.resolve("tm_export." + form);
            export(TM, out);
            job(jobs, "tm_" + form, out, tmX);
            Path o = tmp.resolve("form_export." + form); // Keras 3's .keras to .keras, its .h5 to .h5
            export(gen.resolve("form." + form), o);
            job(jobs, "form_" + form, o, formX);
        }
        runKeras(jobs);
        float[] formKeras = Npy.readNpz(gen.resolve("form_keras.npz")).get("y").data();
        for (String from : List.of("keras", "h5"))
            close(formKeras, kerasportPredict(gen.resolve("form." + from), formX, tmp.resolve("form_ours_" + from + ".npz")),
                    "Kerasport vs Keras on the Keras 3 " + from + " of the form");
        for (String form : List.of("keras", "h5")) {
            close(ours, kerasY(tmp.resolve("tm_export." + form)), "Keras on the ." + form + " export vs Kerasport on the original");
            close(formKeras, kerasY(tmp.resolve("form_export." + form)), "Keras on the export of form." + form + " vs Keras on it");
        }
    }

    /**
     * Teachable Machine's own recipe on the JVM: new classes (--replace-head 3) on the frozen backbone, through a DL4J
     * zip and export; and the Keras 3 model of the form with everything trainable (BatchNormalization in training).
     * Real Keras loads each export, predicts what Kerasport predicts with the fine-tuned weights, keeps the freeze,
     * and keeps training it (fit runs, loss finite).
     */
    @Test
    void fineTunedWithANewHeadExportsAndKerasKeepsTraining() throws Exception {
        Path tmZip = tmp.resolve("tm_tuned.zip"), tmOut = tmp.resolve("tm_tuned.keras");
        TestSupport.Run r = TestSupport.cli("finetune", TM.toString(), "--data", gen.resolve("tm_train.npz").toString(),
                "--replace-head", "3", "--freeze", "sequential_1", "--loss", "categorical_crossentropy", "--optimizer", "Adam",
                "--lr", "0.001", "--epochs", "1", "--batch-size", "2", "--shuffle", "false", "-o", tmZip.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        export(tmZip, tmOut);
        Path formOut = tmp.resolve("form_tuned.h5");
        r = TestSupport.cli("finetune", gen.resolve("form.keras").toString(), "--data", gen.resolve("form_train.npz").toString(),
                "--replace-head", "3", "--loss", "categorical_crossentropy", "--optimizer", "Adam", "--epochs", "1",
                "--batch-size", "4", "--shuffle", "false", "-o", tmp.resolve("form_tuned.zip").toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        export(tmp.resolve("form_tuned.zip"), formOut);

        ArrayNode jobs = Json.MAPPER.createArrayNode();
        job(jobs, "tm", tmOut, gen.resolve("tm_x.npz")).putObject("fit").put("data", gen.resolve("tm_train.npz").toString())
                .put("batch_size", 2).put("epochs", 1);
        job(jobs, "form", formOut, gen.resolve("form_x.npz")).putObject("fit").put("data", gen.resolve("form_train.npz").toString())
                .put("batch_size", 4).put("epochs", 1);
        JsonNode res = runKeras(jobs);

        close(kerasportPredict(tmZip, gen.resolve("tm_x.npz"), tmp.resolve("tm_tuned_ours.npz")), kerasY(tmOut),
                "Keras on the export vs Kerasport on the fine-tuned zip (Teachable Machine)");
        close(kerasportPredict(tmp.resolve("form_tuned.zip"), gen.resolve("form_x.npz"), tmp.resolve("form_tuned_ours.npz")),
                kerasY(formOut), "Keras on the export vs Kerasport on the fine-tuned zip (form)");
        for (String id : List.of("tm", "form")) {
            JsonNode j = res.get(id);
            assertEquals((id.equals("tm") ? 2 : 4) * 3, kerasY(id.equals("tm") ? tmOut : formOut).length, id + ": the new head has 3 units in Keras");
            double first = j.path("first_batch_loss").asDouble(Double.NaN), after = j.path("history").path("loss").get(0).asDouble(Double.NaN);
            assertTrue(Double.isFinite(first) && Double.isFinite(after), id + ": Keras keeps training it: " + j);
        }
        // the frozen backbone stays frozen in Keras: only the head's dense_Dense1 kernel and bias and the new kernel train
        JsonNode trainable = res.get("tm").get("trainable_weight_names");
        assertEquals(3, trainable.size(), trainable.toString());
        trainable.forEach(n -> assertTrue(n.asText().contains("dense_Dense"), trainable.toString()));
        // the unfrozen form trains everything but the BatchNormalization statistics
        JsonNode all = res.get("form").get("weight_names"), formTrainable = res.get("form").get("trainable_weight_names");
        long statistics = 0;
        for (JsonNode n : all) if (n.asText().contains("moving_")) statistics++;
        assertEquals(all.size() - statistics, formTrainable.size(), formTrainable.toString());
    }
}
