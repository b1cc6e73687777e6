package org.kerasport.dl4j.layers;

import java.util.Collection;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras {@code ZeroPadding3D} and {@code Cropping3D} on channels-last (NDHWC) input: each spatial axis gets
 * {@code before[i]} and {@code after[i]} zeros (positive) or loses that many cells (negative, cropping). Exact in both
 * directions: the gradient is the matching window of the output gradient. (DL4J's own 3-D padding and cropping layers
 * are channels-first.)
 */
public class KerasSpatialPad extends KerasNoParamLayer {
    private int[] before;
    private int[] after;

    public KerasSpatialPad() {
    }

    public KerasSpatialPad(String name, int[] before, int[] after) {
        this.layerName = name;
        this.before = before;
        this.after = after;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                                       int layerIndex, INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        return Wiring.wire(new KerasSpatialPadImpl(conf, networkDataType), conf, listeners, layerIndex, layerParamsView, initializeParams,
                initializer());
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        InputType.InputTypeConvolutional3D c = (InputType.InputTypeConvolutional3D) inputType;
        return InputType.convolutional3D(Convolution3D.DataFormat.NDHWC, c.getDepth() + before[0] + after[0],
                c.getHeight() + before[1] + after[1], c.getWidth() + before[2] + after[2], c.getChannels());
    }

    public int[] getBefore() { return before; }
    public void setBefore(int[] before) { this.before = before; }
    public int[] getAfter() { return after; }
    public void setAfter(int[] after) { this.after = after; }

    @Override
    public boolean equals(Object o) {
        return o instanceof KerasSpatialPad p && super.equals(o) && java.util.Arrays.equals(p.before, before)
                && java.util.Arrays.equals(p.after, after);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(super.hashCode(), java.util.Arrays.hashCode(before), java.util.Arrays.hashCode(after));
    }
}
