package org.kerasport.dl4j.layers;

import java.util.Collection;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras 3's {@code AdaptiveAveragePooling2D/3D} and {@code AdaptiveMaxPooling2D/3D} (1-D as 2-D on (steps, 1)
 * images) on channels-last input: output cell i of a spatial axis of input length L and output length o pools the
 * window [⌊i·L/o⌋, ⌈(i + 1)·L/o⌉) — the windows Keras' TensorFlow backend gathers from its two fixed-size poolings
 * (sizes ⌈L/o⌉ and ⌈L/o⌉ + 1 are the only ones these windows take). Both poolings are separable (the mean or max over
 * a box is the mean or max along each axis in turn), which is how Keras computes them; so does this layer.
 */
public class KerasAdaptivePooling extends KerasNoParamLayer {
    private int[] outputSize;
    private boolean max;

    public KerasAdaptivePooling() {
    }

    public KerasAdaptivePooling(String name, int[] outputSize, boolean max) {
        this.layerName = name;
        this.outputSize = outputSize;
        this.max = max;
    }

    /** Window start of output cell i (axis of length in pooled to out cells). */
    public static int start(int i, int in, int out) {
        return (int) ((long) i * in / out);
    }

    /** Window end (exclusive) of output cell i. */
    public static int end(int i, int in, int out) {
        return (int) Math.min(in, ((long) (i + 1) * in + out - 1) / out);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                                       int layerIndex, INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        return Wiring.wire(new KerasAdaptivePoolingImpl(conf, networkDataType), conf, listeners, layerIndex, layerParamsView, initializeParams,
                initializer());
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (inputType instanceof InputType.InputTypeConvolutional3D c)
            return InputType.convolutional3D(Convolution3D.DataFormat.NDHWC, outputSize[0], outputSize[1], outputSize[2], c.getChannels());
        InputType.InputTypeConvolutional c = (InputType.InputTypeConvolutional) inputType;
        return InputType.convolutional(outputSize[0], outputSize[1], c.getChannels(), CNN2DFormat.NHWC);
    }

    public int[] getOutputSize() { return outputSize; }
    public void setOutputSize(int[] outputSize) { this.outputSize = outputSize; }
    public boolean isMax() { return max; }
    public void setMax(boolean max) { this.max = max; }

    @Override
    public boolean equals(Object o) {
        return o instanceof KerasAdaptivePooling p && super.equals(o) && java.util.Arrays.equals(p.outputSize, outputSize) && p.max == max;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(super.hashCode(), java.util.Arrays.hashCode(outputSize), max);
    }
}
