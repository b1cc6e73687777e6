package org.kerasport.dl4j.mappers;

import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.Subsampling3DLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.kerasport.dl4j.LayerMapper;
import org.kerasport.dl4j.MappingContext;
import org.kerasport.dl4j.layers.KerasAdaptivePooling;
import org.kerasport.format.Json;
import org.kerasport.model.LayerSpec;

/** Keras pooling layers: Max/AveragePooling1D/2D/3D and the global poolings. */
public final class PoolingMappers {
    private PoolingMappers() {
    }

    /** Every mapper of this family. */
    public static List<LayerMapper> all() {
        return List.of(new Pooling(), new GlobalPooling(), new Adaptive());
    }

    /**
     * Max/AveragePooling: DL4J SubsamplingLayer in NHWC (1-D as (k, 1) pooling); average pooling with 'same' padding
     * divides by the number of VALID cells at the borders, as Keras does (avgPoolIncludePadInDivisor false).
     */
    public static final class Pooling implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D",
                    "AveragePooling3D");
        }

        @Override
        public boolean takesChannelsFirst() {
            return true;
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            int dims = ConvSupport.dims(l.className());
            // 2-D pooling of a channels-first tensor (after a channels-first Conv2D) stays channels-first
            boolean nchw = dims == 2 && ctx.isChannelsFirst(inputs.get(0));
            if (!nchw) inputs = ctx.kerasLayout(inputs);
            Long[] in = ctx.shape(inputs.get(0));
            if (!ConvSupport.checkInput(l, in, dims + 2, ctx)) return null;
            Long[] out = ctx.outputShape(l, inputs);
            String pad = ConvSupport.padding(l);
            if (!pad.equals("valid") && !pad.equals("same")) {
                ctx.unsupported(l, "padding", "padding '" + pad + "' is not supported for pooling");
                return null;
            }
            if (out == null) {
                ctx.unsupported(l, "input", "output shape cannot be worked out");
                return null;
            }
            PoolingType type = l.className().startsWith("Max") ? PoolingType.MAX : PoolingType.AVG;
            int[] k = ConvSupport.ints(l.config(), "pool_size", dims, 2);
            int[] s = Json.isPresent(l.config(), "strides") ? ConvSupport.ints(l.config(), "strides", dims, 1) : k.clone();
            if (dims == 3) {
                if (type == PoolingType.AVG && pad.equals("same")) {
                    ctx.unsupported(l, "padding", "AveragePooling3D with padding 'same' is not supported yet");
                    return null;
                }
                Layer layer = new Subsampling3DLayer.Builder(k, s).poolingType(type).convolutionMode(ConvSupport.mode(pad))
                        .dataFormat(Convolution3D.DataFormat.NDHWC).build();
                ctx.addLayer(vertex, layer, true, out, inputs);
                return vertex;
            }
            int[] k2 = dims == 2 ? k : new int[]{k[0], 1}, s2 = dims == 2 ? s : new int[]{s[0], 1};
            Layer layer = org.kerasport.dl4j.layers.KerasSubsampling.of(new SubsamplingLayer.Builder(k2, s2).poolingType(type)
                    .convolutionMode(ConvSupport.mode(pad)).dataFormat(nchw ? CNN2DFormat.NCHW : CNN2DFormat.NHWC)
                    .avgPoolIncludePadInDivisor(false).build());
            if (dims == 2) {
                ctx.addLayer(vertex, layer, true, out, inputs);
                if (nchw) ctx.markChannelsFirst(vertex);
                return vertex;
            }
            return ConvSupport.via2d(ctx, vertex, inputs.get(0), in, out, in2d -> {
                ctx.addLayer(vertex, layer, true, ConvSupport.as2d(out), List.of(in2d));
                return vertex;
            });
        }
    }

    /** GlobalMax/AveragePooling1D/2D/3D: DL4J GlobalPoolingLayer over the spatial axes of the channels-last array. */
    public static final class GlobalPooling implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D", "GlobalAveragePooling1D",
                    "GlobalAveragePooling2D", "GlobalAveragePooling3D");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            int dims = ConvSupport.dims(l.className());
            Long[] in = ctx.shape(inputs.get(0));
            if (!ConvSupport.checkInput(l, in, dims + 2, ctx)) return null;
            PoolingType type = l.className().startsWith("GlobalMax") ? PoolingType.MAX : PoolingType.AVG;
            List<String> src = inputs;
            if (dims == 1) { // DL4J types a pooled recurrent input as recurrent: pool the (n, t, 1, c) image instead
                src = List.of(ConvSupport.reshape(ctx, vertex + "__2d", inputs.get(0), ConvSupport.as2d(in)));
                dims = 2;
            }
            int[] axes = new int[dims];
            for (int i = 0; i < dims; i++) axes[i] = i + 1;
            Layer layer = new GlobalPoolingLayer.Builder(type).poolingDimensions(axes).collapseDimensions(true).build();
            boolean keep = Boolean.TRUE.equals(Json.bool(l.config(), "keepdims"));
            Long[] flat = {in[0], in[in.length - 1]};
            ctx.addLayer(keep ? vertex + "__pooled" : vertex, layer, true, flat, src);
            if (!keep) return vertex;
            Long[] out = ctx.outputShape(l, inputs);
            return ConvSupport.reshape(ctx, vertex, vertex + "__pooled", out);
        }
    }

    /**
     * Keras 3's AdaptiveAveragePooling1D/2D/3D and AdaptiveMaxPooling1D/2D/3D, channels last, known spatial sizes
     * ({@link KerasAdaptivePooling}; 1-D as 2-D on (steps, 1) images).
     */
    public static final class Adaptive implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveAveragePooling3D",
                    "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            int dims = ConvSupport.dims(l.className());
            Long[] in = ctx.shape(inputs.get(0));
            if (!ConvSupport.checkInput(l, in, dims + 2, ctx)) return null;
            if (java.util.Arrays.asList(in).subList(1, in.length).contains(null)) {
                ctx.unsupported(l, "input", l.className() + " needs known spatial sizes (Keras needs them too)");
                return null;
            }
            int[] o = ConvSupport.ints(l.config(), "output_size", dims, 1);
            boolean max = l.className().startsWith("AdaptiveMax");
            Long[] out = ctx.outputShape(l, inputs);
            if (dims != 1) {
                ctx.addLayer(vertex, new KerasAdaptivePooling(vertex, o, max), true, out, inputs);
                return vertex;
            }
            return ConvSupport.via2d(ctx, vertex, inputs.get(0), in, out, in2d -> {
                ctx.addLayer(vertex, new KerasAdaptivePooling(vertex, new int[]{o[0], 1}, max), true, ConvSupport.as2d(out), List.of(in2d));
                return vertex;
            });
        }
    }
}
