package org.kerasport.dl4j.layers;

import java.util.Collection;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keras' image resizing layers on NHWC input, as Keras 3's TensorFlow backend computes them:
 * <ul>
 *   <li>{@code Resizing(height, width, interpolation, crop_to_aspect_ratio)}: optionally the largest centred crop of
 *       the target's aspect ratio (keras.src.backend.tensorflow.image.resize's arithmetic), then
 *       {@code tf.image.resize} without antialias: bilinear with half-pixel centres (source = (o + ½)·in/out − ½,
 *       clamped at the edges) or nearest (source = min(⌊(o + ½)·in/out⌋, in − 1));</li>
 *   <li>{@code CenterCrop(height, width)}: the centred crop (start = (in − out) // 2) when the input is at least the
 *       target on both axes, otherwise {@code smart_resize}: the aspect-ratio crop, then bilinear.</li>
 * </ul>
 * Every case is linear and separable: one (out × in) matrix per axis, y = A_h·x·A_wᵀ per example and channel
 * ({@link BilinearUpsampling2DImpl#resize}); backprop multiplies by the transposes. The scale is computed in float32
 * as TF does.
 */
public class KerasResize2D extends KerasNoParamLayer {
    public enum Kind { RESIZE, CENTER_CROP }

    private Kind kind = Kind.RESIZE;
    private int height;
    private int width;
    private boolean nearest;
    private boolean cropToAspectRatio;

    public KerasResize2D() {
    }

    public KerasResize2D(String name, Kind kind, int height, int width, boolean nearest, boolean cropToAspectRatio) {
        this.layerName = name;
        this.kind = kind;
        this.height = height;
        this.width = width;
        this.nearest = nearest;
        this.cropToAspectRatio = cropToAspectRatio;
    }

    /** The (height matrix, width matrix) for an input of h × w. */
    public float[][][] matrices(int h, int w) {
        if (kind == Kind.CENTER_CROP && h >= height && w >= width)
            return new float[][][]{crop(h, (h - height) / 2, height), crop(w, (w - width) / 2, width)};
        boolean aspect = kind == Kind.CENTER_CROP || cropToAspectRatio;
        int ch = h, cw = w, h0 = 0, w0 = 0;
        if (aspect) { // keras.src.backend.tensorflow.image.resize / image_utils.smart_resize, static sizes
            ch = Math.max(Math.min(h, (int) ((float) (w * height) / width)), 1);
            cw = Math.max(Math.min(w, (int) ((float) (h * width) / height)), 1);
            h0 = (int) ((float) (h - ch) / 2);
            w0 = (int) ((float) (w - cw) / 2);
        }
        boolean nn = kind == Kind.RESIZE && nearest;
        return new float[][][]{interpolate(h, h0, ch, height, nn), interpolate(w, w0, cw, width, nn)};
    }

    /** Rows selecting in[start .. start + out). */
    static float[][] crop(int in, int start, int out) {
        float[][] m = new float[out][in];
        for (int o = 0; o < out; o++) m[o][start + o] = 1f;
        return m;
    }

    /** tf.image.resize of the window in[start .. start + len) to out samples (half-pixel centres, no antialias). */
    static float[][] interpolate(int in, int start, int len, int out, boolean nearestNeighbour) {
        float[][] m = new float[out][in];
        float scale = (float) len / out;
        for (int o = 0; o < out; o++) {
            if (nearestNeighbour) {
                int src = Math.max(0, Math.min((int) Math.floor((o + 0.5f) * scale), len - 1));
                m[o][start + src] = 1f;
                continue;
            }
            float src = (o + 0.5f) * scale - 0.5f;
            float f = (float) Math.floor(src);
            int lo = (int) Math.max(f, 0), hi = (int) Math.min(Math.ceil(src), len - 1);
            float lerp = src - f;
            m[o][start + lo] += 1 - lerp;
            m[o][start + hi] += lerp;
        }
        return m;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                                       int layerIndex, INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        return Wiring.wire(new KerasResize2DImpl(conf, networkDataType), conf, listeners, layerIndex, layerParamsView, initializeParams,
                initializer());
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        InputType.InputTypeConvolutional c = (InputType.InputTypeConvolutional) inputType;
        return InputType.convolutional(height, width, c.getChannels(), CNN2DFormat.NHWC);
    }

    public Kind getKind() { return kind; }
    public void setKind(Kind kind) { this.kind = kind; }
    public int getHeight() { return height; }
    public void setHeight(int height) { this.height = height; }
    public int getWidth() { return width; }
    public void setWidth(int width) { this.width = width; }
    public boolean isNearest() { return nearest; }
    public void setNearest(boolean nearest) { this.nearest = nearest; }
    public boolean isCropToAspectRatio() { return cropToAspectRatio; }
    public void setCropToAspectRatio(boolean cropToAspectRatio) { this.cropToAspectRatio = cropToAspectRatio; }

    @Override
    public boolean equals(Object o) {
        return o instanceof KerasResize2D r && super.equals(o) && r.kind == kind && r.height == height && r.width == width
                && r.nearest == nearest && r.cropToAspectRatio == cropToAspectRatio;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(super.hashCode(), kind, height, width, nearest, cropToAspectRatio);
    }
}
