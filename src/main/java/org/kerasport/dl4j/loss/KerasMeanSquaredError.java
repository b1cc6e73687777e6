package org.kerasport.dl4j.loss;

import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Keras {@code mean_squared_error}: mean((y_pred - y_true)², axis=-1). */
public class KerasMeanSquaredError extends KerasLoss {
    public KerasMeanSquaredError() {
    }

    public KerasMeanSquaredError(double weight) {
        super(weight);
    }

    @Override
    protected INDArray perSample(INDArray labels, INDArray preOutput, IActivation activation) {
        INDArray d = activate(preOutput, activation).subi(labels);
        return d.muli(d).mean(true, 1);
    }

    @Override
    protected INDArray gradient(INDArray labels, INDArray preOutput, IActivation activation) {
        INDArray d = activate(preOutput, activation).subi(labels).muli(2.0 / labels.size(1));
        return backprop(preOutput, activation, d);
    }
}
