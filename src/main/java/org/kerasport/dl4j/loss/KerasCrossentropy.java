package org.kerasport.dl4j.loss;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * What Keras' crossentropies share on the TF backend: the {@code from_logits} flag and the clip of probabilities to
 * [ε, 1 − ε], ε = 1e-7, through which the gradient flows only where the value was not clipped.
 */
public abstract class KerasCrossentropy extends KerasLoss {
    static final double EPS = 1e-7;
    @JsonProperty
    @org.nd4j.shade.jackson.annotation.JsonProperty // DL4J copies and saves configurations with its shaded Jackson
    protected boolean fromLogits;

    protected KerasCrossentropy() {
    }

    protected KerasCrossentropy(boolean fromLogits, double weight) {
        super(weight);
        this.fromLogits = fromLogits;
    }

    /** p clipped to [ε, 1 − ε], as a new array. */
    static INDArray clip(INDArray p) {
        return Transforms.max(Transforms.min(p, 1 - EPS, true), EPS, false);
    }

    /** 1 where p lies inside [ε, 1 − ε] (the clip passes the gradient), else 0. */
    static INDArray inClipRange(INDArray p) {
        return p.gte(EPS).castTo(p.dataType()).muli(p.lte(1 - EPS).castTo(p.dataType()));
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && ((KerasCrossentropy) o).fromLogits == fromLogits;
    }

    @Override
    public int hashCode() {
        return super.hashCode() * 31 + Boolean.hashCode(fromLogits);
    }
}
