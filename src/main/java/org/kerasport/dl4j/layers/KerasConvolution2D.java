package org.kerasport.dl4j.layers;

import java.util.Collection;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * DL4J's ConvolutionLayer whose training forward pass keeps z for the backward pass ({@link KerasConvolution2DImpl});
 * the same configuration and parameters, so everything that handles a {@link ConvolutionLayer} handles this one.
 */
public class KerasConvolution2D extends ConvolutionLayer {
    public KerasConvolution2D() {
    }

    /** The same layer configuration as {@code c}, every field copied (through DL4J's own JSON form). */
    public static KerasConvolution2D of(ConvolutionLayer c) {
        var mapper = NeuralNetConfiguration.mapper();
        ObjectNode tree = mapper.valueToTree(c);
        tree.put("@class", KerasConvolution2D.class.getName());
        try {
            return mapper.treeToValue(tree, KerasConvolution2D.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot copy the ConvolutionLayer configuration", e);
        }
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners, int layerIndex,
                             INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        KerasConvolution2DImpl ret = new KerasConvolution2DImpl(conf, networkDataType);
        ret.setListeners(trainingListeners);
        ret.setIndex(layerIndex);
        ret.setParamsViewArray(layerParamsView);
        Map<String, INDArray> paramTable = initializer().init(conf, layerParamsView, initializeParams);
        ret.setParamTable(paramTable);
        ret.setConf(conf);
        return ret;
    }
}
