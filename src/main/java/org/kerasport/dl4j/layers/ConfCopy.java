package org.kerasport.dl4j.layers;

import java.util.Collection;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.layers.AbstractLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/** What Kerasport's subclasses of DL4J layer configurations share: copying a built configuration, instantiating. */
final class ConfCopy {
    private ConfCopy() {
    }

    /** {@code src}'s configuration as a {@code target} (a subclass), every field copied through DL4J's own JSON form. */
    static <T extends Layer> T as(Layer src, Class<T> target) {
        var mapper = NeuralNetConfiguration.mapper();
        ObjectNode tree = mapper.valueToTree(src);
        tree.put("@class", target.getName());
        try {
            return mapper.treeToValue(tree, target);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot copy the " + src.getClass().getSimpleName() + " configuration", e);
        }
    }

    /** The steps of DL4J's own {@code instantiate}, for a layer implementation Kerasport chose. */
    static <L extends AbstractLayer<?>> L init(L ret, Layer confLayer, NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                          int layerIndex, INDArray paramsView, boolean initializeParams) {
        ret.setListeners(listeners);
        ret.setIndex(layerIndex);
        ret.setParamsViewArray(paramsView);
        Map<String, INDArray> paramTable = confLayer.initializer().init(conf, paramsView, initializeParams);
        ret.setParamTable(paramTable);
        ret.setConf(conf);
        return ret;
    }
}
