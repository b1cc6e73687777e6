package org.kerasport.dl4j.layers;

import java.util.Arrays;
import java.util.Objects;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.kerasport.dl4j.InputTypes;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The Keras merge layers on activations in Keras layout, any rank: {@code concat} (Concatenate on any axis) and the
 * element-wise {@code add}, {@code subtract}, {@code multiply}, {@code average}, {@code maximum}, {@code minimum} with
 * Keras' broadcasting — an input of lower rank gets size-1 axes inserted after the batch axis until the ranks agree
 * (keras/src/layers/merging/base_merge.py), then NumPy broadcasting, e.g. (h, w, c) × (1, 1, c). Element-wise ops fold
 * left as Keras does (((x0 op x1) op x2) …; the average divides that sum by n), and the gradients are TensorFlow's
 * for each step, summed over the axes a smaller operand was broadcast along; a tie in maximum/minimum sends the
 * gradient to the left operand (TensorFlow's greater_equal/less_equal selector).
 */
public class KerasMergeVertex extends ParamFreeVertex {
    @JsonProperty
    private String op;
    /** Concatenation axis of the Keras tensor (batch axis 0; negative counts from the end). */
    @JsonProperty
    private int axis;
    /** Keras output shape with the batch axis first; -1 for a free axis. */
    @JsonProperty
    private long[] outShape;

    public KerasMergeVertex() {
    }

    public KerasMergeVertex(String op, int axis, long[] outShape) {
        this.op = op;
        this.axis = axis;
        this.outShape = outShape;
    }

    public String getOp() {
        return op;
    }

    public int getAxis() {
        return axis;
    }

    public long[] getOutShape() {
        return outShape;
    }

    @Override
    public KerasMergeVertex clone() {
        return new KerasMergeVertex(op, axis, outShape == null ? null : outShape.clone());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KerasMergeVertex v && Objects.equals(op, v.op) && axis == v.axis && Arrays.equals(outShape, v.outShape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(op, axis, Arrays.hashCode(outShape));
    }

    @Override
    public int maxVertexInputs() {
        return Integer.MAX_VALUE;
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        return new KerasMergeVertexImpl(graph, name, idx, op, axis, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
        Long[] s = new Long[outShape.length];
        for (int i = 0; i < s.length; i++) s[i] = outShape[i] < 0 ? null : outShape[i];
        InputType t = InputTypes.channelsLast(s);
        if (t == null) throw new IllegalArgumentException("KerasMergeVertex: no DL4J type for rank " + s.length);
        return t;
    }

    @Override
    public String toString() {
        return "KerasMergeVertex(" + op + (op.equals("concat") ? ", axis " + axis : "") + ")";
    }
}
