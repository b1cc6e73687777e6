package org.kerasport.dl4j.layers;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * A SameDiff layer of several Keras input tensors. DL4J layers have one input: with one distinct tensor it is that
 * tensor as Keras lays it out; with several, the mapper flattens each to (B, size) and concatenates them (B, Σ size)
 * in the order of {@link #shapes} ({@code TextAttentionMappers.pack}); {@link #unpack} takes them apart again.
 */
public abstract class KerasPackedInputsLayer extends KerasSameDiffLayer {
    /** Non-batch Keras shape of each distinct input tensor, in packing order. */
    @JsonProperty
    protected long[][] shapes;
    /** Non-batch Keras shape of the output. */
    @JsonProperty
    protected long[] outShape;

    /** The distinct input tensors with their Keras shapes (batch axis first). */
    protected SDVariable[] unpack(SameDiff sd, SDVariable x) {
        SDVariable[] in = new SDVariable[shapes.length];
        if (shapes.length == 1) {
            in[0] = x;
            return in;
        }
        long off = 0;
        for (int i = 0; i < in.length; i++) {
            long n = 1;
            for (long d : shapes[i]) n *= d;
            long[] s = new long[shapes[i].length + 1];
            s[0] = -1;
            System.arraycopy(shapes[i], 0, s, 1, shapes[i].length);
            in[i] = sd.reshape(x.get(SDIndex.all(), SDIndex.interval(off, off + n)), s);
            off += n;
        }
        return in;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        Long[] s = new Long[outShape.length + 1];
        for (int i = 0; i < outShape.length; i++) s[i + 1] = outShape[i];
        return org.kerasport.dl4j.InputTypes.channelsLast(s);
    }
}
