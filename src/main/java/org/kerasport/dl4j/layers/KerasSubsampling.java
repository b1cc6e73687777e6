package org.kerasport.dl4j.layers;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's SubsamplingLayer (2-D pooling) whose max pooling can take over the ReLU of the convolution before it
 * ({@link KerasSubsamplingImpl}); the same configuration, so everything that handles a {@link SubsamplingLayer}
 * handles this one.
 */
public class KerasSubsampling extends SubsamplingLayer {
    public KerasSubsampling() {
    }

    /** The same layer configuration as {@code c}, every field copied (through DL4J's own JSON form). */
    public static KerasSubsampling of(SubsamplingLayer c) {
        return ConfCopy.as(c, KerasSubsampling.class);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners, int layerIndex,
                             INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        return ConfCopy.init(new KerasSubsamplingImpl(conf, networkDataType), this, conf, trainingListeners, layerIndex, layerParamsView,
                initializeParams);
    }
}
