package org.kerasport.dl4j.layers;

import java.util.Collection;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras {@code UpSampling2D(interpolation="bilinear")} on NHWC input: each spatial axis is resized by an integer
 * factor with linear interpolation, as tf.image.resize does: half-pixel centres (Keras 3, tf.keras 2.x) or, for
 * the multi-backend Keras that used TF1's resize_bilinear, source = destination / factor. Being linear, the layer is
 * two small interpolation matrices (one per axis); backprop multiplies by their transposes.
 */
public class BilinearUpsampling2D extends KerasNoParamLayer {
    private int[] size;
    private boolean halfPixelCenters = true;

    public BilinearUpsampling2D() {
    }

    public BilinearUpsampling2D(String name, int[] size, boolean halfPixelCenters) {
        this.layerName = name;
        this.size = size;
        this.halfPixelCenters = halfPixelCenters;
    }

    public int[] getSize() {
        return size;
    }

    public void setSize(int[] size) {
        this.size = size;
    }

    public boolean isHalfPixelCenters() {
        return halfPixelCenters;
    }

    public void setHalfPixelCenters(boolean halfPixelCenters) {
        this.halfPixelCenters = halfPixelCenters;
    }

    /** The (out × in) matrix interpolating one axis. */
    public static float[][] weights(int in, int factor, boolean halfPixel) {
        int out = in * factor;
        float[][] w = new float[out][in];
        float scale = (float) in / out;
        for (int o = 0; o < out; o++) {
            float src = halfPixel ? (o + 0.5f) * scale - 0.5f : o * scale;
            float f = (float) Math.floor(src);
            int lo = (int) Math.max(f, 0), hi = (int) Math.min(Math.ceil(src), in - 1);
            float lerp = src - f;
            w[o][lo] += 1 - lerp;
            w[o][hi] += lerp;
        }
        return w;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                                       int layerIndex, INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        return Wiring.wire(new BilinearUpsampling2DImpl(conf, networkDataType), conf, listeners, layerIndex, layerParamsView, initializeParams,
                initializer());
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        InputType.InputTypeConvolutional c = (InputType.InputTypeConvolutional) inputType;
        return InputType.convolutional(c.getHeight() * size[0], c.getWidth() * size[1], c.getChannels(), CNN2DFormat.NHWC);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BilinearUpsampling2D b && super.equals(o) && java.util.Arrays.equals(b.size, size)
                && b.halfPixelCenters == halfPixelCenters;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(super.hashCode(), java.util.Arrays.hashCode(size), halfPixelCenters);
    }
}
