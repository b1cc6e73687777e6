package org.kerasport.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kerasport.TestSupport;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;
import org.kerasport.dl4j.ConvInteropTest;
import org.kerasport.dl4j.Dl4jImporter;
import org.kerasport.format.KerasReader;
import org.kerasport.model.KerasModel;
import org.kerasport.train.data.DataSources;

/**
 * Interop tier: Keras' own fit (src/test/python/fit_reference.py: load_model, fit with shuffle off and validation
 * data, 3 epochs) and Kerasport's FineTuner on a convolution model made by real Keras (conv_trajectories.py's
 * cnn_fast_path: 2-D convolutions, max and average pooling, L1/L2 kernels, SGD, accuracy), with batches of 24 rows,
 * which FineTuner trains as two halves on two threads after the first epoch (told to split from step 2;
 * {@link DataParallel}) or whole:
 * per-epoch loss, accuracy, val_loss and val_accuracy, and every final weight, agree with Keras either way.
 */
@Tag("interop")
@Tag("trajectory")
class FinetuneConvInteropTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void convolutionFitEqualsKerasWithBatchesSplitOrWhole(boolean split) throws IOException {
        Path model = ConvInteropTest.generated().resolve("cnn_fast_path/model.keras");
        Path train = tmp.resolve("train.npz"), val = tmp.resolve("val.npz"), ref = tmp.resolve("fit.npz");
        writeData(train, 48, 1);
        writeData(val, 16, 2);
        TestSupport.runPython(tmp, 300, Path.of("src/test/python/fit_reference.py").toAbsolutePath().toString(), model.toString(),
                train.toString(), val.toString(), ref.toString(), "--batch", "24");
        Map<String, NdArray> keras = Npy.readNpz(ref);

        KerasModel m = KerasReader.read(model);
        var sig = ModelOutputs.signature(m);
        FineTuner.Result r = FineTuner.builder(m).data(DataSources.load(train.toString(), List.of(), sig))
                .validation(DataSources.load(val.toString(), List.of(), sig)).epochs(3).batchSize(24).shuffle(false)
                .twoThreadSteps(split).twoThreadStepsAfter(2).build().run();
        // accuracy: 48 or 16 samples, Keras' float32 mean of 0/1 within a few roundings (no sample near a tie here)
        FinetuneInteropTest.assertMatchesKerasFit(r, keras, 3, 1e-6, org.kerasport.dl4j.KerasMatch.trainingLength(r.model(), 24L * 22 * 22 * 2), 2,
                org.kerasport.dl4j.Dl4jImporter.importForTraining(KerasReader.read(model), false), split ? "split" : "whole");
    }

    /** Which graphs split their batches (imported for training, as FineTuner does): convolution models of row-wise layers, not dense-only or batch-normalized ones. */
    @Test
    void onlyRowWiseConvolutionModelsSplit() {
        var dir = ConvInteropTest.generated();
        assertNotNull(DataParallel.of(Dl4jImporter.importForTraining(KerasReader.read(dir.resolve("cnn_fast_path/model.keras")), true).graph(), false));
        assertNotNull(DataParallel.of(Dl4jImporter.importForTraining(KerasReader.read(dir.resolve("maxpool_ties/model.keras")), true).graph(), false));
        // BatchNormalization's statistics run over the whole batch; dense layers only: nothing to share
        assertNull(DataParallel.of(Dl4jImporter.importForTraining(KerasReader.read(dir.resolve("conv2d_stack/model.keras")), true).graph(), false));
        assertNull(DataParallel.of(Dl4jImporter.importForTraining(KerasReader.read(Path.of("models/seed_mlp.keras")), true).graph(), false));
        assertTrue(DataParallel.splits(DataParallel.MIN_ROWS) && !DataParallel.splits(DataParallel.MIN_ROWS - 1));
        // from the first epoch starting at or after the given step
        assertTrue(!DataParallel.splitsEpoch(9, 24, 240) && DataParallel.splitsEpoch(10, 24, 240) && DataParallel.splitsEpoch(1, 1000, 240));
        assertEquals(12, DataParallel.firstHalf(24));
        assertEquals(9, DataParallel.firstHalf(17));
    }

    /** Random images for the 22x22x2 model and one-hot labels of 4 classes (data, not a Keras file). */
    private static void writeData(Path file, int rows, long seed) throws IOException {
        Random r = new Random(seed);
        float[] x = new float[rows * 22 * 22 * 2], y = new float[rows * 4];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        for (int i = 0; i < rows; i++) y[i * 4 + r.nextInt(4)] = 1;
        try (OutputStream os = Files.newOutputStream(file)) {
            Npy.writeNpz(os, Map.of("x", new NdArray(new long[]{rows, 22, 22, 2}, x, "float32"), "y", new NdArray(new long[]{rows, 4}, y, "float32")));
        }
    }
}
