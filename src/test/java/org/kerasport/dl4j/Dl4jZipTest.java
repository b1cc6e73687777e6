package org.kerasport.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.format.KerasReader;
import org.kerasport.model.KerasModel;
import org.kerasport.train.FineTuner;
import org.kerasport.train.ModelOutputs;
import org.kerasport.train.data.DataSources;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Kerasport's DL4J zip writer against DL4J's own: the same bytes in every entry ModelSerializer writes. */
@Tag("interop")
class Dl4jZipTest {
    @TempDir
    Path tmp;

    private static byte[] nd4jWrite(INDArray a) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(b)) {
            Nd4j.write(a, d);
        }
        return b.toByteArray();
    }

    private static byte[] ourWrite(INDArray a) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(b)) {
            NdArrays.write(a, d);
        }
        return b.toByteArray();
    }

    @Test
    void arraysAreWrittenByteForByteAsNd4jWritesThem() throws IOException {
        Nd4j.getRandom().setSeed(7);
        INDArray big = Nd4j.randn(DataType.FLOAT, 300, 700); // more than one 64 KiB block
        List<INDArray> cases = List.of(
                big, big.dup('f'), Nd4j.randn(DataType.FLOAT, 5),
                big.get(NDArrayIndex.interval(10, 20), NDArrayIndex.all()),  // a row-range view
                big.get(NDArrayIndex.all(), NDArrayIndex.interval(3, 9)),    // a strided view
                Nd4j.randn(DataType.DOUBLE, 4, 3), Nd4j.createFromArray(1, 2, 3), Nd4j.create(DataType.FLOAT, 0));
        for (INDArray a : cases)
            assertArrayEquals(nd4jWrite(a), ourWrite(a), a.dataType() + " " + a.shapeInfoToString());
    }

    @Test
    void aFineTunedModelsZipHoldsWhatModelSerializerWritesAndRestores() throws IOException {
        Path model = Path.of("models/seed_mlp.keras"), train = Path.of("models/seed_mlp_train.npz");
        KerasModel m = KerasReader.read(model);
        FineTuner.Result r = FineTuner.builder(m).data(DataSources.load(train.toString(), List.of(), ModelOutputs.signature(m)))
                .epochs(1).shuffle(false).build().run();
        ComputationGraph g = r.model().graph();
        assertTrue(g.getUpdater().getStateViewArray().amaxNumber().doubleValue() > 0, "the optimizer state was trained");

        Path ours = tmp.resolve("ours.zip"), dl4j = tmp.resolve("dl4j.zip");
        Dl4jModel.of(r.model()).save(ours, false);
        ModelSerializer.writeModel(g, dl4j.toFile(), true);

        Map<String, byte[]> a = entries(ours), b = entries(dl4j);
        assertTrue(a.containsKey(Dl4jModel.META_ENTRY));
        a.remove(Dl4jModel.META_ENTRY);
        assertEquals(b.keySet(), a.keySet());
        for (String name : b.keySet()) assertArrayEquals(b.get(name), a.get(name), name);

        ComputationGraph back = ModelSerializer.restoreComputationGraph(ours.toFile(), true);
        assertEquals(g.params(), back.params());
        assertEquals(g.getUpdater().getStateViewArray(), back.getUpdater().getStateViewArray());
        assertEquals(g.getConfiguration().getIterationCount(), back.getConfiguration().getIterationCount());
    }

    /**
     * A convolution model's zip (Kerasport's Conv2D, pooling, dense and output layer subclasses, as the README says)
     * restores with DL4J's own ModelSerializer and predicts as the graph it was saved from (which ConvInteropTest
     * checks against Keras).
     */
    @Test
    void aConvolutionModelsZipRestoresWithModelSerializer() throws IOException {
        Path dir = ConvInteropTest.generated().resolve("cnn_fast_path");
        ImportedModel im = Dl4jImporter.importForTraining(KerasReader.read(dir.resolve("model.keras")), false);
        Path zip = tmp.resolve("cnn.zip");
        Dl4jModel.of(im).save(zip, false);
        ComputationGraph back = ModelSerializer.restoreComputationGraph(zip.toFile(), false);
        assertTrue(back.getConfiguration().toJson().contains("org.kerasport.dl4j.layers.KerasSubsampling"), "the pooling subclass is in the zip");
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 22, 22, 2);
        assertEquals(im.graph().outputSingle(x), back.outputSingle(x));
    }

    private static Map<String, byte[]> entries(Path zip) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (ZipFile z = new ZipFile(zip.toFile())) {
            for (ZipEntry e : java.util.Collections.list(z.entries()))
                out.put(e.getName(), z.getInputStream(e).readAllBytes());
        }
        return out;
    }
}
