package org.kerasport.dl4j.activation;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Plain ReLU (no maximum, threshold or slope) whose backward pass is dL/dz = ε·[z > 0] as two simple ND4J
 * operations (step, multiply), which take fewer passes over memory than ND4J's {@code relu_bp} op (measured in
 * bench/RESULTS.md), with the same values (0 where z ≤ 0, as TensorFlow's ReluGrad). The forward pass is DL4J's.
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

    /**
     * {@code fn(z)} in a new activations array, {@code z} left as it is for the backward pass of the same step (the
     * layers keep it). A plain ReLU writes its output directly (the operation DL4J runs in place); any other function
     * works in place on a copy of z, as DL4J's own layers do. Either way one pass over z instead of a copy plus a pass.
     */
    public static INDArray activationKeepingInput(IActivation fn, INDArray z, LayerWorkspaceMgr workspaceMgr) {
        if (fn.getClass() == KerasReLU.class) {
            INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, z.dataType(), z.shape(), z.ordering());
            Nd4j.getExecutioner().exec(new RectifiedLinear(z, out));
            return out;
        }
        return fn.getActivation(workspaceMgr.dup(ArrayType.ACTIVATIONS, z, z.ordering()), true);
    }

    @Override
    public String toString() {
        return "relu";
    }
}
