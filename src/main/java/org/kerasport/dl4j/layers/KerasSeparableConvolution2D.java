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

    /** DL4J's layer with the forward pass of one input channel corrected ({@link SeparableConvolution2DLayerImpl}). */
    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(org.deeplearning4j.nn.conf.NeuralNetConfiguration conf,
            java.util.Collection<org.deeplearning4j.optimize.api.TrainingListener> listeners, int layerIndex,
            org.nd4j.linalg.api.ndarray.INDArray layerParamsView, boolean initializeParams,
            org.nd4j.linalg.api.buffer.DataType networkDataType) {
        org.deeplearning4j.nn.conf.layers.LayerValidation.assertNInNOutSet("SeparableConvolution2D", getLayerName(), layerIndex, getNIn(), getNOut());
        SeparableConvolution2DLayerImpl ret = new SeparableConvolution2DLayerImpl(conf, networkDataType);
        ret.setListeners(listeners);
        ret.setIndex(layerIndex);
        ret.setParamsViewArray(layerParamsView);
        ret.setParamTable(initializer().init(conf, layerParamsView, initializeParams));
        ret.setConf(conf);
        return ret;
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
