package org.kerasport.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.kerasport.TestSupport;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;
import org.kerasport.format.KerasReader;
import org.nd4j.linalg.dataset.DataSet;

/** Kerasport's graph updater takes DL4J's standard path and computes bit for bit what DL4J's own path computes. */
@Tag("corpus")
@Tag("trajectory")
class GraphUpdaterTest {
    @Test
    void sameStepsAsDl4jsOwnUpdater() throws Exception {
        // L1, L2 and L1L2 on kernels and biases, an activity regularizer; Adam instead of the case's SGD for state
        Path dir = TestSupport.reference().resolve("reg_dense");
        var km = org.kerasport.train.ModelEdits.training(KerasReader.read(dir.resolve("model.keras")), "Adam", 0.01, null, null);
        ComputationGraph ours = Dl4jImporter.importForTraining(km, false).graph();
        ComputationGraph dl4j = Dl4jImporter.importForTraining(km, false).graph();
        assertInstanceOf(GraphUpdater.class, ours.getUpdater());
        dl4j.setUpdater(new ComputationGraphUpdater(dl4j));
        assertFalse(dl4j.getUpdater() instanceof GraphUpdater);

        Map<String, NdArray> ref = Npy.readNpz(dir.resolve("reference.npz"));
        for (int step = 0; step < 6; step++) {
            int b = step % 2;
            DataSet ds = new DataSet(NdArrays.of(ref.get("train_x__" + b).data(), ref.get("train_x__" + b).shape()),
                    NdArrays.of(ref.get("train_y__" + b).data(), ref.get("train_y__" + b).shape()));
            ours.fit(ds);
            dl4j.fit(ds);
            assertArrayEquals(dl4j.params().toFloatVector(), ours.params().toFloatVector(), "parameters after step " + step);
            assertArrayEquals(dl4j.getUpdater().getStateViewArray().toFloatVector(), ours.getUpdater().getStateViewArray().toFloatVector(),
                    "optimizer state after step " + step);
        }
    }

    /** A saved zip comes back with it and with the saved optimizer state. */
    @Test
    void installKeepsTheState(@org.junit.jupiter.api.io.TempDir Path tmp) {
        var km = KerasReader.read(Path.of("models/seed_mlp.keras"));
        var r = org.kerasport.train.FineTuner.builder(km).data(org.kerasport.train.data.DataSources.load("models/seed_mlp_train.npz", List.of(),
                org.kerasport.train.ModelOutputs.signature(km))).epochs(1).shuffle(false).build().run();
        Path zip = tmp.resolve("m.zip");
        Dl4jModel.of(r.model()).save(zip, false);
        ComputationGraph back = Dl4jModel.load(zip, new org.kerasport.format.ReadOptions(null, true, false)).graph();
        assertInstanceOf(GraphUpdater.class, back.getUpdater());
        assertArrayEquals(r.model().graph().getUpdater().getStateViewArray().toFloatVector(), back.getUpdater().getStateViewArray().toFloatVector());
    }
}
