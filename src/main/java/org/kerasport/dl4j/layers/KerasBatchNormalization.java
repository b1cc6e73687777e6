package org.kerasport.dl4j.layers;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * DL4J's BatchNormalization (variance stored as variance, {@code decay} = Keras momentum) with what Keras needs on
 * top: regularizers on gamma and beta (DL4J never regularizes them), a gamma or beta that Keras does not have
 * ({@code scale=False} / {@code center=False}: fixed at 1 / 0, never trained), and the inference-mode error when the
 * layer is frozen (Keras runs a frozen BatchNormalization in inference mode, so its gradient is gamma/sqrt(var+eps)).
 */
public class KerasBatchNormalization extends BatchNormalization {
    private List<Regularization> regularizationGamma = new ArrayList<>();
    private List<Regularization> regularizationBeta = new ArrayList<>();
    private boolean hasGamma = true;
    private boolean hasBeta = true;

    public KerasBatchNormalization() {
        setUseLogStd(false);
    }

    public List<Regularization> getRegularizationGamma() {
        return regularizationGamma;
    }

    public void setRegularizationGamma(List<Regularization> r) {
        this.regularizationGamma = r;
    }

    public List<Regularization> getRegularizationBeta() {
        return regularizationBeta;
    }

    public void setRegularizationBeta(List<Regularization> r) {
        this.regularizationBeta = r;
    }

    public boolean isHasGamma() {
        return hasGamma;
    }

    public void setHasGamma(boolean hasGamma) {
        this.hasGamma = hasGamma;
    }

    public boolean isHasBeta() {
        return hasBeta;
    }

    public void setHasBeta(boolean hasBeta) {
        this.hasBeta = hasBeta;
    }

    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        return switch (paramName) {
            case BatchNormalizationParamInitializer.GAMMA -> hasGamma ? regularizationGamma : null;
            case BatchNormalizationParamInitializer.BETA -> hasBeta ? regularizationBeta : null;
            default -> null;
        };
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                                       int layerIndex, INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        return Wiring.wire(new KerasBatchNormalizationImpl(conf, networkDataType), conf, listeners, layerIndex, layerParamsView, initializeParams,
                initializer());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KerasBatchNormalization k && super.equals(o) && k.hasGamma == hasGamma && k.hasBeta == hasBeta
                && java.util.Objects.equals(k.regularizationGamma, regularizationGamma)
                && java.util.Objects.equals(k.regularizationBeta, regularizationBeta);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(super.hashCode(), hasGamma, hasBeta, regularizationGamma, regularizationBeta);
    }
}
