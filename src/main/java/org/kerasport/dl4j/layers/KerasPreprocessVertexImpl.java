package org.kerasport.dl4j.layers;

import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Runtime side of {@link KerasPreprocessVertex}: computed on the host, element by element. */
public class KerasPreprocessVertexImpl extends ParamFreeVertexImpl {
    private final KerasPreprocessing layer;

    public KerasPreprocessVertexImpl(ComputationGraph graph, String name, int vertexIndex, KerasPreprocessing layer, DataType dataType) {
        super(graph, name, vertexIndex, dataType);
        this.layer = layer;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoForward()) throw new IllegalStateException("Cannot do forward pass: inputs not set");
        INDArray x = inputs[0];
        long[] shape = x.shape();
        float[] y = layer.apply(x.dup('c').castTo(DataType.FLOAT).data().asFloat(), shape);
        INDArray out = Nd4j.create(y, layer.outputShape(shape), 'c').castTo(x.dataType());
        return workspaceMgr.dup(ArrayType.ACTIVATIONS, out);
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        INDArray e = Nd4j.zeros(inputs[0].dataType(), inputs[0].shape());
        return new Pair<>(null, new INDArray[]{workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, e)});
    }

    @Override
    public String toString() {
        return "KerasPreprocessVertex(" + getVertexName() + ", " + layer.kind + ")";
    }
}
