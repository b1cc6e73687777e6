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
