package org.kerasport.dl4j.activation;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Keras {@code gelu} with approximate=True (TensorFlow's tf.nn.gelu): x/2 · (1 + tanh(√(2/π) · (x + 0.044715 x³))).
 * Gradient with t = tanh(u), u = √(2/π)(x + 0.044715 x³): (1 + t)/2 + x/2 · (1 − t²) · √(2/π)(1 + 3·0.044715 x²).
 */
public class ActivationTanhGelu extends BaseActivationFunction {
    private static final double C = Math.sqrt(2 / Math.PI), K = 0.044715;

    private static INDArray tanhU(INDArray x) {
        INDArray u = x.mul(x).muli(x).muli(K).addi(x).muli(C);
        return Transforms.tanh(u, false);
    }

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        INDArray t = tanhU(in).addi(1.0).muli(0.5);
        return in.muli(t);
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        INDArray t = tanhU(in);
        INDArray du = in.mul(in).muli(3 * K).addi(1.0).muli(C);
        INDArray sech2 = t.mul(t).rsubi(1.0);
        INDArray d = t.addi(1.0).muli(0.5).addi(sech2.muli(du).muli(in).muli(0.5));
        return new Pair<>(d.muli(epsilon), null);
    }

    @Override
    public String toString() {
        return "gelu_approximate";
    }
}
