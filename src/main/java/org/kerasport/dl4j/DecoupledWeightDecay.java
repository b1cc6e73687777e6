package org.kerasport.dl4j;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * Keras optimizer {@code weight_decay} (AdamW and every Keras 3 optimizer): w ← w − lr·wd·w before the update, with
 * the learning rate of the current step, on every trainable variable (biases included), and nothing added to the
 * loss. DL4J calls it after its updater computed the update (which never reads w) and before it subtracts the update,
 * so shrinking w in place here gives w₁ = (w₀ − w₀·wd·lr) − u, Keras' float32 operations in Keras' order. Unlike
 * DL4J's {@code WeightDecay} it adds nothing to the score (Keras' reported loss does not include it), and it is set
 * per layer: DL4J 1.0.0-M2.1 applies a globally configured regularization twice.
 */
public class DecoupledWeightDecay implements Regularization {
    @JsonProperty
    private double coefficient;

    public DecoupledWeightDecay() {
    }

    public DecoupledWeightDecay(double coefficient) {
        this.coefficient = coefficient;
    }

    public double getCoefficient() {
        return coefficient;
    }

    @Override
    public ApplyStep applyStep() {
        return ApplyStep.POST_UPDATER;
    }

    /** Shrinks the parameters in place, as Keras does, in float32 and Keras' order: w ← w − (w·wd)·lr. */
    @Override
    public void apply(INDArray param, INDArray gradView, double lr, int iteration, int epoch) {
        param.subi(param.mul((float) coefficient).muli((float) lr));
    }

    @Override
    public double score(INDArray param, int iteration, int epoch) {
        return 0.0;
    }

    @Override
    public Regularization clone() {
        return new DecoupledWeightDecay(coefficient);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DecoupledWeightDecay d && d.coefficient == coefficient;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(coefficient);
    }

    @Override
    public String toString() {
        return "DecoupledWeightDecay(" + coefficient + ")";
    }
}
