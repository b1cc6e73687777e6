package org.kerasport.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.kerasport.TestSupport;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;
import org.kerasport.dl4j.Dl4jImporter;
import org.kerasport.dl4j.ImportedModel;
import org.kerasport.dl4j.KerasMatch;
import org.kerasport.format.Json;
import org.kerasport.format.KerasReader;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Interop tier: real Keras builds seeded random models (Dense stacks with random activations, kernel, bias and
 * activity regularizers, then one model per layer family: convolutions with BatchNormalization, depthwise/separable
 * convolutions, Conv1D, LSTM, GRU, SimpleRNN, Bidirectional, Embedding; every optimizer with random hyperparameters
 * and weight decay, every head and loss), predicts
 * and trains them a few steps with train_on_batch (src/test/python/generate_train_models.py). Kerasport imports each
 * model from its .keras and .h5 files and must predict and train the same: outputs, every loss and every weight
 * after every step within the float32 bounds of KerasMatch (no absolute floor).
 */
@Tag("interop")
@Tag("trajectory")
class InteropTrainTest {
    static final long SEED = Long.getLong("kerasport.interop.seed", 1126L);
    static Path out;

    @BeforeAll
    static void generate() throws IOException {
        out = Path.of("target", "interop", "train23-" + SEED).toAbsolutePath();
        if (!Files.exists(out.resolve("DONE"))) {
            Files.createDirectories(out);
            TestSupport.runPython(out, 600, Path.of("src/test/python/generate_train_models.py").toAbsolutePath().toString(),
                    out.toString(), "--seed", Long.toString(SEED), "--count", "23");
            Files.writeString(out.resolve("DONE"), "ok\n");
        }
    }

    @TestFactory
    Stream<DynamicTest> kerasportTrainsLikeKeras() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        List<Path> models;
        try (Stream<Path> s = Files.list(out)) {
            models = s.filter(p -> Files.exists(p.resolve("facts.json"))).sorted().toList();
        }
        assertEquals(23, models.size());
        for (Path m : models)
            for (String f : new String[]{"model.keras", "model.h5"})
                tests.add(DynamicTest.dynamicTest(m.getFileName() + "/" + f, () -> check(m, f)));
        return tests.stream();
    }

    private static void check(Path dir, String file) throws IOException {
        JsonNode facts = Json.parse(Files.readString(dir.resolve("facts.json")), dir, "facts.json");
        Map<String, NdArray> data = Npy.readNpz(dir.resolve("data.npz"));
        ImportedModel im = Dl4jImporter.importForTraining(KerasReader.read(dir.resolve(file)), false);
        String opt = facts.get("optimizer").get("class_name").asText();
        String what = dir.getFileName() + "/" + file + " (" + opt + ")";
        KerasMatch.assertPredicts(im, new INDArray[]{arr(data.get("x"))}, new INDArray[]{arr(data.get("y_pred"))}, 0, what);
        KerasMatch match = new KerasMatch(im, 0, 0);
        for (int k = 0; k < facts.get("steps").asInt(); k++) {
            int step = k;
            match.step(new INDArray[]{arr(data.get("train_x__" + k))}, new INDArray[]{arr(data.get("train_y__" + k))},
                    data.get("loss__" + k).data()[0], w -> arr(data.get("after__" + step + "__" + w)), what);
        }
    }

    private static INDArray arr(NdArray a) {
        return Nd4j.create(a.data(), a.shape(), 'c');
    }
}
