package org.kerasport.dl4j.mappers;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.kerasport.dl4j.LayerMapper;
import org.kerasport.dl4j.Layout;
import org.kerasport.dl4j.MappingContext;
import org.kerasport.dl4j.layers.KerasDepthwiseConvolution2D;
import org.kerasport.dl4j.layers.KerasSeparableConvolution2D;
import org.kerasport.format.Json;
import org.kerasport.model.LayerSpec;
import org.kerasport.model.WeightSpec;
import org.nd4j.linalg.activations.IActivation;

/**
 * The convolution, pooling and normalization family (registered in {@link org.kerasport.dl4j.MapperRegistry}):
 * convolutions here, pooling in {@link PoolingMappers}, padding/cropping/upsampling in {@link SpatialMappers},
 * BatchNormalization, Rescaling, Normalization and PReLU in {@link NormalizationMappers}.
 *
 * <p>Every DL4J array equals its Keras tensor (channels last): 2-D layers run in NHWC, 3-D in NDHWC, and 1-D layers as
 * the 2-D layer on (steps, 1) images ({@link ConvSupport#via2d}). The exception: with ND4J's oneDNN build, Conv2D and
 * the 2-D poolings after it run channels-first (NCHW), where oneDNN is fast and correct
 * ({@link org.kerasport.dl4j.runtime.Backend}); the importer reorders the tensor around them. Kernel layouts: Keras Conv kernel (k..., in, out) →
 * DL4J W [out, in, k...]; Conv2DTranspose (kh, kw, out, in) → [in, out, kh, kw]; DepthwiseConv2D (kh, kw, in, dm)
 * unchanged; SeparableConv2D depthwise (kh, kw, in, dm) → [dm, in, kh, kw], pointwise (1, 1, in·dm, out) →
 * [out, in·dm, 1, 1].
 */
public final class ConvMappers {
    private ConvMappers() {
    }

    /** Every mapper of this family. */
    public static List<LayerMapper> all() {
        return List.of(new Convolution());
    }

