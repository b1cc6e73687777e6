package org.kerasport.dl4j.activation;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.comparison.ScalarGreaterThan;
import org.nd4j.linalg.api.ops.impl.scalar.comparison.ScalarLessThan;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Keras 3 {@code hard_silu} (alias {@code hard_swish}): x · relu6(x + 3) / 6 (keras/src/backend/tensorflow/nn.py).
 * Gradient, as TensorFlow differentiates that product: relu6(x + 3)/6 + x · [0 &lt; x + 3 &lt; 6] / 6.
 */
public class ActivationHardSilu extends BaseActivationFunction {
    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        INDArray hs = Transforms.relu6(in.add(3.0), false).divi(6.0);
        return in.muli(hs);
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        INDArray shifted = in.add(3.0);
        INDArray hs = Transforms.relu6(shifted.dup(), false).divi(6.0);
        INDArray above = Nd4j.getExecutioner().exec(new ScalarGreaterThan(shifted.dup(), 0.0));
        INDArray below = Nd4j.getExecutioner().exec(new ScalarLessThan(shifted.dup(), 6.0));
        INDArray inside = above.castTo(in.dataType()).muli(below.castTo(in.dataType()));
        INDArray d = hs.addi(inside.muli(in).divi(6.0));
        return new Pair<>(d.muli(epsilon), null);
    }

    @Override
    public String toString() {
        return "hard_silu";
    }
}
