package org.kerasport.dl4j.layers;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Moves a 4-D image between Keras's channels-last layout (NHWC) and channels-first (NCHW), the layout in which DL4J's
 * oneDNN convolution and pooling paths compute correctly and fast ({@link org.kerasport.dl4j.runtime.Backend}). The values
 * are the Keras tensor's either way; only the order of the axes in memory changes. The error flows back through the
 * inverse permutation.
 */
public class ChannelsOrderVertex extends ParamFreeVertex {
    private boolean toChannelsFirst;

    public ChannelsOrderVertex() {
    }

    public ChannelsOrderVertex(@JsonProperty("toChannelsFirst") boolean toChannelsFirst) {
        this.toChannelsFirst = toChannelsFirst;
    }

    public boolean isToChannelsFirst() {
        return toChannelsFirst;
    }

    public void setToChannelsFirst(boolean toChannelsFirst) {
        this.toChannelsFirst = toChannelsFirst;
    }

    @Override
    public ChannelsOrderVertex clone() {
        return new ChannelsOrderVertex(toChannelsFirst);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelsOrderVertex v && v.toChannelsFirst == toChannelsFirst;
    }

    @Override
    public int hashCode() {
        return toChannelsFirst ? 1 : 2;
    }




    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        return new ChannelsOrderVertexImpl(graph, name, idx, toChannelsFirst, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
        if (!(vertexInputs[0] instanceof InputType.InputTypeConvolutional c))
            throw new IllegalArgumentException("ChannelsOrderVertex needs a 2-D image input, got " + vertexInputs[0]);
        return InputType.convolutional(c.getHeight(), c.getWidth(), c.getChannels(),
                toChannelsFirst ? CNN2DFormat.NCHW : CNN2DFormat.NHWC);
    }

}