    /** Conv1D/2D/3D, Conv1D/2DTranspose, DepthwiseConv1D/2D, SeparableConv1D/2D. */
    public static final class Convolution implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose", "DepthwiseConv1D",
                    "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D");
        }

        @Override
        public boolean takesChannelsFirst() {
            return true;
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            String cls = l.className();
            int dims = ConvSupport.dims(cls);
            // a plain Conv2D runs channels-first where that is the fast path; everything else channels-last
            boolean nchw = cls.equals("Conv2D") && ctx.channelsFirstEnabled() && elementwise(l);
            if (!nchw) inputs = ctx.kerasLayout(inputs);
            Long[] in = ctx.shape(inputs.get(0));
            if (!ConvSupport.checkInput(l, in, dims + 2, ctx)) return null;
            JsonNode c = l.config();
            Long[] out = ctx.outputShape(l, inputs);
            String pad = ConvSupport.padding(l);
            boolean causal = pad.equals("causal");
            if (!(pad.equals("valid") || pad.equals("same") || (causal && dims == 1 && !cls.contains("Transpose")))) {
                ctx.unsupported(l, "padding", "padding '" + pad + "' is not supported for " + cls);
                return null;
            }
            if (c.has("groups") && c.get("groups").asInt(1) != 1) {
                if (GroupedConv.isDepthwise(l, in, out)) return GroupedConv.map(l, vertex, inputs, in, out, ctx);
                ctx.unsupported(l, "groups", "grouped convolution (groups=" + c.get("groups").asInt() + ") is not supported yet");
                return null;
            }
            if (Json.isPresent(c, "output_padding")) {
                ctx.unsupported(l, "output_padding", "Conv*Transpose output_padding is not supported yet");
                return null;
            }
            if (out == null || in[dims + 1] == null) {
                ctx.unsupported(l, "input", "the input channels and output shape must be known");
                return null;
            }
            if (dims == 3) return conv3d(l, vertex, inputs, in, out, ctx);
            if (dims == 2) {
                Layer layer = layer2d(l, c, in[3], out[3], 2, ctx);
                if (nchw) {
                    ((ConvolutionLayer) layer).setCnn2dDataFormat(CNN2DFormat.NCHW);
                    ctx.addLayer(vertex, layer, l.trainable(), out, List.of(ctx.channelsFirst(inputs.get(0))));
                    ctx.markChannelsFirst(vertex);
                } else {
                    ctx.addLayer(vertex, layer, l.trainable(), out, inputs);
                }
                bind(l, vertex, 2, ctx);
                return axisActivation(l, vertex, out, ctx);
            }
            return ConvSupport.via2d(ctx, vertex, inputs.get(0), in, out, in2d -> {
                String src = in2d;
                Long[] s2 = ConvSupport.as2d(in);
                if (causal) { // left-pad the steps by (k − 1)·dilation, then a valid convolution
                    int k = ConvSupport.ints(c, "kernel_size", 1, 1)[0], d = ConvSupport.ints(c, "dilation_rate", 1, 1)[0];
                    int p = (k - 1) * d;
                    Long[] padded = {s2[0], s2[1] == null ? null : s2[1] + p, 1L, s2[3]};
                    ctx.addLayer(vertex + "__causal", new ZeroPaddingLayer.Builder(p, 0, 0, 0).dataFormat(CNN2DFormat.NHWC)
                            .build(), true, padded, List.of(src));
                    src = vertex + "__causal";
                }
                ctx.addLayer(vertex, layer2d(l, c, in[2], out[2], 1, ctx), l.trainable(), ConvSupport.as2d(out), List.of(src));
                bind(l, vertex, 1, ctx);
                return axisActivation(l, vertex, ConvSupport.as2d(out), ctx);
            });
        }

        /**
         * A softmax or log_softmax over the channels after a channels-last convolution, as an ActivationLayer of its
         * own (the convolution then has none): DL4J's convolution differentiates its activation on the channels-first
         * copy it computes in, where the last axis is not the channels. Other activations stay in the convolution.
         */
        private static String axisActivation(LayerSpec l, String vertex, Long[] out, MappingContext ctx) {
            if (elementwise(l)) return vertex;
            String v = vertex + "__activation";
            ctx.addLayer(v, new org.deeplearning4j.nn.conf.layers.ActivationLayer.Builder()
                    .activation(ctx.activation(l, "activation")).build(), true, out, List.of(vertex));
            return v;
        }

        /** False for activations over an axis (softmax over the channels needs them last). */
        private static boolean elementwise(LayerSpec l) {
            JsonNode a = l.config().get("activation");
            String name = a == null ? "linear" : a.isTextual() ? a.asText() : a.path("config").path("name").asText(a.toString());
            return !name.contains("softmax");
        }

        /** The DL4J 2-D layer (a 1-D Keras layer gets kernel (k, 1)). */
        private static Layer layer2d(LayerSpec l, JsonNode c, long nIn, long nOut, int dims, MappingContext ctx) {
            String cls = l.className();
            int[] k = to2d(ConvSupport.ints(c, "kernel_size", dims, 1));
            int[] s = to2d(ConvSupport.ints(c, "strides", dims, 1));
            int[] d = to2d(ConvSupport.ints(c, "dilation_rate", dims, 1));
            String pad = ConvSupport.padding(l);
            ConvolutionMode mode = pad.equals("causal") ? ConvolutionMode.Truncate : ConvSupport.mode(pad);
            IActivation act = elementwise(l) ? ctx.activation(l, "activation")
                    : new org.nd4j.linalg.activations.impl.ActivationIdentity(); // applied after it (axisActivation)
            boolean bias = ConvSupport.useBias(l);
            WeightSpec biasW = l.weight("bias").orElse(null);
            if (cls.startsWith("Depthwise")) {
                int dm = c.has("depth_multiplier") ? c.get("depth_multiplier").asInt() : 1;
                DepthwiseConvolution2D.Builder b = new DepthwiseConvolution2D.Builder().kernelSize(k).stride(s).dilation(d)
                        .convolutionMode(mode).depthMultiplier(dm).nIn(nIn).nOut(nOut).activation(act).hasBias(bias)
                        .dataFormat(CNN2DFormat.NHWC);
                b.regularization(ctx.regularization(ConvSupport.byRole(l, "depthwise_kernel")));
                b.regularizationBias(ctx.regularization(biasW));
                return new KerasDepthwiseConvolution2D(b);
            }
            if (cls.startsWith("Separable")) {
                int dm = c.has("depth_multiplier") ? c.get("depth_multiplier").asInt() : 1;
                SeparableConvolution2D.Builder b = new SeparableConvolution2D.Builder().kernelSize(k).stride(s).dilation(d)
                        .convolutionMode(mode).depthMultiplier(dm).nIn(nIn).nOut(nOut).activation(act).hasBias(bias)
                        .dataFormat(CNN2DFormat.NHWC);
                b.regularization(ctx.regularization(ConvSupport.byRole(l, "depthwise_kernel")));
                b.regularizationBias(ctx.regularization(biasW));
                return new KerasSeparableConvolution2D(b, ctx.regularization(ConvSupport.byRole(l, "pointwise_kernel")));
            }
            WeightSpec kernel = l.weight("kernel").orElse(null);
            if (cls.endsWith("Transpose")) {
                return new Deconvolution2D.Builder().kernelSize(k).stride(s).dilation(d).convolutionMode(mode).nIn(nIn)
                        .nOut(nOut).activation(act).hasBias(bias).dataFormat(CNN2DFormat.NHWC)
                        .regularization(ctx.regularization(kernel)).regularizationBias(ctx.regularization(biasW)).build();
            }
            return org.kerasport.dl4j.layers.KerasConvolution2D.of((ConvolutionLayer) new ConvolutionLayer.Builder()
                    .kernelSize(k).stride(s).dilation(d).convolutionMode(mode).nIn(nIn).nOut(nOut).activation(act)
                    .hasBias(bias).dataFormat(CNN2DFormat.NHWC).regularization(ctx.regularization(kernel))
                    .regularizationBias(ctx.regularization(biasW)).build());
        }

        private static int[] to2d(int[] v) {
            return v.length == 2 ? v : new int[]{v[0], 1};
        }

        /**
         * Keras kernels onto DL4J's. A 1-D kernel (k, a, b) is the 2-D kernel (k, 1, a, b), so the 2-D permutation
         * (3, 2, 0, 1) becomes (2, 1, 0) and the result is reshaped to DL4J's [b, a, k, 1].
         */
        private static void bind(LayerSpec l, String vertex, int dims, MappingContext ctx) {
            String cls = l.className();
            Layout hwioToOihw = dims == 2 ? Layout.permute(3, 2, 0, 1) : Layout.permute(2, 1, 0);
            if (cls.startsWith("Depthwise")) {
                ctx.bind(ConvSupport.byRole(l, "depthwise_kernel").name(), vertex, "W", Layout.SAME);
            } else if (cls.startsWith("Separable")) {
                ctx.bind(ConvSupport.byRole(l, "depthwise_kernel").name(), vertex, "W", hwioToOihw);
                ctx.bind(ConvSupport.byRole(l, "pointwise_kernel").name(), vertex, "pW", hwioToOihw);
            } else {
                ctx.bind("kernel", vertex, "W", hwioToOihw);
            }
            if (l.weight("bias").isPresent()) ctx.bind("bias", vertex, "b", Layout.SAME);
        }

        private static String conv3d(LayerSpec l, String vertex, List<String> inputs, Long[] in, Long[] out, MappingContext ctx) {
            JsonNode c = l.config();
            String cls = l.className();
            if (cls.equals("Conv3DTranspose")) return deconv3d(l, vertex, inputs, in, out, ctx);
            if (!cls.equals("Conv3D")) {
                ctx.unsupported(l, "class_name", cls + " is not supported yet");
                return null;
            }
            WeightSpec kernel = l.weight("kernel").orElse(null), biasW = l.weight("bias").orElse(null);
            Layer layer = new Convolution3D.Builder().kernelSize(ConvSupport.ints(c, "kernel_size", 3, 1))
                    .stride(ConvSupport.ints(c, "strides", 3, 1)).dilation(ConvSupport.ints(c, "dilation_rate", 3, 1))
                    .convolutionMode(ConvSupport.mode(ConvSupport.padding(l))).dataFormat(Convolution3D.DataFormat.NDHWC)
                    .nIn(in[4]).nOut(out[4]).activation(ctx.activation(l, "activation")).hasBias(ConvSupport.useBias(l))
                    .regularization(ctx.regularization(kernel)).regularizationBias(ctx.regularization(biasW)).build();
            ctx.addLayer(vertex, layer, l.trainable(), out, inputs);
            ctx.bind("kernel", vertex, "W", Layout.permute(4, 3, 0, 1, 2));
            if (biasW != null) ctx.bind("bias", vertex, "b", Layout.SAME);
            return vertex;
        }

        /**
         * Conv3DTranspose (issue 17): DL4J's Deconvolution3D in NDHWC, whose weights [kD, kH, kW, out, in] are Keras'
         * kernel (kd, kh, kw, out, in) as it is.
         */
        private static String deconv3d(LayerSpec l, String vertex, List<String> inputs, Long[] in, Long[] out, MappingContext ctx) {
            JsonNode c = l.config();
            WeightSpec kernel = l.weight("kernel").orElse(null), biasW = l.weight("bias").orElse(null);
            Layer layer = new org.deeplearning4j.nn.conf.layers.Deconvolution3D.Builder()
                    .kernelSize(ConvSupport.ints(c, "kernel_size", 3, 1)).stride(ConvSupport.ints(c, "strides", 3, 1))
                    .dilation(ConvSupport.ints(c, "dilation_rate", 3, 1)).convolutionMode(ConvSupport.mode(ConvSupport.padding(l)))
                    .dataFormat(Convolution3D.DataFormat.NDHWC).nIn(in[4]).nOut(out[4]).activation(ctx.activation(l, "activation"))
                    .hasBias(ConvSupport.useBias(l)).regularization(ctx.regularization(kernel))
                    .regularizationBias(ctx.regularization(biasW)).build();
            ctx.addLayer(vertex, layer, l.trainable(), out, inputs);
            ctx.bind("kernel", vertex, "W", Layout.SAME);
            if (biasW != null) ctx.bind("bias", vertex, "b", Layout.SAME);
            return vertex;
        }
    }
}
