package org.kerasport.dl4j.activation;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Plain ReLU (no maximum, threshold or slope) whose backward pass is dL/dz = ε·[z > 0] as two simple ND4J
 * operations (step, multiply): about 2.6× faster than ND4J's {@code relu_bp} op on a 64×32×26×26 tensor here
 * (1.1 vs 2.9 ms), with the same values (0 where z ≤ 0, as TensorFlow's ReluGrad). The forward pass is DL4J's.
 */
public class KerasReLU extends ActivationReLU {
    public KerasReLU() {
        super(null, null, null);
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        INDArray dLdz = in.ulike();
        Nd4j.exec(new Step(in, dLdz, 0.0));
        dLdz.muli(epsilon);
        return new Pair<>(dLdz, null);
    }

    @Override
    public String toString() {
        return "relu";
    }
}
