package org.kerasport.dl4j.layers;

import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Runtime side of {@link ChannelsOrderVertex}: a permuted C-order copy forward, the inverse one backward. */
public class ChannelsOrderVertexImpl extends ParamFreeVertexImpl {
    private static final int[] TO_NCHW = {0, 3, 1, 2}, TO_NHWC = {0, 2, 3, 1};
    private final boolean toChannelsFirst;

    public ChannelsOrderVertexImpl(ComputationGraph graph, String name, int vertexIndex, boolean toChannelsFirst,
                                   DataType dataType) {
        super(graph, name, vertexIndex, dataType);
        this.toChannelsFirst = toChannelsFirst;
    }



    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoForward()) throw new IllegalStateException("Cannot do forward pass: inputs not set");
        return workspaceMgr.dup(ArrayType.ACTIVATIONS, inputs[0].permute(toChannelsFirst ? TO_NCHW : TO_NHWC), 'c');
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        // the convolution after a network input computes no input gradient (KerasConvolution2DImpl): nor does this
        if (epsilon == null && inputs != null && inputs[0] != null && inputIsNetworkInput()) return new Pair<>(null, new INDArray[]{null});
        if (!canDoBackward()) throw new IllegalStateException("Cannot do backward pass: errors not set");
        INDArray back = epsilon.permute(toChannelsFirst ? TO_NHWC : TO_NCHW);
        return new Pair<>(null, new INDArray[]{workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, back, 'c')});
    }



    private boolean inputIsNetworkInput() {
        return inputVertices != null && inputVertices.length == 1 && graph.getVertices()[inputVertices[0].getVertexIndex()].isInputVertex();
    }

    @Override
    public String toString() {
        return "ChannelsOrderVertex(" + getVertexName() + (toChannelsFirst ? ", NHWC->NCHW)" : ", NCHW->NHWC)");
    }
}
