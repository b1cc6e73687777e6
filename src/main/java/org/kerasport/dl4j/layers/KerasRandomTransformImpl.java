package org.kerasport.dl4j.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.Reverse;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Runtime side of {@link KerasRandomTransform}. Inference: the input unchanged. Training: one draw per sample
 * (uniform in [0, 1) from ND4J's generator), applied as Keras' layers apply theirs; the draws of the last forward
 * pass are kept for the backward pass.
 */
public class KerasRandomTransformImpl extends ParamFreeLayerImpl<KerasRandomTransform> {
    /** Per sample: StochasticDepth's kept/dropped, RandomFlip's flipped or not, the contrast factor or brightness delta. */
    private double[] draws;
    /** Contrast/brightness: 1 where the unclipped output lay inside the value range (gradient mask), else 0. */
    private INDArray inside;
    /** Rotation, zoom, translation, crop: per sample the resampling of the last training pass (backward: its adjoint). */
    private ImageSampling.Taps[] taps;
    private long[] inShape;
    /** Per sample the parameters drawn in the last training pass (rotation: degrees; zoom: x, y factors;
     *  translation: dx, dy pixels; crop: top, left), for the tests of their distribution. */
    private double[][] parameters;

    public KerasRandomTransformImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Type type() {
        return Type.FEED_FORWARD;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        KerasRandomTransform c = layerConf();
        taps = null;
        parameters = null;
        if (training && resampling(c.getKind())) return resample(c, mgr);
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(), input.shape(), 'c');
        out.assign(input);
        draws = null;
        inside = null;
        if (!training) return out;
        int n = (int) input.size(0);
        double[] d = new double[n];
        switch (c.getKind()) {
            case KerasRandomTransform.STOCHASTIC_DEPTH -> {
                if (c.getRate() <= 0) return out;
                double keep = 1.0 - c.getRate();
                for (int i = 0; i < n; i++) {
                    d[i] = Math.floor(keep + Nd4j.getRandom().nextDouble()) / keep; // 0, or 1/keep
                    out.slice(i).muli(d[i]);
                }
            }
            case KerasRandomTransform.FLIP -> {
                for (int i = 0; i < n; i++) {
                    d[i] = Nd4j.getRandom().nextDouble() <= 0.5 ? 1 : 0;
                    if (d[i] == 1) flip(out.slice(i), c);
                }
            }
            default -> { // contrast or brightness on channels-last images [n, h, w, c]
                boolean contrast = c.getKind().equals(KerasRandomTransform.CONTRAST);
                for (int i = 0; i < n; i++) {
                    double u = Nd4j.getRandom().nextDouble();
                    INDArray s = out.slice(i);
                    if (contrast) {
                        d[i] = (1.0 - c.getLower()) + u * (c.getUpper() + c.getLower());
                        INDArray mean = s.mean(true, 0, 1); // [1, 1, channels]
                        s.subi(mean.broadcast(s.shape())).muli(d[i]).addi(mean.broadcast(s.shape()));
                    } else {
                        d[i] = (c.getLower() + u * (c.getUpper() - c.getLower())) * (c.getRangeHigh() - c.getRangeLow());
                        s.addi(d[i]);
                    }
                }
                inside = out.gte(c.getRangeLow()).castTo(out.dataType()).muli(out.lte(c.getRangeHigh()).castTo(out.dataType()));
                Transforms.max(out, c.getRangeLow(), false);
                Transforms.min(out, c.getRangeHigh(), false);
            }
        }
        draws = d;
        return out;
    }

    private static boolean resampling(String kind) {
        return switch (kind) {
            case KerasRandomTransform.ROTATION, KerasRandomTransform.ZOOM, KerasRandomTransform.TRANSLATION,
                    KerasRandomTransform.CROP -> true;
            default -> false;
        };
    }

    /** The parameters drawn in the last training pass, per sample (null after an inference pass). */
    public double[][] lastParameters() {
        return parameters;
    }

    /** float32 uniform in [lo, hi) as TensorFlow draws it: u·(hi − lo) + lo with lo, hi cast to float32. */
    private static float uniform(double lo, double hi) {
        float l = (float) lo, h = (float) hi;
        return (float) Nd4j.getRandom().nextDouble() * (h - l) + l;
    }

    /** Channels-last [n, h, w, c]: each sample resampled by its own draw (RandomCrop: one window for the batch). */
    private INDArray resample(KerasRandomTransform c, LayerWorkspaceMgr mgr) {
        long[] s = input.shape();
        int n = (int) s[0], h = (int) s[1], w = (int) s[2], ch = (int) s[3];
        float[] x = input.dup('c').data().asFloat();
        ImageSampling.Taps[] t = new ImageSampling.Taps[n];
        double[][] par = new double[n][];
        boolean bilinear = "bilinear".equals(c.getInterpolation());
        if (c.getKind().equals(KerasRandomTransform.CROP)) {
            ImageSampling.Taps crop = cropTaps(c, h, w, par);
            for (int i = 1; i < n; i++) par[i] = par[0];
            java.util.Arrays.fill(t, crop);
        } else {
            for (int i = 0; i < n; i++) {
                float[] m = new float[8];
                switch (c.getKind()) {
                    case KerasRandomTransform.ROTATION -> {
                        // keras RandomRotation: angle uniform in factor·360 degrees, rotation about the image centre
                        float deg = uniform(c.getLower() * 360.0, c.getUpper() * 360.0);
                        float rad = deg * (float) (Math.PI / 180.0);
                        float cos = (float) Math.cos(rad), sin = (float) Math.sin(rad);
                        float cx = 0.5f * ((float) w - 1f), cy = 0.5f * ((float) h - 1f);
                        m[0] = cos;
                        m[1] = -sin;
                        m[2] = 0f + cx - cx * m[0] - cy * m[1];
                        m[3] = sin;
                        m[4] = cos;
                        m[5] = 0f + cy - cx * m[3] - cy * m[4];
                        par[i] = new double[]{deg};
                    }
                    case KerasRandomTransform.ZOOM -> {
                        // keras RandomZoom: zoom uniform in 1 + factor, about the image centre
                        float zy = uniform(1.0 + c.getLower(), 1.0 + c.getUpper());
                        float zx = c.isSameDraw() ? zy : uniform(1.0 + c.getWidthLower(), 1.0 + c.getWidthUpper());
                        m[0] = zx;
                        m[2] = ((float) w - 1.0f) / 2.0f * (1.0f - zx);
                        m[4] = zy;
                        m[5] = ((float) h - 1.0f) / 2.0f * (1.0f - zy);
                        par[i] = new double[]{zx, zy};
                    }
                    default -> {
                        // keras RandomTranslation: shift uniform in factor·size pixels
                        float dy = uniform(c.getLower(), c.getUpper()) * (float) h;
                        float dx = uniform(c.getWidthLower(), c.getWidthUpper()) * (float) w;
                        m[0] = 1;
                        m[2] = -dx;
                        m[4] = 1;
                        m[5] = -dy;
                        par[i] = new double[]{dx, dy};
                    }
                }
                t[i] = ImageSampling.affine(m, h, w, bilinear, c.getFillMode());
            }
        }
        int oh = t[0].outH(), ow = t[0].outW();
        float[] y = new float[n * oh * ow * ch];
        float fill = (float) c.getFillValue();
        for (int i = 0; i < n; i++) ImageSampling.forward(t[i], x, i * h * w * ch, ch, fill, y, i * oh * ow * ch);
        long[] os = {n, oh, ow, ch};
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(), os, 'c');
        out.assign(Nd4j.create(y, os, 'c').castTo(input.dataType()));
        taps = t;
        inShape = s;
        parameters = par;
        return out;
    }

    /**
     * keras RandomCrop in training: an input larger than the target in both axes gives one random window for the batch
     * (top uniform in 0..h − height, then left in 0..w − width); otherwise the window of the target's size from Keras'
     * centred start, cut at the image's edge and resized (bilinear, half-pixel centres) to the target.
     */
    private static ImageSampling.Taps cropTaps(KerasRandomTransform c, int h, int w, double[][] par) {
        int th = c.getCropHeight(), tw = c.getCropWidth();
        if (h > th && w > tw) {
            int top = Math.min((int) uniform(0, h - th + 1), h - th), left = Math.min((int) uniform(0, w - tw + 1), w - tw);
            par[0] = new double[]{top, left};
            return ImageSampling.crop(w, top, left, th, tw);
        }
        int cropH = Math.max(Math.min(h, (int) ((double) (w * th) / tw)), 1);
        int cropW = Math.max(Math.min(w, (int) ((double) (h * tw) / th)), 1);
        int top = (int) ((double) (h - cropH) / 2), left = (int) ((double) (w - cropW) / 2);
        int sh = Math.min(th, h - top), sw = Math.min(tw, w - left); // Keras slices [top, top + height) past the edge
        par[0] = new double[]{top, left};
        if (sh == th && sw == tw) return ImageSampling.crop(w, top, left, th, tw);
        return ImageSampling.resize(w, top, left, sh, sw, th, tw);
    }

    private static void flip(INDArray sample, KerasRandomTransform c) {
        INDArray s = sample.dup('c');
        if (c.isHorizontal()) s = Nd4j.exec(new Reverse(s, 1))[0]; // [h, w, c]: width
        if (c.isVertical()) s = Nd4j.exec(new Reverse(s, 0))[0];   // height
        sample.assign(s);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        KerasRandomTransform c = layerConf();
        if (taps != null) {
            long[] s = inShape;
            int n = (int) s[0], ch = (int) s[3], inSize = (int) (s[1] * s[2] * ch), outSize = taps[0].outH() * taps[0].outW() * ch;
            float[] go = epsilon.dup('c').data().asFloat(), gi = new float[n * inSize];
            for (int i = 0; i < n; i++) ImageSampling.backward(taps[i], go, i * outSize, ch, gi, i * inSize);
            INDArray g = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, epsilon.dataType(), s, 'c');
            g.assign(Nd4j.create(gi, s, 'c').castTo(epsilon.dataType()));
            return new Pair<>(new DefaultGradient(), g);
        }
        INDArray g = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, epsilon.dataType(), epsilon.shape(), 'c');
        g.assign(epsilon);
        if (draws != null) {
            switch (c.getKind()) {
                case KerasRandomTransform.STOCHASTIC_DEPTH -> {
                    for (int i = 0; i < draws.length; i++) g.slice(i).muli(draws[i]);
                }
                case KerasRandomTransform.FLIP -> {
                    for (int i = 0; i < draws.length; i++) if (draws[i] == 1) flip(g.slice(i), c);
                }
                default -> {
                    g.muli(inside.castTo(g.dataType()));
                    if (c.getKind().equals(KerasRandomTransform.CONTRAST)) {
                        // y = (x − m)·f + m with m the per-channel mean over h, w: dx = f·g + (1 − f)·mean_hw(g)
                        for (int i = 0; i < draws.length; i++) {
                            INDArray s = g.slice(i);
                            INDArray mean = s.mean(true, 0, 1).muli(1.0 - draws[i]);
                            s.muli(draws[i]).addi(mean.broadcast(s.shape()));
                        }
                    }
                }
            }
        }
        return new Pair<>(new DefaultGradient(), g);
    }
}
