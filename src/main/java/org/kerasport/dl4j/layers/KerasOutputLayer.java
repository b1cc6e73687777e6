package org.kerasport.dl4j.layers;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's OutputLayer (a Keras Dense output carrying its loss), computing its pre-activation once per training step
 * instead of three times ({@link KerasOutputLayerImpl}): the same configuration, parameters and results, so
 * everything that handles an {@link OutputLayer} handles this one.
 */
public class KerasOutputLayer extends OutputLayer {
    public KerasOutputLayer() {
    }

    /** The same layer configuration as {@code c}, every field copied (through DL4J's own JSON form). */
    public static KerasOutputLayer of(OutputLayer c) {
        return ConfCopy.as(c, KerasOutputLayer.class);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners, int layerIndex,
                             INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        LayerValidation.assertNInNOutSet("OutputLayer", getLayerName(), layerIndex, getNIn(), getNOut());
        return ConfCopy.init(new KerasOutputLayerImpl(conf, networkDataType), this, conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }
}
