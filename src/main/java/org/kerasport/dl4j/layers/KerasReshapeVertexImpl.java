package org.kerasport.dl4j.layers;

import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Runtime side of {@link KerasReshapeVertex}: C-order reshape per example; the error is reshaped back. */
public class KerasReshapeVertexImpl extends ParamFreeVertexImpl {
    private final long[] target;
    private final boolean rows;

    public KerasReshapeVertexImpl(ComputationGraph graph, String name, int vertexIndex, long[] target, boolean rows,
                                  DataType dataType) {
        super(graph, name, vertexIndex, dataType);
        this.target = target;
        this.rows = rows;
    }



    private long[] outShape(INDArray in) {
        long[] s = new long[target.length + 1];
        long prod = 1;
        for (long t : target) prod = t < 0 ? -1 : prod * t;
        if (rows || prod > 0) { // rows: (n·..., c); a fully known target: batch = size / Π target
            s[0] = in.length() / (rows ? target[0] : prod);
            System.arraycopy(target, 0, s, 1, target.length);
            return s;
        }
        s[0] = in.size(0);
        long per = in.length() / Math.max(1, in.size(0)), known = 1;
        int free = -1;
        for (int i = 0; i < target.length; i++) {
            if (target[i] < 0) free = i + 1;
            else known *= target[i];
            s[i + 1] = target[i];
        }
        if (free > 0) s[free] = per / known;
        return s;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoForward()) throw new IllegalStateException("Cannot do forward pass: inputs not set");
        return workspaceMgr.dup(ArrayType.ACTIVATIONS, inputs[0].reshape('c', outShape(inputs[0])));
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoBackward()) throw new IllegalStateException("Cannot do backward pass: errors not set");
        return new Pair<>(null, new INDArray[]{workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, epsilon.reshape('c', inputs[0].shape()))});
    }



    @Override
    public String toString() {
        return "KerasReshapeVertex(" + getVertexName() + ", " + java.util.Arrays.toString(target) + ")";
    }
}
