package org.kerasport.dl4j.layers;

import java.util.Collection;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * DL4J's DenseLayer, computed with fewer passes over memory ({@link KerasDenseImpl}): the same configuration,
 * parameters and results, so everything that handles a {@link DenseLayer} handles this one.
 */
public class KerasDense extends DenseLayer {
    public KerasDense() {
    }

    /** The same layer configuration as {@code d}, every field copied (through DL4J's own JSON form). */
    public static KerasDense of(DenseLayer d) {
        var mapper = NeuralNetConfiguration.mapper();
        ObjectNode tree = mapper.valueToTree(d);
        tree.put("@class", KerasDense.class.getName());
        try {
            return mapper.treeToValue(tree, KerasDense.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot copy the DenseLayer configuration", e);
        }
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners, int layerIndex,
                             INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        KerasDenseImpl ret = new KerasDenseImpl(conf, networkDataType);
        ret.setListeners(trainingListeners);
        ret.setIndex(layerIndex);
        ret.setParamsViewArray(layerParamsView);
        Map<String, INDArray> paramTable = initializer().init(conf, layerParamsView, initializeParams);
        ret.setParamTable(paramTable);
        ret.setConf(conf);
        return ret;
    }
}
