package org.kerasport.dl4j.layers;

import java.util.Collection;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Base of Kerasport's SameDiff layers: they run on {@link KerasSameDiffLayerImpl}, which fixes DL4J 1.0.0-M2.1's
 * SameDiff runtime (regularization left out of the score, gradients doubled). Both checked against Keras training
 * trajectories (AttentionKerasTest, the reg_rnn cases).
 */
public abstract class KerasSameDiffLayer extends SameDiffLayer {
    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                                       int layerIndex, INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        return Wiring.wire(new KerasSameDiffLayerImpl(conf, networkDataType), conf, listeners, layerIndex, layerParamsView, initializeParams,
                initializer());
    }
}
