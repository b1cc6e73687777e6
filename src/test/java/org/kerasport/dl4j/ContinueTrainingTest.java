package org.kerasport.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;


import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kerasport.TestSupport;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;
import org.kerasport.dl4j.optim.KerasUpdater;
import org.kerasport.format.KerasReader;
import org.kerasport.model.KerasModel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Continuing from the stored optimizer state equals Keras' load_model + train_on_batch: the bundled sample holds Adam
 * after 320 iterations; 5 more steps in Kerasport (from .keras or from .h5, which stores the same state) give Keras'
 * losses and weights (src/test/python/continue_training.py runs real Keras on the .keras file; Keras 3.15 itself
 * cannot continue training from its own .h5).
 */
@Tag("interop")
@Tag("trajectory")
class ContinueTrainingTest {
    @TempDir
    static Path tmp;
    static Map<String, NdArray> keras;
    static Map<String, NdArray> data;

    @BeforeAll
    static void runKeras() {
        Path out = tmp.resolve("continue.npz");
        TestSupport.runPython(tmp, 300, Path.of("src/test/python/continue_training.py").toAbsolutePath().toString(),
                Path.of("models/seed_mlp.keras").toAbsolutePath().toString(),
                Path.of("models/seed_mlp_train.npz").toAbsolutePath().toString(), out.toString());
        keras = Npy.readNpz(out);
        data = Npy.readNpz(Path.of("models/seed_mlp_train.npz"));
        assertEquals(320, (int) keras.get("iterations__0").data()[0], "Keras restored its iteration count");
    }

    @ParameterizedTest
    @ValueSource(strings = {"models/seed_mlp.keras", "models/seed_mlp.h5"})
    void continuingFromTheStoredAdamStateEqualsKeras(String file) {
        KerasModel m = KerasReader.read(Path.of(file));
        ImportedModel im = Dl4jImporter.importForTraining(m, false);
        KerasUpdater u = (KerasUpdater) ((org.deeplearning4j.nn.conf.layers.BaseLayer) im.graph().getLayer("dense").conf().getLayer()).getIUpdater();
        OptimizerStateLoader.load(im, u, false);
        assertEquals(320, im.graph().getConfiguration().getIterationCount());
        KerasMatch match = new KerasMatch(im, 0, 0);
        for (int k = 0; k < 5; k++) {
            INDArray x = rows(data.get("x"), k * 32, 32), y = rows(data.get("y"), k * 32, 32);
            int step = k;
            match.step(new INDArray[]{x}, new INDArray[]{y}, keras.get("loss__" + k).data()[0], w -> {
                NdArray a = keras.get("after__" + step + "__" + w);
                return Nd4j.create(a.data(), a.shape(), 'c');
            }, file);
        }
    }

    private static INDArray rows(NdArray a, int from, int n) {
        long cols = a.shape()[1];
        float[] d = new float[(int) (n * cols)];
        System.arraycopy(a.data(), (int) (from * cols), d, 0, d.length);
        return Nd4j.create(d, new long[]{n, cols}, 'c');
    }

}
