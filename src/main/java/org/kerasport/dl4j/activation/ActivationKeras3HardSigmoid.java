package org.kerasport.dl4j.activation;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.comparison.ScalarGreaterThan;
import org.nd4j.linalg.api.ops.impl.scalar.comparison.ScalarLessThan;
import org.nd4j.linalg.factory.Nd4j;

/** Keras 3 {@code hard_sigmoid}: relu6(x + 3) / 6 (keras/src/activations/activations.py). Gradient 1/6 on (-3, 3). */
public class ActivationKeras3HardSigmoid extends BaseActivationFunction {
    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        in.addi(3.0);
        in.assign(org.nd4j.linalg.ops.transforms.Transforms.relu6(in, false));
        return in.divi(6.0);
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        INDArray above = Nd4j.getExecutioner().exec(new ScalarGreaterThan(in.dup(), -3.0));
        INDArray below = Nd4j.getExecutioner().exec(new ScalarLessThan(in.dup(), 3.0));
        INDArray d = above.castTo(in.dataType()).muli(below.castTo(in.dataType())).muli(1.0 / 6.0);
        return new Pair<>(d.muli(epsilon), null);
    }

    @Override
    public String toString() {
        return "keras3_hard_sigmoid";
    }
}
