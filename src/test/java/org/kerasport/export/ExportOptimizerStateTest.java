package org.kerasport.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.TestSupport;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;
import org.kerasport.dl4j.KerasMatch;
import org.kerasport.format.KerasReader;
import org.kerasport.model.KerasModel;
import org.kerasport.train.FineTuner;
import org.kerasport.train.ModelOutputs;
import org.kerasport.train.data.DataSources;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A model fine-tuned in Java and saved as .keras carries its optimizer state, and real Keras continues exactly where
 * Kerasport would have: 1 epoch of Adam in Kerasport (the sample's stored state, 320 → 352 iterations), saved by
 * {@code finetune -o x.keras} and by {@code export --with-optimizer-state} of the DL4J zip; Keras loads each
 * (load_model restores the state) and trains 5 more batches (src/test/python/continue_training.py); Kerasport
 * trains the same 5 batches in memory. Losses and weights agree step by step (KerasMatch bounds).
 */
@Tag("interop")
@Tag("trajectory")
class ExportOptimizerStateTest {
    @TempDir
    Path tmp;

    @Test
    void kerasContinuesFromTheExportedOptimizerState() {
        Path model = Path.of("models/seed_mlp.keras").toAbsolutePath(), train = Path.of("models/seed_mlp_train.npz").toAbsolutePath();
        Path keras = tmp.resolve("tuned.keras"), zip = tmp.resolve("tuned-dl4j.zip"), fromZip = tmp.resolve("from-zip.keras");
        String[] common = {"finetune", model.toString(), "--data", train.toString(), "--epochs", "1", "--shuffle", "false", "--quiet"};
        assertEquals(0, TestSupport.cli(concat(common, "-o", keras.toString())).code());
        assertEquals(0, TestSupport.cli(concat(common, "-o", zip.toString())).code());
        assertEquals(0, TestSupport.cli("export", zip.toString(), "-o", fromZip.toString(), "--with-optimizer-state").code());

        Map<String, NdArray> data = Npy.readNpz(train);
        for (Path exported : List.of(keras, fromZip)) {
            Path out = tmp.resolve(exported.getFileName() + ".npz");
            TestSupport.runPython(tmp, 300, Path.of("src/test/python/continue_training.py").toAbsolutePath().toString(),
                    exported.toString(), train.toString(), out.toString());
            Map<String, NdArray> k = Npy.readNpz(out);
            assertEquals(352, (int) k.get("iterations__0").data()[0], exported + ": Keras restored the iteration count");
            // Kerasport: the same epoch (deterministic, no shuffle), then the same 5 batches in memory, each step
            // against Keras's within the float32 bounds of KerasMatch
            KerasModel m = KerasReader.read(model);
            FineTuner.Result r = FineTuner.builder(m).data(DataSources.load(train.toString(), List.of(), ModelOutputs.signature(m)))
                    .epochs(1).shuffle(false).build().run();
            KerasMatch match = new KerasMatch(r.model(), 0, 0);
            for (int i = 0; i < 5; i++) {
                int step = i;
                match.step(new INDArray[]{rows(data.get("x"), i * 32)}, new INDArray[]{rows(data.get("y"), i * 32)},
                        k.get("loss__" + i).data()[0], w -> arr(k.get("after__" + step + "__" + w)), exported.getFileName().toString());
            }
        }
    }

    private static INDArray arr(NdArray a) {
        return Nd4j.create(a.data(), a.shape(), 'c');
    }

    private static org.nd4j.linalg.api.ndarray.INDArray rows(NdArray a, int from) {
        long cols = a.shape()[1];
        float[] d = new float[(int) (32 * cols)];
        System.arraycopy(a.data(), (int) (from * cols), d, 0, d.length);
        return Nd4j.create(d, new long[]{32, cols}, 'c');
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
