package org.kerasport.dl4j.layers;

import java.util.Collection;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.PReLULayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * Keras PReLU: x for x &gt; 0, alpha·x otherwise, alpha of the input's shape (batch excluded) with the shared axes of
 * size 1 (DL4J's PReLULayer parameter, "W"). The computation is Kerasport's own ({@link KerasPReLUImpl}): libnd4j's
 * prelu_bp rejects inputs more than 16 times the size of alpha, i.e. any image with shared spatial axes.
 */
public class KerasPReLU extends PReLULayer {
    public KerasPReLU() {
    }

    public KerasPReLU(String name, long[] inputShape, long[] sharedAxes, List<Regularization> regularization) {
        setLayerName(name);
        setInputShape(inputShape);
        setSharedAxes(sharedAxes);
        setRegularization(regularization);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                                       int layerIndex, INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        return Wiring.wire(new KerasPReLUImpl(conf, networkDataType), conf, listeners, layerIndex, layerParamsView, initializeParams,
                initializer());
    }
}
