package org.kerasport.dl4j.layers;

import java.util.Collection;
import java.util.Objects;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The Keras layers that are the identity at inference and draw a random transform per sample in training
 * ({@link KerasRandomTransformImpl}): {@code StochasticDepth} (keras.applications.convnext: drop the whole residual
 * branch of a sample with probability {@code rate}, scale the kept ones by 1/(1 − rate)), {@code RandomFlip},
 * {@code RandomContrast}, {@code RandomBrightness}, {@code RandomRotation}, {@code RandomZoom},
 * {@code RandomTranslation} (affine resampling as {@link ImageSampling}) and {@code RandomCrop} (channels-last images,
 * as Keras' image preprocessing layers compute them). RandomCrop is the identity at inference as in Keras 3 (which
 * crops only in training), so its training output is smaller than its input: the layers after it must not depend on
 * the image size (as in Keras, where a model whose later layers do fails at inference). The draws come from ND4J's random generator, which fine-tuning seeds from {@code --seed}: the same
 * distribution as Keras, not the same numbers (Keras' own streams differ per backend).
 */
public class KerasRandomTransform extends KerasNoParamLayer {
    public static final String STOCHASTIC_DEPTH = "StochasticDepth", FLIP = "RandomFlip", CONTRAST = "RandomContrast",
            BRIGHTNESS = "RandomBrightness", ROTATION = "RandomRotation", ZOOM = "RandomZoom",
            TRANSLATION = "RandomTranslation", CROP = "RandomCrop";

    private String kind;
    /** StochasticDepth: the drop rate. */
    private double rate;
    /** RandomFlip: flip along the width axis / the height axis (both with the same draw, as Keras). */
    private boolean horizontal;
    private boolean vertical;
    /** RandomContrast: factor drawn in [1 − lower, 1 + upper]; RandomBrightness: delta in [lower, upper]·(range). */
    private double lower;
    private double upper;
    private double rangeLow;
    private double rangeHigh;
    /** Rotation: factor (lower, upper) in turns in lower/upper. Zoom, translation: height factor in lower/upper, width
     *  factor in widthLower/widthUpper, or {@code sameDraw} (zoom without width_factor: one draw for both). */
    private double widthLower;
    private double widthUpper;
    private boolean sameDraw;
    private String fillMode;
    private String interpolation;
    private double fillValue;
    /** RandomCrop: the target size. */
    private int cropHeight;
    private int cropWidth;

    public KerasRandomTransform() {
    }

    public static KerasRandomTransform stochasticDepth(String name, double rate) {
        KerasRandomTransform t = new KerasRandomTransform(name, STOCHASTIC_DEPTH);
        t.rate = rate;
        return t;
    }

    public static KerasRandomTransform flip(String name, boolean horizontal, boolean vertical) {
        KerasRandomTransform t = new KerasRandomTransform(name, FLIP);
        t.horizontal = horizontal;
        t.vertical = vertical;
        return t;
    }

    /** kind CONTRAST or BRIGHTNESS; factor bounds as Keras stores them; the clipping value range. */
    public static KerasRandomTransform intensity(String name, String kind, double lower, double upper, double rangeLow, double rangeHigh) {
        KerasRandomTransform t = new KerasRandomTransform(name, kind);
        t.lower = lower;
        t.upper = upper;
        t.rangeLow = rangeLow;
        t.rangeHigh = rangeHigh;
        return t;
    }

    /**
     * kind ROTATION (lower, upper in turns; the width bounds unused), ZOOM (height factor bounds, width factor bounds
     * or sameDraw) or TRANSLATION (height and width factor bounds), resampled with the fill mode, interpolation and
     * fill value as Keras' affine_transform.
     */
    public static KerasRandomTransform affine(String name, String kind, double lower, double upper, double widthLower,
                                              double widthUpper, boolean sameDraw, String fillMode, String interpolation,
                                              double fillValue) {
        KerasRandomTransform t = new KerasRandomTransform(name, kind);
        t.lower = lower;
        t.upper = upper;
        t.widthLower = widthLower;
        t.widthUpper = widthUpper;
        t.sameDraw = sameDraw;
        t.fillMode = fillMode;
        t.interpolation = interpolation;
        t.fillValue = fillValue;
        return t;
    }

    public static KerasRandomTransform crop(String name, int height, int width) {
        KerasRandomTransform t = new KerasRandomTransform(name, CROP);
        t.cropHeight = height;
        t.cropWidth = width;
        return t;
    }

    private KerasRandomTransform(String name, String kind) {
        this.layerName = name;
        this.kind = kind;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                                       int layerIndex, INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        return Wiring.wire(new KerasRandomTransformImpl(conf, networkDataType), conf, listeners, layerIndex, layerParamsView,
                initializeParams, initializer());
    }

    public String getKind() {
        return kind;
    }

    public void setKind(String kind) {
        this.kind = kind;
    }

    public double getRate() {
        return rate;
    }

    public void setRate(double rate) {
        this.rate = rate;
    }

    public boolean isHorizontal() {
        return horizontal;
    }

    public void setHorizontal(boolean horizontal) {
        this.horizontal = horizontal;
    }

    public boolean isVertical() {
        return vertical;
    }

    public void setVertical(boolean vertical) {
        this.vertical = vertical;
    }

    public double getLower() {
        return lower;
    }

    public void setLower(double lower) {
        this.lower = lower;
    }

    public double getUpper() {
        return upper;
    }

    public void setUpper(double upper) {
        this.upper = upper;
    }

    public double getRangeLow() {
        return rangeLow;
    }

    public void setRangeLow(double rangeLow) {
        this.rangeLow = rangeLow;
    }

    public double getRangeHigh() {
        return rangeHigh;
    }

    public void setRangeHigh(double rangeHigh) {
        this.rangeHigh = rangeHigh;
    }

    public double getWidthLower() {
        return widthLower;
    }

    public void setWidthLower(double widthLower) {
        this.widthLower = widthLower;
    }

    public double getWidthUpper() {
        return widthUpper;
    }

    public void setWidthUpper(double widthUpper) {
        this.widthUpper = widthUpper;
    }

    public boolean isSameDraw() {
        return sameDraw;
    }

    public void setSameDraw(boolean sameDraw) {
        this.sameDraw = sameDraw;
    }

    public String getFillMode() {
        return fillMode;
    }

    public void setFillMode(String fillMode) {
        this.fillMode = fillMode;
    }

    public String getInterpolation() {
        return interpolation;
    }

    public void setInterpolation(String interpolation) {
        this.interpolation = interpolation;
    }

    public double getFillValue() {
        return fillValue;
    }

    public void setFillValue(double fillValue) {
        this.fillValue = fillValue;
    }

    public int getCropHeight() {
        return cropHeight;
    }

    public void setCropHeight(int cropHeight) {
        this.cropHeight = cropHeight;
    }

    public int getCropWidth() {
        return cropWidth;
    }

    public void setCropWidth(int cropWidth) {
        this.cropWidth = cropWidth;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KerasRandomTransform t && super.equals(o) && Objects.equals(kind, t.kind) && rate == t.rate
                && horizontal == t.horizontal && vertical == t.vertical && lower == t.lower && upper == t.upper
                && rangeLow == t.rangeLow && rangeHigh == t.rangeHigh && widthLower == t.widthLower
                && widthUpper == t.widthUpper && sameDraw == t.sameDraw && Objects.equals(fillMode, t.fillMode)
                && Objects.equals(interpolation, t.interpolation) && fillValue == t.fillValue
                && cropHeight == t.cropHeight && cropWidth == t.cropWidth;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), kind, rate, horizontal, vertical, lower, upper, rangeLow, rangeHigh,
                widthLower, widthUpper, sameDraw, fillMode, interpolation, fillValue, cropHeight, cropWidth);
    }
}
