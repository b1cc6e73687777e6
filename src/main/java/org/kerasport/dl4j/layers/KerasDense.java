package org.kerasport.dl4j.layers;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's DenseLayer, computed with fewer passes over memory ({@link KerasDenseImpl}): the same configuration,
 * parameters and results, so everything that handles a {@link DenseLayer} handles this one.
 */
public class KerasDense extends DenseLayer {
    public KerasDense() {
    }

    /** The same layer configuration as {@code c}, every field copied (through DL4J's own JSON form). */
    public static KerasDense of(DenseLayer c) {
        return ConfCopy.as(c, KerasDense.class);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners, int layerIndex,
                             INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        return ConfCopy.init(new KerasDenseImpl(conf, networkDataType), this, conf, trainingListeners, layerIndex, layerParamsView,
                initializeParams);
    }
}
