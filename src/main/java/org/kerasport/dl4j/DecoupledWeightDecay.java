package org.kerasport.dl4j;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * Keras optimizer {@code weight_decay} (AdamW and every Keras 3 optimizer): w ← w − lr·wd·w before the update, with
 * the learning rate of the current step, on every trainable variable (biases included), and nothing added to the
 * loss. Applied after DL4J's updater computed the update (which does not read w), it adds lr·wd·w to the update,
 * so w₁ = w₀·(1 − lr·wd) − lr·u, as Keras. Unlike DL4J's {@code WeightDecay} it adds nothing to the score: Keras'
 * reported loss does not include it.
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

    @Override
    public void apply(INDArray param, INDArray gradView, double lr, int iteration, int epoch) {
        gradView.addi(param.mul(lr * coefficient));
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
