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
 * Keras {@code LayerScale} (keras.applications.convnext): y = x · gamma, gamma one trainable value per channel (last
 * axis). It reuses PReLULayer's configuration for its one parameter "W" of shape (channels); the computation is
 * {@link KerasLayerScaleImpl}.
 */
public class KerasLayerScale extends PReLULayer {
    public KerasLayerScale() {
    }

    public KerasLayerScale(String name, long channels, List<Regularization> regularization) {
        setLayerName(name);
        setInputShape(new long[]{channels});
        setRegularization(regularization);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                                       int layerIndex, INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        return Wiring.wire(new KerasLayerScaleImpl(conf, networkDataType), conf, listeners, layerIndex, layerParamsView,
                initializeParams, initializer());
    }
}
