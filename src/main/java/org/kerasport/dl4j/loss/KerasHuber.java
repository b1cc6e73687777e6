package org.kerasport.dl4j.loss;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Keras {@code huber}: mean(where(|e| ≤ δ, ½e², δ|e| − ½δ²), axis=-1) with e = y_pred − y_true. */
public class KerasHuber extends KerasLoss {
    @JsonProperty
    @org.nd4j.shade.jackson.annotation.JsonProperty // DL4J copies and saves configurations with its shaded Jackson
    private double delta = 1.0;

    public KerasHuber() {
    }

    public KerasHuber(double delta, double weight) {
        super(weight);
        this.delta = delta;
    }

    @Override
    protected INDArray perSample(INDArray labels, INDArray preOutput, IActivation activation) {
        INDArray e = activate(preOutput, activation).subi(labels);
        INDArray abs = Transforms.abs(e, true);
        INDArray small = abs.lte(delta).castTo(e.dataType());
        INDArray quad = e.mul(e).muli(0.5);
        INDArray lin = abs.mul(delta).subi(0.5 * delta * delta);
        INDArray l = quad.muli(small).addi(lin.muli(small.rsub(1.0)));
        return l.mean(true, 1);
    }

    @Override
    protected INDArray gradient(INDArray labels, INDArray preOutput, IActivation activation) {
        INDArray e = activate(preOutput, activation).subi(labels);
        INDArray abs = Transforms.abs(e, true);
        INDArray small = abs.lte(delta).castTo(e.dataType());
        INDArray g = e.mul(small).addi(Transforms.sign(e, true).muli(delta).muli(small.rsub(1.0)));
        return backprop(preOutput, activation, g.muli(1.0 / labels.size(1)));
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && ((KerasHuber) o).delta == delta;
    }

    @Override
    public int hashCode() {
        return super.hashCode() * 31 + Double.hashCode(delta);
    }
}
