package org.kerasport.dl4j.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runtime side of {@link KerasConvolution2D}. With a oneDNN helper attached ({@link org.kerasport.dl4j.FastPaths}),
 * DL4J's ConvolutionLayer runs the convolution a second time in every backward pass unless its FF_CACHE workspace
 * holds z, which a ComputationGraph without a cache mode never opens. A training forward pass here keeps a copy
 * of z in the layer's {@code preOutput} field, where DL4J's own backward pass looks for it, for that pass only.
 * Without a helper, or with a mask or dropout on the input, DL4J's path runs unchanged.
 */
public class KerasConvolution2DImpl extends ConvolutionLayer {
    public KerasConvolution2DImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        preOutput = null;
        if (!training || helper == null || helperCountFail > 0 || maskArray != null || layerConf().getIDropout() != null
                || input == null) return super.activate(training, workspaceMgr);
        INDArray z = preOutput(true, false, workspaceMgr).getFirst();
        preOutput = workspaceMgr.dup(ArrayType.ACTIVATIONS, z); // the activation below works in place
        return layerConf().getActivationFn().getActivation(z, true);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        try {
            return super.backpropGradient(epsilon, workspaceMgr);
        } finally {
            preOutput = null;
        }
    }

    @Override
    public void clear() {
        super.clear();
        preOutput = null;
    }
}
