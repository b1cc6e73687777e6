package org.kerasport.dl4j.activation;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Keras {@code exponential}: exp(x). */
public class ActivationExponential extends BaseActivationFunction {
    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        return Transforms.exp(in, false);
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        return new Pair<>(Transforms.exp(in, true).muli(epsilon), null);
    }

    @Override
    public String toString() {
        return "exponential";
    }
}
