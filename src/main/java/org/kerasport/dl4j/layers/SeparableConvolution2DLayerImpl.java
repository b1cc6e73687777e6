package org.kerasport.dl4j.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.convolution.SeparableConvolution2DLayer;
import org.deeplearning4j.nn.params.SeparableConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's SeparableConvolution2DLayer, with the forward pass of a layer of one input channel corrected: libnd4j's
 * {@code sconv2d} op then computes a plain conv2d with the depthwise kernel and ignores the pointwise kernel (its
 * "for input_channels = 1 this op is equivalent to standard conv2d" shortcut), so the output lacked the pointwise
 * mixing (NASNet's reduction cells at small widths have such layers). With one input channel a separable convolution
 * is a convolution whose kernel is the product of the two, K[h, w, o] = Σ_m depthwise[m, h, w] · pointwise[o, m],
 * which is what {@code sconv2d} computes given K as its depthwise kernel (a multiplier of oC) and no pointwise kernel.
 * The backward pass ({@code sconv2d_bp}, which has no such shortcut) is DL4J's.
 */
public class SeparableConvolution2DLayerImpl extends SeparableConvolution2DLayer {
    public SeparableConvolution2DLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    protected Pair<INDArray, INDArray> preOutput(boolean training, boolean forBackprop, LayerWorkspaceMgr workspaceMgr) {
        INDArray depth = getParamWithNoise(SeparableConvolutionParamInitializer.DEPTH_WISE_WEIGHT_KEY, training, workspaceMgr);
        if (depth.size(1) != 1) return super.preOutput(training, forBackprop, workspaceMgr);
        assertInputSet(false);
        INDArray point = getParamWithNoise(SeparableConvolutionParamInitializer.POINT_WISE_WEIGHT_KEY, training, workspaceMgr);
        boolean hasBias = layerConf().hasBias();
        INDArray bias = hasBias ? getParamWithNoise(SeparableConvolutionParamInitializer.BIAS_KEY, training, workspaceMgr) : null;
        // depth [mC, 1, kH, kW], point [oC, mC, 1, 1] -> combined [kH, kW, 1, oC] (libnd4j's depthwise layout)
        long mC = depth.size(0), kH = depth.size(2), kW = depth.size(3), oC = point.size(0);
        INDArray k = point.reshape(oC, mC).mmul(depth.reshape(mC, kH * kW)); // [oC, kH·kW]
        INDArray combined = k.transpose().reshape('c', kH, kW, 1, oC).dup('c');

        INDArray input = this.input.castTo(dataType);
        if (layerConf().getCnn2dDataFormat() == CNN2DFormat.NHWC) input = input.permute(0, 3, 1, 2).dup();
        int[] dilation = layerConf().getDilation(), kernel = layerConf().getKernelSize(), strides = layerConf().getStride();
        int[] pad, outSize;
        if (convolutionMode == ConvolutionMode.Same) {
            outSize = ConvolutionUtils.getOutputSize(input, kernel, strides, null, convolutionMode, dilation, CNN2DFormat.NCHW);
            pad = ConvolutionUtils.getSameModeTopLeftPadding(outSize, new int[]{(int) input.size(2), (int) input.size(3)}, kernel,
                    strides, dilation);
        } else {
            pad = layerConf().getPadding();
            outSize = ConvolutionUtils.getOutputSize(input, kernel, strides, pad, convolutionMode, dilation, CNN2DFormat.NCHW);
        }
        INDArray output = workspaceMgr.create(ArrayType.ACTIVATIONS, depth.dataType(), new long[]{input.size(0), oC, outSize[0], outSize[1]}, 'c');
        int[] args = {(int) kH, (int) kW, strides[0], strides[1], pad[0], pad[1], dilation[0], dilation[1],
                convolutionMode == ConvolutionMode.Same ? 1 : 0, 0};
        INDArray[] in = hasBias ? new INDArray[]{input, combined, bias.reshape(oC)} : new INDArray[]{input, combined};
        Nd4j.getExecutioner().exec(DynamicCustomOp.builder("sconv2d").addInputs(in).addIntegerArguments(args)
                .addOutputs(output).callInplace(false).build());
        if (layerConf().getCnn2dDataFormat() == CNN2DFormat.NHWC) output = output.permute(0, 2, 3, 1);
        return new Pair<>(output, null);
    }
}
