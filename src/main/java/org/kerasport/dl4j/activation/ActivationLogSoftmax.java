package org.kerasport.dl4j.activation;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Keras {@code log_softmax} over the last axis: x − max − log Σ exp(x − max) (tf.nn.log_softmax). Gradient
 * ε − softmax(x) · Σ ε over the last axis.
 */
public class ActivationLogSoftmax extends BaseActivationFunction {
    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        int last = in.rank() - 1;
        INDArray shifted = in.subi(in.max(true, last));
        INDArray lse = Transforms.log(Transforms.exp(shifted, true).sum(true, last), false);
        return shifted.subi(lse);
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        int last = in.rank() - 1;
        INDArray softmax = Transforms.exp(getActivation(in.dup(), true), false);
        INDArray d = epsilon.sub(softmax.muli(epsilon.sum(true, last)));
        return new Pair<>(d, null);
    }

    @Override
    public String toString() {
        return "log_softmax";
    }
}
