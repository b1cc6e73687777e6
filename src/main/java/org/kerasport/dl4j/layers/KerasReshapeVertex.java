package org.kerasport.dl4j.layers;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.kerasport.dl4j.InputTypes;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A C-order reshape of each example (Keras {@code Reshape}/{@code Flatten} semantics), whose output type is the
 * channels-last Keras layout: 1 axis feed-forward, 2 axes (steps, channels) recurrent NWC, 3 axes (h, w, c) CNN NHWC,
 * 4 axes (d, h, w, c) CNN3D NDHWC. DL4J's own ReshapeVertex reports NCW/NCHW types, which mislead the layers after it.
 * One target dimension may be -1 (inferred from the input size, e.g. a free time axis). With {@code rows}, every
 * axis but the last goes into the batch axis: (n, ..., c) → (n·..., c), for layers whose statistics run over all
 * positions (BatchNormalization); a target without -1 then splits such rows back: batch = size / Π target.
 */
public class KerasReshapeVertex extends ParamFreeVertex {
    private long[] target;
    private boolean rows;

    public KerasReshapeVertex() {
    }

    /** @param target the output shape without the batch axis; at most one -1 */
    public KerasReshapeVertex(@JsonProperty("target") long[] target) {
        this.target = target;
    }

    /** (n, ..., c) → (n·..., c) */
    public static KerasReshapeVertex rows(long channels) {
        KerasReshapeVertex v = new KerasReshapeVertex(new long[]{channels});
        v.rows = true;
        return v;
    }

    public boolean isRows() {
        return rows;
    }

    public void setRows(boolean rows) {
        this.rows = rows;
    }

    public long[] getTarget() {
        return target;
    }

    public void setTarget(long[] target) {
        this.target = target;
    }

    @Override
    public KerasReshapeVertex clone() {
        KerasReshapeVertex v = new KerasReshapeVertex(target.clone());
        v.rows = rows;
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KerasReshapeVertex v && Arrays.equals(v.target, target) && v.rows == rows;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(target) * 31 + (rows ? 1 : 0);
    }




    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        return new KerasReshapeVertexImpl(graph, name, idx, target, rows, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
        Long[] shape = new Long[target.length + 1];
        for (int i = 0; i < target.length; i++) shape[i + 1] = target[i] < 0 ? null : target[i];
        return InputTypes.channelsLast(shape);
    }

}
