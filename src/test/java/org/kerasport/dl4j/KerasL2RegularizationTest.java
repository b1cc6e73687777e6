package org.kerasport.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.kerasport.Tolerances;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

@Tag("unit")
@Tag("trajectory")
class KerasL2RegularizationTest {
    /**
     * On a kernel-shaped view of a flat parameter array, as DL4J holds them: ½·c·Σw², Σw² computed in float32 (a BLAS
     * dot product, or ND4J's norm2 on a strided view) within the float32 bound of the exact (double) sum. The terms
     * are all positive, so Σ|terms| is the sum itself: Tolerances.sum(n, Σw²) is a relative bound λ·√n·u, 2.6e-4 for
     * n = 401,408 (any kernel's summation order; a 1e-6 bound held on one CPU's kernel only). It still fails for a
     * missing ½, c taken as λ (the Keras l2 → c = 2λ factor) or a missing term (half the sum is gone).
     */
    @Test
    void penaltyIsHalfCTimesTheSumOfSquares() {
        Nd4j.getRandom().setSeed(3);
        INDArray flat = Nd4j.randn(DataType.FLOAT, 1, 420_000);
        INDArray kernel = flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(1000, 1000 + 784 * 512)).reshape('f', 784, 512);
        double exact = 0;
        for (float w : kernel.dup('c').data().asFloat()) exact += (double) w * w;
        double c = 2e-4;
        assertEquals(0.5 * c * exact, new KerasL2Regularization(c).score(kernel, 0, 0),
                0.5 * c * Tolerances.sum(kernel.length(), exact));
        INDArray strided = kernel.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2, 512)); // not contiguous: DL4J's norm2
        double s = 0;
        for (float w : strided.dup('c').data().asFloat()) s += (double) w * w;
        assertEquals(0.5 * c * s, new KerasL2Regularization(c).score(strided, 0, 0),
                0.5 * c * Tolerances.sum(strided.length(), s));
        // double parameters: summed in double, worst case n·2^-53 relative (plus the sqrt/square of norm2: 2 more)
        INDArray dbl = kernel.castTo(DataType.DOUBLE);
        assertEquals(0.5 * c * exact, new KerasL2Regularization(c).score(dbl, 0, 0),
                0.5 * c * exact * (kernel.length() + 2) * 0x1p-53);
    }

    /** It survives DL4J's configuration JSON (the form saved in every DL4J zip) and clone. */
    @Test
    void survivesTheConfigurationJsonAndClone() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().graphBuilder().addInputs("in")
                .addLayer("d", new DenseLayer.Builder().nIn(3).nOut(2).regularization(List.of(new KerasL2Regularization(0.02))).build(), "in")
                .setOutputs("d").build();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        var regs = ((DenseLayer) ((org.deeplearning4j.nn.conf.graph.LayerVertex) back.getVertices().get("d")).getLayerConf().getLayer()).getRegularization();
        assertEquals(1, regs.size());
        assertInstanceOf(KerasL2Regularization.class, regs.get(0));
        assertEquals(0.02, ((KerasL2Regularization) regs.get(0)).getL2().valueAt(0, 0));
        assertInstanceOf(KerasL2Regularization.class, regs.get(0).clone());
    }
}
