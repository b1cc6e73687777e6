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

/**
 * Runtime side of {@link KerasConvolution2D}. With a oneDNN helper attached ({@link org.kerasport.dl4j.FastPaths}),
 * DL4J's ConvolutionLayer runs the convolution a second time in every backward pass unless its FF_CACHE workspace
 * holds z, which a ComputationGraph without a cache mode never opens. A training forward pass here keeps a copy
 * of z in the layer's {@code preOutput} field, where DL4J's own backward pass looks for it, for that pass only.
 * Without a helper, or with a mask or dropout on the input, DL4J's path runs unchanged.
 *
 * <p>A convolution fed by the network's input ({@link #inputGradientNeeded} false, set by
 * {@link org.kerasport.dl4j.FastPaths#attachHelpers}) skips the gradient for its input, which a ComputationGraph
 * discards: ND4J's oneDNN {@code conv2d_bp} always computes it, and on a one-channel image that is most of its
 * time. Its weight gradient is then one forward convolution of the input with the output's gradient as kernel
 * (stride 1, no dilation, no or symmetric padding; otherwise DL4J's path).
 */
public class KerasConvolution2DImpl extends ConvolutionLayer {
    private boolean inputGradientNeeded = true;

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

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        preOutput = null;
        if (!training || helper == null || helperCountFail > 0 || maskArray != null || layerConf().getIDropout() != null
                || input == null) return super.activate(training, workspaceMgr);
        INDArray z = preOutput(true, false, workspaceMgr).getFirst();
        preOutput = workspaceMgr.dup(ArrayType.ACTIVATIONS, z); // the activation below works in place
        return layerConf().getActivationFn().getActivation(z, true);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        try {
            int[] pad = weightGradientOnlyPadding();
            if (pad != null) return weightGradientOnly(epsilon, pad);
            return super.backpropGradient(epsilon, workspaceMgr);
        } finally {
            preOutput = null;
        }
    }

    /** The padding for {@link #weightGradientOnly}, or null when DL4J's own backward pass must run. */
    private int[] weightGradientOnlyPadding() {
        var c = layerConf();
        if (inputGradientNeeded || helper == null || helperCountFail > 0 || preOutput == null || maskArray != null
                || c.getIDropout() != null || c.getCnn2dDataFormat() != CNN2DFormat.NCHW || dataType != DataType.FLOAT
                || input.dataType() != DataType.FLOAT || !weightNoiseParams.isEmpty() || c.getWeightNoise() != null
                || c.getStride()[0] != 1 || c.getStride()[1] != 1 || c.getDilation()[0] != 1 || c.getDilation()[1] != 1)
            return null;
        int[] k = c.getKernelSize();
        if (c.getConvolutionMode() == ConvolutionMode.Same)
            return k[0] % 2 == 1 && k[1] % 2 == 1 ? new int[]{(k[0] - 1) / 2, (k[1] - 1) / 2} : null;
        return c.getPadding()[0] == 0 && c.getPadding()[1] == 0 ? new int[]{0, 0} : null;
    }

    /**
     * dL/dW[o, c, i, j] = sum over n, y, x of x_in[n, c, y + i - p, x + j - p] * delta[n, o, y, x]: a convolution of
     * the input with channels and batch swapped ([c, n, h, w]) by delta as a [oh, ow, n, o] kernel, giving [c, o, kh, kw].
     */
    private Pair<Gradient, INDArray> weightGradientOnly(INDArray epsilon, int[] pad) {
        INDArray delta = layerConf().getActivationFn().backprop(preOutput, epsilon).getFirst();
        long inC = input.size(1), outC = delta.size(1);
        int[] k = layerConf().getKernelSize();
        INDArray wGrad = Nd4j.createUninitialized(DataType.FLOAT, inC, outC, k[0], k[1]);
        Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(input.permute(1, 0, 2, 3), delta.permute(2, 3, 0, 1))
                .addOutputs(wGrad).addIntegerArguments((int) delta.size(2), (int) delta.size(3), 1, 1, pad[0], pad[1], 1, 1, 0, 0, 0).build());
        INDArray weightGradView = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
        weightGradView.assign(wGrad.permute(1, 0, 2, 3));
        Gradient g = new DefaultGradient();
        if (layerConf().hasBias()) {
            INDArray biasGradView = gradientViews.get(ConvolutionParamInitializer.BIAS_KEY);
            biasGradView.assign(delta.sum(0, 2, 3).reshape(biasGradView.shape()));
            g.setGradientFor(ConvolutionParamInitializer.BIAS_KEY, biasGradView);
        }
        g.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY, weightGradView, 'c');
        return new Pair<>(g, null);
    }

    @Override
    public void clear() {
        super.clear();
        preOutput = null;
    }
}
