package org.kerasport.dl4j.layers;

import java.util.Arrays;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * A Keras preprocessing layer on numbers ({@link KerasPreprocessing}: CategoryEncoding, Discretization, IntegerLookup,
 * Hashing of ids) inside the DL4J graph. Its input is ids or raw values, not a differentiable quantity: the error it
 * passes back is zero, as Keras' integer outputs have no gradient.
 */
public class KerasPreprocessVertex extends ParamFreeVertex {
    @JsonProperty
    private KerasPreprocessing layer;
    /** The output shape without the batch axis. */
    @JsonProperty
    private long[] outShape;

    public KerasPreprocessVertex() {
    }

    public KerasPreprocessVertex(KerasPreprocessing layer, long[] outShape) {
        this.layer = layer;
        this.outShape = outShape;
    }

    public KerasPreprocessing getLayer() {
        return layer;
    }

    @Override
    public KerasPreprocessVertex clone() {
        return new KerasPreprocessVertex(layer, outShape.clone());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KerasPreprocessVertex v && v.layer == layer && Arrays.equals(v.outShape, outShape);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(outShape);
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        return new KerasPreprocessVertexImpl(graph, name, idx, layer, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
        return KerasTensorOp.typeOf(outShape);
    }
}
