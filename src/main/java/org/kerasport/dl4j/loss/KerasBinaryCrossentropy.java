package org.kerasport.dl4j.loss;

import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Keras {@code binary_crossentropy} (TF backend), mean over the last axis. After a sigmoid or with from_logits, on
 * the logits: max(z, 0) − z·y + log(1 + e^−|z|), gradient sigmoid(z) − y. Otherwise on probabilities clipped to
 * [1e-7, 1 − 1e-7]: −(y·log p + (1 − y)·log(1 − p)).
 */
public class KerasBinaryCrossentropy extends KerasCrossentropy {
    public KerasBinaryCrossentropy() {
    }

    public KerasBinaryCrossentropy(boolean fromLogits, double weight) {
        super(fromLogits, weight);
    }

    private boolean onLogits(IActivation a) {
        return fromLogits || a instanceof ActivationSigmoid;
    }

    private static INDArray logits(INDArray preOutput, IActivation a) {
        return a instanceof ActivationSigmoid ? preOutput.dup() : activate(preOutput, a);
    }

    @Override
    protected INDArray perSample(INDArray labels, INDArray preOutput, IActivation activation) {
        if (onLogits(activation)) {
            INDArray z = logits(preOutput, activation);
            INDArray l = Transforms.max(z, 0.0, true).subi(z.mul(labels))
                    .addi(Transforms.log(Transforms.exp(Transforms.abs(z, true).negi(), false).addi(1.0), false));
            return l.mean(true, 1);
        }
        INDArray c = clip(activate(preOutput, activation));
        INDArray l = Transforms.log(c, true).muli(labels).addi(Transforms.log(c.rsub(1.0), false).muli(labels.rsub(1.0)));
        return l.negi().mean(true, 1);
    }

    @Override
    protected INDArray gradient(INDArray labels, INDArray preOutput, IActivation activation) {
        double n = labels.size(1);
        if (onLogits(activation)) {
            INDArray z = logits(preOutput, activation);
            INDArray g = Transforms.sigmoid(z, false).subi(labels).muli(1.0 / n);
            return activation instanceof ActivationSigmoid ? g : backprop(preOutput, activation, g);
        }
        INDArray p = activate(preOutput, activation);
        INDArray inRange = inClipRange(p);
        INDArray c = clip(p);
        INDArray g = labels.div(c).negi().addi(labels.rsub(1.0).divi(c.rsub(1.0))).muli(inRange).muli(1.0 / n);
        return backprop(preOutput, activation, g);
    }
}
