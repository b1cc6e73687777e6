package org.kerasport.dl4j.layers;

import java.util.Collection;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A Keras {@code activity_regularizer} as a DL4J layer placed on the regularized layer's output: identity forward;
 * in training the penalty l1·Σ|a| + l2·Σa² (divided by the batch size where the writing Keras divides: tf.keras and
 * Keras ≥ 3.14) is added to the score and its gradient to the backpropagated error.
 */
public class ActivityRegularization extends KerasNoParamLayer {
    private double l1;
    private double l2;
    private boolean divideByBatch;

    public ActivityRegularization() {
    }

    public ActivityRegularization(String name, double l1, double l2, boolean divideByBatch) {
        this.layerName = name;
        this.l1 = l1;
        this.l2 = l2;
        this.divideByBatch = divideByBatch;
    }

    public double getL1() {
        return l1;
    }

    public void setL1(double l1) {
        this.l1 = l1;
    }

    public double getL2() {
        return l2;
    }

    public void setL2(double l2) {
        this.l2 = l2;
    }

    public boolean isDivideByBatch() {
        return divideByBatch;
    }

    public void setDivideByBatch(boolean divideByBatch) {
        this.divideByBatch = divideByBatch;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                                       int layerIndex, INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        return Wiring.wire(new ActivityRegularizationImpl(conf, networkDataType), conf, listeners, layerIndex, layerParamsView, initializeParams,
                initializer());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ActivityRegularization a && super.equals(o) && a.l1 == l1 && a.l2 == l2 && a.divideByBatch == divideByBatch;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(super.hashCode(), l1, l2, divideByBatch);
    }
}
