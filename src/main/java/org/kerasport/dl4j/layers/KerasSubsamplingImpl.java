package org.kerasport.dl4j.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.kerasport.dl4j.activation.KerasReLU;

/**
 * Runtime side of {@link KerasSubsampling}. A max pooling whose input is a ReLU convolution's alone
 * ({@link #reluAfter}, set by {@link org.kerasport.dl4j.GraphPasses#attachHelpers} together with the convolution's
 * {@link KerasConvolution2DImpl#reluDeferred}) trains as maxpool then ReLU on the convolution's z: the same values and
 * gradients as ReLU then maxpool, on a quarter of the elements (2×2 windows). Max pooling commutes with any
 * non-decreasing function, and the gradients agree too: where a window's maximum is positive the maximal cells of z
 * and of relu(z) are the same cells, so TensorFlow's first-maximum rule picks the same one; where it is not, both
 * give the window zero (ReLU's gradient at z ≤ 0 is 0). Applying the ReLU again to an input that already had it
 * changes nothing, so this layer is right whether or not the convolution deferred it. Inference runs unchanged.
 */
public class KerasSubsamplingImpl extends SubsamplingLayer {
    private static final KerasReLU RELU = new KerasReLU();
    private boolean reluAfter;
    private INDArray pooled;

    public KerasSubsamplingImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    public boolean reluAfter() {
        return reluAfter;
    }

    /** True when this max pooling applies the preceding convolution's ReLU in training passes. */
    public void reluAfter(boolean after) {
        reluAfter = after;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        pooled = null;
        if (!reluAfter || !training) return super.activate(training, workspaceMgr);
        pooled = super.activate(true, workspaceMgr);
        return KerasReLU.activationKeepingInput(RELU, pooled, workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (pooled == null) return super.backpropGradient(epsilon, workspaceMgr);
        try {
            return super.backpropGradient(RELU.backprop(pooled, epsilon).getFirst(), workspaceMgr);
        } finally {
            pooled = null;
        }
    }

    @Override
    public void clear() {
        super.clear();
        pooled = null;
    }
}
