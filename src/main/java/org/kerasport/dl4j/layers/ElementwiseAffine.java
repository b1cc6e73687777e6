package org.kerasport.dl4j.layers;

import java.util.Arrays;
import java.util.Collection;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * y = ((x − center) / divisor) · scale + offset with constants per channel (last axis; length 1 = every channel),
 * computed in float32 in that order, steps whose constants are neutral skipped. Keras {@code Rescaling}
 * (x·scale + offset) and {@code Normalization} ((x − mean) / max(√variance, 1e-7)).
 */
public class ElementwiseAffine extends KerasNoParamLayer {
    private float[] center;
    private float[] divisor;
    private float[] scale;
    private float[] offset;

    public ElementwiseAffine() {
    }

    public ElementwiseAffine(String name, float[] center, float[] divisor, float[] scale, float[] offset) {
        this.layerName = name;
        this.center = center;
        this.divisor = divisor;
        this.scale = scale;
        this.offset = offset;
    }

    public float[] getCenter() {
        return center;
    }

    public void setCenter(float[] center) {
        this.center = center;
    }

    public float[] getDivisor() {
        return divisor;
    }

    public void setDivisor(float[] divisor) {
        this.divisor = divisor;
    }

    public float[] getScale() {
        return scale;
    }

    public void setScale(float[] scale) {
        this.scale = scale;
    }

    public float[] getOffset() {
        return offset;
    }

    public void setOffset(float[] offset) {
        this.offset = offset;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                                       int layerIndex, INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        return Wiring.wire(new ElementwiseAffineImpl(conf, networkDataType), conf, listeners, layerIndex, layerParamsView, initializeParams,
                initializer());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ElementwiseAffine a && super.equals(o) && Arrays.equals(a.center, center)
                && Arrays.equals(a.divisor, divisor) && Arrays.equals(a.scale, scale) && Arrays.equals(a.offset, offset);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(super.hashCode(), Arrays.hashCode(center), Arrays.hashCode(divisor),
                Arrays.hashCode(scale), Arrays.hashCode(offset));
    }
}
