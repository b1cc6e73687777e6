package org.kerasport.dl4j.mappers;

import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.conf.layers.Upsampling3D;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D;
import org.kerasport.dl4j.LayerMapper;
import org.kerasport.dl4j.MappingContext;
import com.fasterxml.jackson.databind.JsonNode;
import org.kerasport.dl4j.layers.BilinearUpsampling2D;
import org.kerasport.dl4j.layers.KerasResize2D;
import org.kerasport.dl4j.layers.KerasSpatialPad;
import org.kerasport.format.Json;
import org.kerasport.model.LayerSpec;

/**
 * ZeroPadding1D/2D/3D, Cropping1D/2D/3D, UpSampling1D/2D/3D (1-D layers as their 2-D form on (steps, 1) images),
 * Resizing and CenterCrop.
 */
public final class SpatialMappers {
    private SpatialMappers() {
    }

    /** Every mapper of this family. */
    public static List<LayerMapper> all() {
        return List.of(new Padding(), new Cropping(), new UpSampling(), new Volume(), new Resize());
    }

    private static String add(LayerSpec l, String vertex, List<String> inputs, Long[] in, Long[] out, int dims,
                              Layer layer, MappingContext ctx) {
        if (dims != 1) {
            ctx.addLayer(vertex, layer, true, out, inputs);
            return vertex;
        }
        return ConvSupport.via2d(ctx, vertex, inputs.get(0), in, out, in2d -> {
            ctx.addLayer(vertex, layer, true, ConvSupport.as2d(out), List.of(in2d));
            return vertex;
        });
    }

