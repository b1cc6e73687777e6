package org.kerasport.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.kerasport.dl4j.Dl4jImporter;
import org.kerasport.dl4j.ImportedModel;
import org.kerasport.format.KerasReader;
import org.kerasport.model.KerasModel;
import org.kerasport.train.data.DataSources;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Two imports and two fine-tunes in one JVM at once give what each gives alone, bit for bit (README, "Thread
 * safety"): each call reads its own files and builds its own graph; ND4J's random generator is per thread, and the
 * fine-tune seeds it per epoch from its own seed. Deterministic float32 programs: equality, no tolerance.
 */
@Tag("unit")
class ConcurrencyTest {
    static final String MODEL = "models/seed_mlp.keras", DATA = "models/seed_mlp_train.npz";

    private static INDArray importAndPredict() {
        ImportedModel im = Dl4jImporter.importModel(KerasReader.read(java.nio.file.Path.of(MODEL)), false);
        INDArray x = Nd4j.linspace(-3, 3, 64, org.nd4j.linalg.api.buffer.DataType.FLOAT).reshape(32, 2);
        return im.graph().outputSingle(x);
    }

    private static INDArray fineTune(long seed) {
        KerasModel m = KerasReader.read(java.nio.file.Path.of(MODEL));
        FineTuner.Result r = FineTuner.builder(m).data(DataSources.load(DATA, List.of(), ModelOutputs.signature(m)))
                .epochs(3).batchSize(16).shuffle(true).seed(seed).build().run();
        return r.model().graph().params().dup();
    }

    private static <T> List<T> together(List<Callable<T>> jobs) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(jobs.size());
        try {
            List<Future<T>> fs = new ArrayList<>();
            for (Callable<T> j : jobs) fs.add(pool.submit(j));
            List<T> out = new ArrayList<>();
            for (Future<T> f : fs) out.add(f.get());
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void twoImportsAtOnceEqualOneAtATime() throws Exception {
        INDArray alone = importAndPredict();
        for (INDArray y : together(List.<Callable<INDArray>>of(ConcurrencyTest::importAndPredict, ConcurrencyTest::importAndPredict)))
            assertEquals(alone, y);
    }

    @Test
    void twoFineTunesAtOnceEqualOneAtATime() throws Exception {
        INDArray a = fineTune(7), b = fineTune(8);
        List<INDArray> both = together(List.<Callable<INDArray>>of(() -> fineTune(7), () -> fineTune(8)));
        assertEquals(a, both.get(0), "seed 7 alone and beside another fine-tune");
        assertEquals(b, both.get(1), "seed 8 alone and beside another fine-tune");
    }
}
