package org.kerasport.dl4j.layers;

import java.util.Arrays;
import java.util.Objects;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.kerasport.dl4j.InputTypes;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * An element-wise or reducing tensor operation as Keras 3 computes it (its operation layers, e.g. the
 * {@code NotEqual}/{@code Any} it saves to compute masks), and the two mask plumbing operations Kerasport adds. Booleans
 * are float 1/0 here (Keras' bool tensors have no gradient: their error is zero). Operations, {@code constant} the
 * number operand and {@code axes} the reduced axes (counted with the batch axis; negative from the end):
 * <ul>
 * <li>{@code not_equal}, {@code equal}, {@code greater}, {@code greater_equal}, {@code less}, {@code less_equal}: x ? c</li>
 * <li>{@code logical_not}: x == 0; {@code cast_bool}: x != 0; {@code cast_int}: truncated toward zero (no gradient);
 *     {@code cast_float}: identity</li>
 * <li>{@code any}, {@code all}: whether any/every element over the axes is non-zero; {@code sum}, {@code mean},
 *     {@code max}, {@code min} over the axes (with gradients; max/min pass the error to every maximal element)</li>
 * <li>{@code append_mask} (two inputs): x [batch, time, f] and mask [batch, time] → [batch, time, f + 1], the mask as
 *     the last feature (a recurrent layer reads it there); the error reaches x only</li>
 * <li>{@code apply_mask} (two inputs): x · mask[..., None] (Keras Masking's output); the error reaches x only</li>
 * </ul>
 */
public class KerasOpVertex extends ParamFreeVertex {
    @JsonProperty
    private String op;
    @JsonProperty
    private double constant;
    @JsonProperty
    private int[] axes;
    @JsonProperty
    private boolean keepDims;
    /** The output shape without the batch axis (-1: free). */
    @JsonProperty
    private long[] outShape;

    public KerasOpVertex() {
    }

    public KerasOpVertex(String op, double constant, int[] axes, boolean keepDims, long[] outShape) {
        this.op = op;
        this.constant = constant;
        this.axes = axes;
        this.keepDims = keepDims;
        this.outShape = outShape;
    }

    public static boolean twoInputs(String op) {
        return op.equals("append_mask") || op.equals("apply_mask");
    }

    public String getOp() {
        return op;
    }

    public double getConstant() {
        return constant;
    }

    public int[] getAxes() {
        return axes;
    }

    public boolean isKeepDims() {
        return keepDims;
    }

    public long[] getOutShape() {
        return outShape;
    }

    @Override
    public int minVertexInputs() {
        return twoInputs(op) ? 2 : 1;
    }

    @Override
    public int maxVertexInputs() {
        return minVertexInputs();
    }

    @Override
    public KerasOpVertex clone() {
        return new KerasOpVertex(op, constant, axes == null ? null : axes.clone(), keepDims, outShape.clone());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KerasOpVertex v && v.op.equals(op) && v.constant == constant && Arrays.equals(v.axes, axes)
                && v.keepDims == keepDims && Arrays.equals(v.outShape, outShape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(op, constant, Arrays.hashCode(axes), keepDims, Arrays.hashCode(outShape));
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        return new KerasOpVertexImpl(graph, name, idx, this, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
        Long[] shape = new Long[outShape.length + 1];
        for (int i = 0; i < outShape.length; i++) shape[i + 1] = outShape[i] < 0 ? null : outShape[i];
        if (shape.length == 2 && shape[1] == null) return InputType.feedForward(-1);
        if (shape.length == 1) return InputType.feedForward(1);
        if (shape.length == 3 && shape[2] == null) return InputType.recurrent(-1, -1, RNNFormat.NWC);
        return InputTypes.channelsLast(shape);
    }
}
