package org.kerasport.dl4j.mappers;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.kerasport.dl4j.Layout;
import org.kerasport.dl4j.MappingContext;
import org.kerasport.dl4j.layers.KerasDepthwiseConvolution2D;
import org.kerasport.model.LayerSpec;
import org.kerasport.model.WeightSpec;

/**
 * Conv2D with {@code groups} equal to its input channels (ConvNeXt's 7×7 convolutions) is a depthwise convolution with
 * depth multiplier filters/groups: group g reads channel g and writes filters g·m … g·m+m−1, as DepthwiseConv2D's output
 * channel g·m + j, and the Keras kernel (kh, kw, 1, filters) holds the same numbers in the same order as the
 * depthwise kernel (kh, kw, channels, m).
 */
final class GroupedConv {
    private GroupedConv() {
    }

    /** True when the layer is such a Conv2D. */
    static boolean isDepthwise(LayerSpec l, Long[] in, Long[] out) {
        JsonNode c = l.config();
        int groups = c.has("groups") ? c.get("groups").asInt(1) : 1;
        return l.className().equals("Conv2D") && in != null && in.length == 4 && in[3] != null && groups == in[3]
                && out != null && out[3] != null && out[3] % groups == 0 && l.weight("kernel").isPresent();
    }

    static String map(LayerSpec l, String vertex, List<String> inputs, Long[] in, Long[] out, MappingContext ctx) {
        JsonNode c = l.config();
        inputs = ctx.kerasLayout(inputs);
        WeightSpec kernel = l.weight("kernel").orElseThrow(), bias = l.weight("bias").orElse(null);
        DepthwiseConvolution2D.Builder b = new DepthwiseConvolution2D.Builder()
                .kernelSize(ConvSupport.ints(c, "kernel_size", 2, 1)).stride(ConvSupport.ints(c, "strides", 2, 1))
                .dilation(ConvSupport.ints(c, "dilation_rate", 2, 1)).convolutionMode(ConvSupport.mode(ConvSupport.padding(l)))
                .depthMultiplier((int) (out[3] / in[3])).nIn(in[3]).nOut(out[3]).activation(ctx.activation(l, "activation"))
                .hasBias(bias != null).dataFormat(CNN2DFormat.NHWC);
        b.regularization(ctx.regularization(kernel));
        b.regularizationBias(ctx.regularization(bias));
        ctx.addLayer(vertex, new KerasDepthwiseConvolution2D(b), l.trainable(), out, inputs);
        ctx.bind(kernel.name(), vertex, "W", Layout.SAME);
        if (bias != null) ctx.bind(bias.name(), vertex, "b", Layout.SAME);
        return vertex;
    }
}
