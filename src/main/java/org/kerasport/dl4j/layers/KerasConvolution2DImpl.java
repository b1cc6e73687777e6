package org.kerasport.dl4j.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.kerasport.dl4j.runtime.Backend;
import org.kerasport.dl4j.NdArrays;

/**
 * Runtime side of {@link KerasConvolution2D}. With a oneDNN helper attached ({@link org.kerasport.dl4j.runtime.Backend}),
 * DL4J's ConvolutionLayer runs the convolution a second time in every backward pass unless its FF_CACHE workspace
 * holds z, which a ComputationGraph without a cache mode never opens. A training forward pass here keeps z in the
 * layer's {@code preOutput} field, where DL4J's own backward pass looks for it, for that pass only; the activation
 * goes to a new array ({@link org.kerasport.dl4j.activation.KerasReLU#activationKeepingInput}), so z needs no copy.
 * Without a helper, or with a mask or dropout on the input, DL4J's path runs unchanged.
 *
 * <p>A convolution fed by the network's input ({@link #inputGradientNeeded} false, set by
 * {@link org.kerasport.dl4j.GraphPasses#attachHelpers}) skips the gradient for its input, which a ComputationGraph
 * discards: ND4J's oneDNN {@code conv2d_bp} always computes it, and on a one-channel image that is most of its
 * time. Its weight and bias gradients are then im2col plus one batched product ({@link ConvWeightGradient}; stride 1,
 * no dilation, no or symmetric padding; otherwise DL4J's path).
 */
public class KerasConvolution2DImpl extends ConvolutionLayer {
    private boolean inputGradientNeeded = true;
    private boolean reluDeferred, deferredThisPass;
    private ConvWeightGradient weightGradient;

    public KerasConvolution2DImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    public boolean inputGradientNeeded() {
        return inputGradientNeeded;
    }

    /** False when nothing uses the gradient for this layer's input (it reads the network's input). */
    public void inputGradientNeeded(boolean needed) {
        inputGradientNeeded = needed;
    }

    public boolean reluDeferred() {
        return reluDeferred;
    }

    /**
     * True when the only layer reading this one's output is a max pooling that applies this layer's ReLU after
     * pooling ({@link KerasSubsamplingImpl#reluAfter}): training passes then hand on z itself.
     */
    public void reluDeferred(boolean deferred) {
        reluDeferred = deferred;
    }

    /**
     * Whether this layer calls ND4J's conv2d/conv2d_bp itself, channels-last, on contiguous arrays (where ND4J's
     * oneDNN ops are right; given strided views they are not, which is what DL4J's NHWC helper does).
     */
    private boolean nhwcOps() {
        var c = layerConf();
        return Backend.nhwcOps() && c.getCnn2dDataFormat() == CNN2DFormat.NHWC && dataType == DataType.FLOAT && input != null
                && input.dataType() == DataType.FLOAT && input.rank() == 4 && maskArray == null && c.getIDropout() == null
                && c.getWeightNoise() == null && weightNoiseParams.isEmpty() && c.getDilation()[0] == 1 && c.getDilation()[1] == 1
                && (c.getConvolutionMode() == ConvolutionMode.Same || c.getConvolutionMode() == ConvolutionMode.Truncate
                || c.getConvolutionMode() == ConvolutionMode.Strict);
    }


    /** ND4J's conv2d iArgs: kernel, strides, padding, dilation 1, same mode, NHWC, weights [out, in, kh, kw]. */
    private int[] nhwcArgs() {
        var c = layerConf();
        boolean same = c.getConvolutionMode() == ConvolutionMode.Same;
        int[] k = c.getKernelSize(), st = c.getStride(), p = same ? new int[]{0, 0} : c.getPadding();
        return new int[]{k[0], k[1], st[0], st[1], p[0], p[1], 1, 1, same ? 1 : 0, 1, 1};
    }

