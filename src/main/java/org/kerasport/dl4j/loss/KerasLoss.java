package org.kerasport.dl4j.loss;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * A Keras loss as a DL4J {@link ILossFunction}, computed as Keras 3 on TensorFlow computes it: the per-sample loss is
 * the mean over the last axis, the batch loss its mean over the batch ({@code sum_over_batch_size}), times the
 * output's {@code loss_weight}. DL4J hands the loss the pre-activation output and the activation, so a crossentropy
 * after a softmax or sigmoid works on the logits, exactly as Keras' TF backend does ({@code _get_logits}).
 *
 * <p>Subclasses give the per-sample loss of a 2-D [batch, features] output and its gradient with respect to the
 * pre-activation output (not yet divided by the batch size: DL4J's updater divides).
 */
public abstract class KerasLoss implements ILossFunction {
    @JsonProperty
    @org.nd4j.shade.jackson.annotation.JsonProperty // DL4J copies and saves configurations with its shaded Jackson
    protected double weight = 1.0;

    protected KerasLoss() {
    }

    protected KerasLoss(double weight) {
        this.weight = weight;
    }

    public double getWeight() {
        return weight;
    }

    /** Per-sample loss, shape [batch, 1], unweighted. */
    protected abstract INDArray perSample(INDArray labels, INDArray preOutput, IActivation activation);

    /** d(per-sample loss)/d(preOutput), shape of preOutput, unweighted. */
    protected abstract INDArray gradient(INDArray labels, INDArray preOutput, IActivation activation);

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        checkNoMask(mask);
        INDArray s = perSample(labels, preOutput, activationFn);
        return weight == 1.0 ? s : s.muli(weight);
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
        INDArray s = computeScoreArray(labels, preOutput, activationFn, mask);
        double sum = s.sumNumber().doubleValue();
        return average ? sum / s.size(0) : sum;
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        checkNoMask(mask);
        INDArray g = gradient(labels, preOutput, activationFn);
        return weight == 1.0 ? g : g.muli(weight);
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                          INDArray mask, boolean average) {
        return new Pair<>(computeScore(labels, preOutput, activationFn, mask, average),
                computeGradient(labels, preOutput, activationFn, mask));
    }

    /** The activation applied to a copy of the pre-activation output. */
    protected static INDArray activate(INDArray preOutput, IActivation activation) {
        return activation.getActivation(preOutput.dup(), true);
    }

    /** Chain rule through the activation: dL/dpreOut from dL/dout. */
    protected static INDArray backprop(INDArray preOutput, IActivation activation, INDArray dLdOut) {
        return activation.backprop(preOutput.dup(), dLdOut).getFirst();
    }

    private static void checkNoMask(INDArray mask) {
        if (mask != null) throw new UnsupportedOperationException("masked losses are not supported yet");
    }

    @Override
    public String name() {
        return getClass().getSimpleName() + (weight == 1.0 ? "" : "(weight=" + weight + ")");
    }

    @Override
    public String toString() {
        return name();
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && ((KerasLoss) o).weight == weight;
    }

    @Override
    public int hashCode() {
        return getClass().hashCode() * 31 + Double.hashCode(weight);
    }
}
