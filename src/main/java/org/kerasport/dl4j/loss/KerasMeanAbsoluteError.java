package org.kerasport.dl4j.loss;

import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Keras {@code mean_absolute_error}: mean(|y_pred - y_true|, axis=-1); gradient sign(·)/n (0 at 0, as TF). */
public class KerasMeanAbsoluteError extends KerasLoss {
    public KerasMeanAbsoluteError() {
    }

    public KerasMeanAbsoluteError(double weight) {
        super(weight);
    }

    @Override
    protected INDArray perSample(INDArray labels, INDArray preOutput, IActivation activation) {
        return Transforms.abs(activate(preOutput, activation).subi(labels), false).mean(true, 1);
    }

    @Override
    protected INDArray gradient(INDArray labels, INDArray preOutput, IActivation activation) {
        INDArray d = Transforms.sign(activate(preOutput, activation).subi(labels), false).muli(1.0 / labels.size(1));
        return backprop(preOutput, activation, d);
    }
}
