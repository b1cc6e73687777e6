package org.kerasport.dl4j.loss;

import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;

import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Keras {@code categorical_crossentropy} (TF backend). After a softmax, or with from_logits, on the logits:
 * Σy·logsumexp(z) − Σy·z, gradient softmax(z)·Σy − y. Otherwise on probabilities: renormalized to sum 1, clipped
 * to [1e-7, 1 − 1e-7], −Σ y·log(p), with the gradient through the normalization and the clip.
 */
public class KerasCategoricalCrossentropy extends KerasCrossentropy {
    public KerasCategoricalCrossentropy() {
    }

    public KerasCategoricalCrossentropy(boolean fromLogits, double weight) {
        super(fromLogits, weight);
    }

    private boolean onLogits(IActivation a) {
        return fromLogits || a instanceof ActivationSoftmax;
    }

    private static INDArray logits(INDArray preOutput, IActivation a) {
        return a instanceof ActivationSoftmax ? preOutput.dup() : activate(preOutput, a);
    }

    @Override
    protected INDArray perSample(INDArray labels, INDArray preOutput, IActivation activation) {
        if (onLogits(activation)) {
            INDArray z = logits(preOutput, activation);
            INDArray lse = logSumExp(z);
            return lse.muli(labels.sum(true, 1)).subi(labels.mul(z).sum(true, 1));
        }
        INDArray p = activate(preOutput, activation);
        INDArray q = p.diviColumnVector(p.sum(true, 1));
        INDArray c = clip(q);
        return Transforms.log(c, false).muli(labels).sum(true, 1).negi();
    }

    @Override
    protected INDArray gradient(INDArray labels, INDArray preOutput, IActivation activation) {
        if (onLogits(activation)) {
            INDArray z = logits(preOutput, activation);
            INDArray g = softmax(z).muliColumnVector(labels.sum(true, 1)).subi(labels);
            return activation instanceof ActivationSoftmax ? g : backprop(preOutput, activation, g);
        }
        INDArray p = activate(preOutput, activation);
        INDArray s = p.sum(true, 1);
        INDArray q = p.divColumnVector(s);
        INDArray inRange = inClipRange(q);
        INDArray c = clip(q);
        INDArray dq = labels.div(c).negi().muli(inRange);                 // dL/dq
        INDArray dot = dq.mul(p).sum(true, 1);                             // Σ_i dq_i p_i
        INDArray dp = dq.diviColumnVector(s).subiColumnVector(dot.divi(s.mul(s)));
        return backprop(preOutput, activation, dp);
    }

    static INDArray logSumExp(INDArray z) {
        INDArray max = z.max(true, 1);
        return Transforms.log(Transforms.exp(z.subColumnVector(max), false).sum(true, 1), false).addi(max);
    }

    static INDArray softmax(INDArray z) {
        INDArray e = Transforms.exp(z.subColumnVector(z.max(true, 1)), false);
        return e.diviColumnVector(e.sum(true, 1));
    }
}