    /** ZeroPadding1D ((left, right) steps) and ZeroPadding2D (((top, bottom), (left, right))). */
    public static final class Padding implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("ZeroPadding1D", "ZeroPadding2D");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            int dims = ConvSupport.dims(l.className());
            Long[] in = ctx.shape(inputs.get(0));
            if (!ConvSupport.checkInput(l, in, dims + 2, ctx)) return null;
            int[][] p = ConvSupport.pairs(l.config().get("padding"), dims);
            int[] hw = dims == 2 ? new int[]{p[0][0], p[0][1], p[1][0], p[1][1]} : new int[]{p[0][0], p[0][1], 0, 0};
            Layer layer = new ZeroPaddingLayer.Builder(hw).dataFormat(CNN2DFormat.NHWC).build();
            return add(l, vertex, inputs, in, ctx.outputShape(l, inputs), dims, layer, ctx);
        }
    }

    /** Cropping1D and Cropping2D, same amounts as the paddings. */
    public static final class Cropping implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("Cropping1D", "Cropping2D");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            int dims = ConvSupport.dims(l.className());
            Long[] in = ctx.shape(inputs.get(0));
            if (!ConvSupport.checkInput(l, in, dims + 2, ctx)) return null;
            int[][] p = ConvSupport.pairs(l.config().get("cropping"), dims);
            int[] hw = dims == 2 ? new int[]{p[0][0], p[0][1], p[1][0], p[1][1]} : new int[]{p[0][0], p[0][1], 0, 0};
            Layer layer = new Cropping2D.Builder(hw).dataFormat(CNN2DFormat.NHWC).build();
            return add(l, vertex, inputs, in, ctx.outputShape(l, inputs), dims, layer, ctx);
        }
    }

    /**
     * UpSampling1D/2D/3D nearest (each cell repeated by its axis' factor; factors may differ); UpSampling2D bilinear
     * with tf.image.resize's arithmetic ({@link BilinearUpsampling2D}).
     */
    public static final class UpSampling implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("UpSampling1D", "UpSampling2D", "UpSampling3D");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            int dims = ConvSupport.dims(l.className());
            Long[] in = ctx.shape(inputs.get(0));
            if (!ConvSupport.checkInput(l, in, dims + 2, ctx)) return null;
            String field = dims == 1 && !l.config().has("size") ? "length" : "size"; // Keras 1 UpSampling1D(length)
            int[] f = ConvSupport.ints(l.config(), field, dims, 2);
            Long[] out = ctx.outputShape(l, inputs);
            String interp = Json.text(l.config(), "interpolation");
            if (interp != null && !interp.equals("nearest")) {
                if (!interp.equals("bilinear") || dims != 2) {
                    ctx.unsupported(l, "interpolation", "interpolation '" + interp + "' is not supported yet (nearest; bilinear in 2-D)");
                    return null;
                }
                boolean halfPixel = halfPixelCenters(ctx.keras().source().kerasVersion());
                ctx.addLayer(vertex, new BilinearUpsampling2D(vertex, f, halfPixel), true, out, inputs);
                if (!halfPixel) ctx.note(l.name() + ": bilinear upsampling without half-pixel centres, as TF1-era Keras "
                        + ctx.keras().source().kerasVersion() + " computed it");
                return vertex;
            }
            if (dims == 3) {
                Layer layer = new Upsampling3D.Builder().size(f).dataFormat(Convolution3D.DataFormat.NDHWC).build();
                ctx.addLayer(vertex, layer, true, out, inputs);
                return vertex;
            }
            int[] f2 = dims == 2 ? f : new int[]{f[0], 1};
            Layer layer = new Upsampling2D.Builder().size(f2).dataFormat(CNN2DFormat.NHWC).build();
            return add(l, vertex, inputs, in, out, dims, layer, ctx);
        }

        /** Keras 3 and tf.keras resize with half-pixel centres; multi-backend Keras (≤ 2.3) used TF1's legacy resize. */
        static boolean halfPixelCenters(String kerasVersion) {
            if (kerasVersion == null || kerasVersion.endsWith("-tf")) return true;
            String[] p = kerasVersion.split("[.-]");
            try {
                int major = Integer.parseInt(p[0]), minor = p.length > 1 ? Integer.parseInt(p[1]) : 0;
                return major >= 3 || (major == 2 && minor >= 4);
            } catch (NumberFormatException e) {
                return true;
            }
        }
    }

    /** ZeroPadding3D and Cropping3D on NDHWC input ({@link KerasSpatialPad}: crops are negative pads). */
    public static final class Volume implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("ZeroPadding3D", "Cropping3D");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            Long[] in = ctx.shape(inputs.get(0));
            if (!ConvSupport.checkInput(l, in, 5, ctx)) return null;
            boolean pad = l.className().equals("ZeroPadding3D");
            int[][] p = ConvSupport.pairs(l.config().get(pad ? "padding" : "cropping"), 3);
            int[] before = new int[3], after = new int[3];
            for (int i = 0; i < 3; i++) {
                before[i] = pad ? p[i][0] : -p[i][0];
                after[i] = pad ? p[i][1] : -p[i][1];
                if (in[i + 1] != null && in[i + 1] + before[i] + after[i] < 1) {
                    ctx.unsupported(l, "cropping", "cropping " + Json.compact(l.config().get("cropping")) + " leaves nothing of axis "
                            + (i + 1) + " (size " + in[i + 1] + ")");
                    return null;
                }
            }
            ctx.addLayer(vertex, new KerasSpatialPad(vertex, before, after), true, ctx.outputShape(l, inputs), inputs);
            return vertex;
        }
    }

    /**
     * Resizing (bilinear or nearest, crop_to_aspect_ratio or not, no antialias, no pad_to_aspect_ratio) and
     * CenterCrop on NHWC images ({@link KerasResize2D}).
     */
    public static final class Resize implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("Resizing", "CenterCrop");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            JsonNode c = l.config();
            Long[] in = ctx.shape(inputs.get(0));
            if (!ConvSupport.checkInput(l, in, 4, ctx)) return null;
            if (in[1] == null || in[2] == null) {
                ctx.unsupported(l, "input", l.className() + " needs an input of known height and width");
                return null;
            }
            int h = c.path("height").asInt(), w = c.path("width").asInt();
            boolean resize = l.className().equals("Resizing");
            String interp = Json.text(c, "interpolation");
            if (resize && interp != null && !interp.equals("bilinear") && !interp.equals("nearest")) {
                ctx.unsupported(l, "interpolation", "Resizing interpolation '" + interp + "' is not supported yet (bilinear, nearest)");
                return null;
            }
            if (resize && (c.path("antialias").asBoolean(false) || c.path("pad_to_aspect_ratio").asBoolean(false))) {
                ctx.unsupported(l, c.path("antialias").asBoolean(false) ? "antialias" : "pad_to_aspect_ratio",
                        "Resizing with antialias or pad_to_aspect_ratio is not supported yet");
                return null;
            }
            KerasResize2D layer = new KerasResize2D(vertex, resize ? KerasResize2D.Kind.RESIZE : KerasResize2D.Kind.CENTER_CROP,
                    h, w, "nearest".equals(interp), resize && c.path("crop_to_aspect_ratio").asBoolean(false));
            ctx.addLayer(vertex, layer, true, new Long[]{in[0], (long) h, (long) w, in[3]}, inputs);
            return vertex;
        }
    }
}
