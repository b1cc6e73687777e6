package org.kerasport.dl4j.loss;

import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Keras {@code sparse_categorical_crossentropy} (TF backend) with integer class labels of shape [batch, 1]. After a
 * softmax or with from_logits: sparse softmax crossentropy on the logits. Otherwise the probabilities are clipped to
 * [1e-7, 1 − 1e-7] and their logarithms used as logits, as TF's backend does.
 */
public class KerasSparseCategoricalCrossentropy extends KerasCrossentropy {
    public KerasSparseCategoricalCrossentropy() {
    }

    public KerasSparseCategoricalCrossentropy(boolean fromLogits, double weight) {
        super(fromLogits, weight);
    }

    private INDArray oneHot(INDArray labels, long classes, INDArray like) {
        INDArray oh = Nd4j.zeros(like.dataType(), labels.size(0), classes);
        for (long i = 0; i < labels.size(0); i++) oh.putScalar(i, (long) labels.getDouble(i, 0), 1.0);
        return oh;
    }

    /** The logits the TF backend uses, and whether they came straight from preOutput. */
    private INDArray logits(INDArray preOutput, IActivation a) {
        if (a instanceof ActivationSoftmax) return preOutput.dup();
        INDArray out = activate(preOutput, a);
        if (fromLogits) return out;
        return Transforms.log(clip(out), false);
    }

    @Override
    protected INDArray perSample(INDArray labels, INDArray preOutput, IActivation activation) {
        INDArray z = logits(preOutput, activation);
        INDArray oh = oneHot(labels, z.size(1), z);
        return KerasCategoricalCrossentropy.logSumExp(z).subi(oh.muli(z).sum(true, 1));
    }

    @Override
    protected INDArray gradient(INDArray labels, INDArray preOutput, IActivation activation) {
        INDArray z = logits(preOutput, activation);
        INDArray dz = KerasCategoricalCrossentropy.softmax(z).subi(oneHot(labels, z.size(1), z));
        if (activation instanceof ActivationSoftmax) return dz;
        if (fromLogits) return backprop(preOutput, activation, dz);
        INDArray p = activate(preOutput, activation);
        return backprop(preOutput, activation, dz.divi(clip(p)).muli(inClipRange(p)));
    }
}
