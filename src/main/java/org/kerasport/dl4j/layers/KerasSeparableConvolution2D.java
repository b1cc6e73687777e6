package org.kerasport.dl4j.layers;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.params.SeparableConvolutionParamInitializer;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * DL4J's SeparableConvolution2D with its own regularizer on the pointwise kernel: DL4J applies one weight
 * regularization to both kernels, Keras has {@code depthwise_regularizer} and {@code pointwise_regularizer}; and its
 * parameter table in memory order (see {@link MemoryOrderParamInitializer}).
 */
public class KerasSeparableConvolution2D extends SeparableConvolution2D {
    private List<Regularization> regularizationPointwise = new ArrayList<>();

    public KerasSeparableConvolution2D() {
    }

    public KerasSeparableConvolution2D(SeparableConvolution2D.Builder builder, List<Regularization> pointwise) {
        super(builder);
        this.regularizationPointwise = pointwise;
    }

    public List<Regularization> getRegularizationPointwise() {
        return regularizationPointwise;
    }

    public void setRegularizationPointwise(List<Regularization> r) {
        this.regularizationPointwise = r;
    }

    /** Parameter table in memory order (see {@link MemoryOrderParamInitializer}). */
    @Override
    public org.deeplearning4j.nn.api.ParamInitializer initializer() {
        return new MemoryOrderParamInitializer(SeparableConvolutionParamInitializer.getInstance(),
                List.of(SeparableConvolutionParamInitializer.BIAS_KEY, SeparableConvolutionParamInitializer.DEPTH_WISE_WEIGHT_KEY,
                        SeparableConvolutionParamInitializer.POINT_WISE_WEIGHT_KEY));
    }

    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        if (SeparableConvolutionParamInitializer.POINT_WISE_WEIGHT_KEY.equals(paramName)) return regularizationPointwise;
        return super.getRegularizationByParam(paramName);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KerasSeparableConvolution2D k && super.equals(o)
                && java.util.Objects.equals(k.regularizationPointwise, regularizationPointwise);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(super.hashCode(), regularizationPointwise);
    }
}
