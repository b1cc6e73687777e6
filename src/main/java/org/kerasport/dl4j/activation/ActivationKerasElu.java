package org.kerasport.dl4j.activation;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Keras {@code elu(x, alpha)}: x for x > 0, alpha·(exp(x) − 1) otherwise; gradient 1 for x > 0, alpha·exp(x)
 * otherwise (TensorFlow's backend: {@code tf.where(x > 0, elu(x), alpha · elu(x))}). DL4J 1.0.0-M2.1's
 * {@code ActivationELU} computes the forward pass with alpha but drops alpha from the gradient (exp(x) for x < 0),
 * so every ELU with alpha ≠ 1 trained through it moved the weights below it wrongly.
 */
public class ActivationKerasElu extends BaseActivationFunction {
    private double alpha = 1.0;

    public ActivationKerasElu() {
    }

    public ActivationKerasElu(double alpha) {
        this.alpha = alpha;
    }

    public double getAlpha() {
        return alpha;
    }

    public void setAlpha(double alpha) {
        this.alpha = alpha;
    }

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        INDArray pos = in.gt(0).castTo(in.dataType());
        // exp of min(x, 0): no overflow where the other branch is taken (0 · inf would be NaN)
        INDArray neg = Transforms.exp(Transforms.min(in, 0.0, true), false).subi(1).muli(alpha);
        return in.assign(pos.mul(in).addi(pos.rsub(1).muli(neg)));
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        INDArray pos = in.gt(0).castTo(in.dataType());
        INDArray d = pos.add(pos.rsub(1).muli(Transforms.exp(Transforms.min(in, 0.0, true), false).muli(alpha)));
        return new Pair<>(d.muli(epsilon), null);
    }

    @Override
    public String toString() {
        return "keras_elu(alpha=" + alpha + ")";
    }
}
