package org.kerasport.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.TestSupport;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;
import org.kerasport.dl4j.WeightBinding;
import org.kerasport.format.KerasReader;
import org.kerasport.model.KerasModel;
import org.kerasport.train.FineTuner;
import org.kerasport.train.ModelOutputs;
import org.kerasport.train.data.DataSources;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A model fine-tuned in Java and saved as .keras carries its optimizer state, and real Keras continues exactly where
 * Kerasport would have: 1 epoch of Adam in Kerasport (the sample's stored state, 320 → 352 iterations), saved by
 * {@code finetune -o x.keras} and by {@code export --with-optimizer-state} of the DL4J zip; Keras loads each
 * (load_model restores the state) and trains 5 more batches (src/test/python/continue_training.py); Kerasport
 * trains the same 5 batches in memory. Losses and weights agree.
 */
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

        // Kerasport: the same epoch, then 5 batches more in memory
        KerasModel m = KerasReader.read(model);
        FineTuner.Result r = FineTuner.builder(m).data(DataSources.load(train.toString(), List.of(), ModelOutputs.signature(m)))
                .epochs(1).shuffle(false).build().run();
        Map<String, NdArray> data = Npy.readNpz(train);
        float[] losses = new float[5];
        for (int k = 0; k < 5; k++) {
            r.model().graph().fit(new DataSet(rows(data.get("x"), k * 32), rows(data.get("y"), k * 32)));
            losses[k] = (float) r.model().graph().score();
        }
        for (Path exported : List.of(keras, fromZip)) {
            Path out = tmp.resolve(exported.getFileName() + ".npz");
            TestSupport.runPython(tmp, 300, Path.of("src/test/python/continue_training.py").toAbsolutePath().toString(),
                    exported.toString(), train.toString(), out.toString());
            Map<String, NdArray> k = Npy.readNpz(out);
            assertEquals(352, (int) k.get("iterations__0").data()[0], exported + ": Keras restored the iteration count");
            for (int i = 0; i < 5; i++) assertEquals(k.get("loss__" + i).data()[0], losses[i], 2e-6, exported + ": loss of batch " + i);
            for (WeightBinding b : r.model().bindings()) {
                NdArray w = k.get("after__4__" + b.kerasLayer() + "__" + b.kerasWeight());
                float[] got = b.layout().toKeras(r.model().graph().getParam(b.vertex() + "_" + b.param()), w.shape());
                double diff = 0;
                for (int j = 0; j < got.length; j++) diff = Math.max(diff, Math.abs(got[j] - w.data()[j]));
                assertTrue(diff <= 1e-4, exported + ": " + b.kerasLayer() + "/" + b.kerasWeight() + " after 5 batches: " + diff);
            }
        }
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
