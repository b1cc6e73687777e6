package org.kerasport.dl4j.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.BaseGraphVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Runtime side of {@link ChannelsOrderVertex}: a permuted C-order copy forward, the inverse one backward. */
public class ChannelsOrderVertexImpl extends BaseGraphVertex {
    private static final int[] TO_NCHW = {0, 3, 1, 2}, TO_NHWC = {0, 2, 3, 1};
    private final boolean toChannelsFirst;

    public ChannelsOrderVertexImpl(ComputationGraph graph, String name, int vertexIndex, boolean toChannelsFirst,
                                   DataType dataType) {
        super(graph, name, vertexIndex, null, null, dataType);
        this.toChannelsFirst = toChannelsFirst;
    }

    @Override
    public boolean hasLayer() {
        return false;
    }

    @Override
    public Layer getLayer() {
        return null;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoForward()) throw new IllegalStateException("Cannot do forward pass: inputs not set");
        return workspaceMgr.dup(ArrayType.ACTIVATIONS, inputs[0].permute(toChannelsFirst ? TO_NCHW : TO_NHWC), 'c');
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoBackward()) throw new IllegalStateException("Cannot do backward pass: errors not set");
        INDArray back = epsilon.permute(toChannelsFirst ? TO_NHWC : TO_NCHW);
        return new Pair<>(null, new INDArray[]{workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, back, 'c')});
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray backpropGradientsViewArray) {
        if (backpropGradientsViewArray != null) throw new IllegalStateException("ChannelsOrderVertex has no parameters");
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState, int minibatchSize) {
        if (maskArrays == null || maskArrays.length == 0) return new Pair<>(null, currentMaskState);
        return new Pair<>(maskArrays[0], currentMaskState);
    }

    @Override
    public String toString() {
        return "ChannelsOrderVertex(" + getVertexName() + (toChannelsFirst ? ", NHWC->NCHW)" : ", NCHW->NHWC)");
    }
}