    private INDArray nhwcPreOutput(LayerWorkspaceMgr workspaceMgr) {
        var c = layerConf();
        INDArray in = NdArrays.contiguous(input);
        int[] k = c.getKernelSize(), st = c.getStride(), p = c.getPadding();
        boolean same = c.getConvolutionMode() == ConvolutionMode.Same;
        long h = in.size(1), w = in.size(2);
        long oh = same ? (h + st[0] - 1) / st[0] : (h + 2L * p[0] - k[0]) / st[0] + 1;
        long ow = same ? (w + st[1] - 1) / st[1] : (w + 2L * p[1] - k[1]) / st[1] + 1;
        INDArray z = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, new long[]{in.size(0), oh, ow, c.getNOut()}, 'c');
        INDArray weights = getParam(ConvolutionParamInitializer.WEIGHT_KEY);
        INDArray[] ins = c.hasBias() ? new INDArray[]{in, weights, getParam(ConvolutionParamInitializer.BIAS_KEY).reshape(c.getNOut())} : new INDArray[]{in, weights};
        Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(ins).addOutputs(z).addIntegerArguments(nhwcArgs()).build());
        return z;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        preOutput = null;
        deferredThisPass = false;
        if (nhwcOps()) {
            INDArray z = nhwcPreOutput(workspaceMgr);
            if (!training) return layerConf().getActivationFn().getActivation(z, false);
            preOutput = z;
            deferredThisPass = reluDeferred; // GraphPasses sets it for a ReLU layer only, with the pooling's reluAfter
            if (deferredThisPass) return z; // the max pooling after this layer applies the ReLU
            return org.kerasport.dl4j.activation.KerasReLU.activationKeepingInput(layerConf().getActivationFn(), z, workspaceMgr);
        }
        if (!training || helper == null || helperCountFail > 0 || maskArray != null || layerConf().getIDropout() != null
                || input == null) return super.activate(training, workspaceMgr);
        preOutput = preOutput(true, false, workspaceMgr).getFirst();
        return org.kerasport.dl4j.activation.KerasReLU.activationKeepingInput(layerConf().getActivationFn(), preOutput, workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        try {
            if (preOutput != null && nhwcOps()) return nhwcBackprop(epsilon, workspaceMgr);
            int[] pad = weightGradientOnlyPadding();
            if (pad != null) return weightGradientOnly(epsilon, pad);
            return super.backpropGradient(epsilon, workspaceMgr);
        } finally {
            preOutput = null;
            deferredThisPass = false;
        }
    }

    /** The channels-last backward pass: ND4J's conv2d_bp on contiguous arrays, or the weight gradient alone. */
    private Pair<Gradient, INDArray> nhwcBackprop(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        var c = layerConf();
        INDArray delta = NdArrays.contiguous(deferredThisPass ? epsilon : c.getActivationFn().backprop(preOutput, epsilon).getFirst());
        INDArray in = NdArrays.contiguous(input);
        INDArray eps = null;
        int[] pad = inputGradientNeeded ? null : weightGradientOnlyPad(c);
        INDArray biasGrad;
        if (pad != null) {
            biasGrad = weightGradient().compute(in, delta, c.getKernelSize()[0], c.getKernelSize()[1], pad, true, c.hasBias(),
                    gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY));
        } else {
            biasGrad = c.hasBias() ? Nd4j.createUninitialized(DataType.FLOAT, c.getNOut()) : null;
            eps = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, in.shape(), 'c');
            INDArray w = getParam(ConvolutionParamInitializer.WEIGHT_KEY);
            INDArray[] ins = biasGrad != null ? new INDArray[]{in, w, getParam(ConvolutionParamInitializer.BIAS_KEY).reshape(c.getNOut()), delta}
                    : new INDArray[]{in, w, delta};
            INDArray weightGradView = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
            INDArray[] outs = biasGrad != null ? new INDArray[]{eps, weightGradView, biasGrad} : new INDArray[]{eps, weightGradView};
            Nd4j.exec(DynamicCustomOp.builder("conv2d_bp").addInputs(ins).addOutputs(outs).addIntegerArguments(nhwcArgs()).build());
        }
        return new Pair<>(gradient(biasGrad), eps);
    }

    /** The im2col weight-gradient helper of this layer instance (its buffers are reused from step to step). */
    private ConvWeightGradient weightGradient() {
        if (weightGradient == null) weightGradient = new ConvWeightGradient();
        return weightGradient;
    }

    /** The layer's gradient: the weight gradient view as filled, and the bias gradient (if any) copied into its view. */
    private Gradient gradient(INDArray biasGrad) {
        Gradient g = new DefaultGradient();
        if (biasGrad != null) {
            INDArray biasGradView = gradientViews.get(ConvolutionParamInitializer.BIAS_KEY);
            biasGradView.assign(biasGrad.reshape(biasGradView.shape()));
            g.setGradientFor(ConvolutionParamInitializer.BIAS_KEY, biasGradView);
        }
        g.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY, gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY), 'c');
        return g;
    }

    /** Stride 1, no dilation, no or symmetric padding: the padding of the weight-gradient convolution, else null. */
    private static int[] weightGradientOnlyPad(org.deeplearning4j.nn.conf.layers.ConvolutionLayer c) {
        if (c.getStride()[0] != 1 || c.getStride()[1] != 1 || c.getDilation()[0] != 1 || c.getDilation()[1] != 1) return null;
        int[] k = c.getKernelSize();
        if (c.getConvolutionMode() == ConvolutionMode.Same)
            return k[0] % 2 == 1 && k[1] % 2 == 1 ? new int[]{(k[0] - 1) / 2, (k[1] - 1) / 2} : null;
        return c.getPadding()[0] == 0 && c.getPadding()[1] == 0 ? new int[]{0, 0} : null;
    }

    /** The padding for {@link #weightGradientOnly}, or null when DL4J's own backward pass must run. */
    private int[] weightGradientOnlyPadding() {
        var c = layerConf();
        if (inputGradientNeeded || helper == null || helperCountFail > 0 || preOutput == null || maskArray != null
                || c.getIDropout() != null || c.getCnn2dDataFormat() != CNN2DFormat.NCHW || dataType != DataType.FLOAT
                || input.dataType() != DataType.FLOAT || !weightNoiseParams.isEmpty() || c.getWeightNoise() != null)
            return null;
        return weightGradientOnlyPad(c);
    }

    /** The channels-first weight gradient alone (the input's gradient is not used): {@link ConvWeightGradient}. */
    private Pair<Gradient, INDArray> weightGradientOnly(INDArray epsilon, int[] pad) {
        var c = layerConf();
        INDArray delta = c.getActivationFn().backprop(preOutput, epsilon).getFirst();
        INDArray biasGrad = weightGradient().compute(input, delta, c.getKernelSize()[0], c.getKernelSize()[1], pad, false,
                c.hasBias(), gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY));
        return new Pair<>(gradient(biasGrad), null);
    }

    @Override
    public void clear() {
        super.clear();
        preOutput = null;
        deferredThisPass = false;
    }
}
