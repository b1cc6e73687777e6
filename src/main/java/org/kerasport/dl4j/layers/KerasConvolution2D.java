package org.kerasport.dl4j.layers;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's ConvolutionLayer whose training forward pass keeps z for the backward pass ({@link KerasConvolution2DImpl});
 * the same configuration and parameters, so everything that handles a {@link ConvolutionLayer} handles this one.
 */
public class KerasConvolution2D extends ConvolutionLayer {
    public KerasConvolution2D() {
    }

    /** The same layer configuration as {@code c}, every field copied (through DL4J's own JSON form). */
    public static KerasConvolution2D of(ConvolutionLayer c) {
        return ConfCopy.as(c, KerasConvolution2D.class);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners, int layerIndex,
                             INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        return ConfCopy.init(new KerasConvolution2DImpl(conf, networkDataType), this, conf, trainingListeners, layerIndex, layerParamsView,
                initializeParams);
    }
}
