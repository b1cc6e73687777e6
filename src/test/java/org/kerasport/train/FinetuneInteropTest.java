package org.kerasport.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kerasport.TestSupport;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;
import org.kerasport.dl4j.Dl4jImporter;
import org.kerasport.dl4j.ImportedModel;
import org.kerasport.dl4j.KerasMatch;
import org.kerasport.dl4j.WeightBinding;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.kerasport.format.KerasReader;
import org.kerasport.model.KerasModel;
import org.kerasport.train.data.DataSources;

/**
 * Interop tier: the same fine-tuning run in real Keras (load_model + fit, shuffle off, 3 epochs with validation,
 * src/test/python/fit_reference.py) and in Kerasport, from the bundled sample (Adam, L2 kernels, accuracy), both
 * continuing the stored optimizer state and with a fresh optimizer: per-epoch loss, val_loss and accuracies, and
 * every final weight agree.
 */
@Tag("interop")
@Tag("trajectory")
class FinetuneInteropTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void threeEpochsOfFitEqualKeras(boolean fresh) {
        Path model = Path.of("models/seed_mlp.keras").toAbsolutePath(), train = Path.of("models/seed_mlp_train.npz").toAbsolutePath(),
                val = Path.of("models/seed_mlp_val.npz").toAbsolutePath(), ref = tmp.resolve("fit.npz");
        if (fresh)
            TestSupport.runPython(tmp, 300, Path.of("src/test/python/fit_reference.py").toAbsolutePath().toString(), model.toString(),
                    train.toString(), val.toString(), ref.toString(), "--fresh");
        else
            TestSupport.runPython(tmp, 300, Path.of("src/test/python/fit_reference.py").toAbsolutePath().toString(), model.toString(),
                    train.toString(), val.toString(), ref.toString());
        Map<String, NdArray> keras = Npy.readNpz(ref);

        KerasModel m = KerasReader.read(model);
        var sig = ModelOutputs.signature(m);
        FineTuner.Result r = FineTuner.builder(m).data(DataSources.load(train.toString(), List.of(), sig))
                .validation(DataSources.load(val.toString(), List.of(), sig)).epochs(3).batchSize(32).shuffle(false)
                .freshOptimizer(fresh).build().run();
        // accuracy: one sample's worth (float32 rounding of Keras' means)
        long[] xs = Npy.readNpz(train).get("x").shape();
        assertMatchesKerasFit(r, keras, 3, 0.0011, KerasMatch.trainingLength(r.model(), 32L * xs[1]), (int) ((xs[0] + 31) / 32),
                Dl4jImporter.importForTraining(KerasReader.read(model), false), fresh ? "fresh" : "continued");
    }

    /**
     * Every epoch's loss and val_loss, accuracy and val_accuracy (within {@code accuracyTolerance}: a count over the
     * samples, so a sample whose prediction sits on the decision boundary may flip) and every final weight of {@code r}
     * against Keras' fit of the same run (fit_reference.py's output). Losses and weights within the KerasMatch bounds
     * for the steps taken so far (no floor), {@code n} the training step's reduction length, {@code start} the model
     * as loaded (the weights before the first step).
     */
    static void assertMatchesKerasFit(FineTuner.Result r, Map<String, NdArray> keras, int epochs, double accuracyTolerance, long n,
            int stepsPerEpoch, ImportedModel start, String label) {
        for (String key : List.of("loss", "val_loss", "accuracy", "val_accuracy")) {
            float[] want = keras.get("history__" + key).data();
            List<Double> got = r.history().get(key);
            for (int e = 0; e < epochs; e++) {
                double tol = key.contains("accuracy") ? accuracyTolerance
                        : KerasMatch.lossTolerance(0, n, (e + 1) * stepsPerEpoch, want[e]);
                assertEquals(want[e], got.get(e), tol, label + ": " + key + " of epoch " + (e + 1));
            }
        }
        for (WeightBinding b : r.model().bindings()) {
            NdArray w = keras.get("final__" + b.kerasLayer() + "__" + b.kerasWeight());
            INDArray want = Nd4j.create(w.data(), w.shape(), 'c');
            double tol = KerasMatch.finalWeightTolerance(n, epochs * stepsPerEpoch, KerasMatch.kerasValue(start, b, w.shape()), want);
            KerasMatch.assertMaxDiff(want, KerasMatch.kerasValue(r.model(), b, w.shape()), tol, label + ": " + b.kerasLayer() + "/" + b.kerasWeight());
        }
    }
}
