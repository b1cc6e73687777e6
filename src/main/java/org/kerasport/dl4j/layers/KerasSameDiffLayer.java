package org.kerasport.dl4j.layers;

import java.util.Collection;
import java.util.Map;
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
        KerasSameDiffLayerImpl ret = new KerasSameDiffLayerImpl(conf, networkDataType);
        ret.setListeners(listeners);
        ret.setIndex(layerIndex);
        ret.setParamsViewArray(layerParamsView);
        Map<String, INDArray> paramTable = initializer().init(conf, layerParamsView, initializeParams);
        ret.setParamTable(paramTable);
        ret.setConf(conf);
        return ret;
    }
}
