package org.kerasport.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kerasport.TestSupport;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;
import org.kerasport.dl4j.WeightBinding;
import org.kerasport.format.KerasReader;
import org.kerasport.model.KerasModel;
import org.kerasport.train.data.DataSources;

/**
 * Interop tier: the same fine-tuning run in real Keras (load_model + fit, shuffle off, 3 epochs with validation,
 * src/test/python/fit_reference.py) and in Kerasport, from the bundled sample (Adam, L2 kernels, accuracy), both
 * continuing the stored optimizer state and with a fresh optimizer: per-epoch loss, val_loss and accuracies, and
 * every final weight agree.
 */
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
        assertMatchesKerasFit(r, keras, 3, 0.0011, fresh ? "fresh" : "continued");
    }

    /**
     * Every epoch's loss and val_loss (within 2e-5), accuracy and val_accuracy (within {@code accuracyTolerance}) and
     * every final weight (within 1e-4) of {@code r} against Keras' fit of the same run (fit_reference.py's output).
     */
    static void assertMatchesKerasFit(FineTuner.Result r, Map<String, NdArray> keras, int epochs, double accuracyTolerance, String label) {
        for (String key : List.of("loss", "val_loss", "accuracy", "val_accuracy")) {
            float[] want = keras.get("history__" + key).data();
            List<Double> got = r.history().get(key);
            double tol = key.contains("accuracy") ? accuracyTolerance : 2e-5;
            for (int e = 0; e < epochs; e++) assertEquals(want[e], got.get(e), tol, label + ": " + key + " of epoch " + (e + 1));
        }
        for (WeightBinding b : r.model().bindings()) {
            NdArray w = keras.get("final__" + b.kerasLayer() + "__" + b.kerasWeight());
            float[] got = b.layout().toKeras(r.model().graph().getParam(b.vertex() + "_" + b.param()), w.shape());
            double diff = 0;
            for (int i = 0; i < got.length; i++) diff = Math.max(diff, Math.abs(got[i] - w.data()[i]));
            assertTrue(diff <= 1e-4, label + ": " + b.kerasLayer() + "/" + b.kerasWeight() + " max |diff| " + diff);
        }
    }
}
