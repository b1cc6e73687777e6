package org.kerasport.dl4j.activation;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Keras {@code gelu} with approximate=False: x/2 · (1 + erf(x/√2)); gradient Φ(x) + x·φ(x). */
public class ActivationExactGelu extends BaseActivationFunction {
    private static final double SQRT_HALF = Math.sqrt(0.5);
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2 * Math.PI);

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        INDArray cdf = Nd4j.getExecutioner().exec(new Erf(in.mul(SQRT_HALF))).addi(1.0).muli(0.5);
        return in.muli(cdf);
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        INDArray cdf = Nd4j.getExecutioner().exec(new Erf(in.mul(SQRT_HALF))).addi(1.0).muli(0.5);
        INDArray pdf = Transforms.exp(in.mul(in).muli(-0.5), false).muli(INV_SQRT_2PI);
        INDArray d = cdf.addi(pdf.muli(in));
        return new Pair<>(d.muli(epsilon), null);
    }

    @Override
    public String toString() {
        return "gelu_exact";
    }
}
