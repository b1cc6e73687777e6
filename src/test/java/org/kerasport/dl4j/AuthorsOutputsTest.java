package org.kerasport.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.kerasport.TestSupport;
import org.kerasport.Tolerances;
import org.kerasport.data.NdArray;
import org.kerasport.data.Npy;
import org.kerasport.format.KerasReader;
import org.kerasport.format.hdf5.Hdf5Dataset;
import org.kerasport.format.hdf5.Hdf5File;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Corpus models checked against the outputs their authors computed with the Keras that wrote them (KerasMatch bounds). */
@Tag("corpus")
@Tag("trajectory")
class AuthorsOutputsTest {
    /** DL4J's test resource: Conv2D → BatchNormalization → ReLU → Conv2D → Flatten → Dense, Keras 2.1.3 predictions. */
    @Test
    void cnnBatchNormKeras213() {
        Path dir = TestSupport.corpus().resolve("dl4j-test-resources/fullconfigs-cnn");
        ImportedModel im = Dl4jImporter.importModel(KerasReader.read(dir.resolve("cnn_batch_norm.h5")), false);
        NdArray x = Npy.read(dir.resolve("input.npy")), y = Npy.read(dir.resolve("predictions.npy"));
        INDArray got = im.graph().output(false, Nd4j.create(x.data(), x.shape(), 'c'))[0];
        INDArray want = Nd4j.create(y.data(), y.shape(), 'c');
        KerasMatch.assertOutput(Tolerances.reductionLength(im.graph()), want, got, 0, "cnn_batch_norm");
    }

    /**
     * Keras 2.3.1 Conv1D(kernel 2, dilation 2, padding same, sigmoid) with the inputs and predictions written next to it
     * (Keras 3.15 cannot load this file, so it has no Keras 3 reference).
     */
    @Test
    void conv1dDilatedSameKeras231() {
        Path dir = TestSupport.corpus().resolve("konduit-dl4j-test-resources/conv1d");
        ImportedModel im = Dl4jImporter.importModel(KerasReader.read(dir.resolve("conv1d_k2_s1_d2_cl_same_model.h5")), false);
        INDArray x, want;
        try (Hdf5File f = Hdf5File.openRead(dir.resolve("conv1d_k2_s1_d2_cl_same_inputs_and_outputs.h5"))) {
            x = array(f.root().dataset("inputs/conv0_input"));
            want = array(f.root().dataset("predictions/conv0"));
        }
        INDArray got = im.graph().output(false, x)[0];
        KerasMatch.assertOutput(Tolerances.reductionLength(im.graph()), want, got, 0, "conv1d dilated same");
    }

    private static INDArray array(Hdf5Dataset d) {
        return Nd4j.create(d.readFloats(), d.shape(), 'c');
    }
}
