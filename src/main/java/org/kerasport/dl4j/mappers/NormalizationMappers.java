package org.kerasport.dl4j.mappers;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.kerasport.dl4j.Layout;
import org.kerasport.dl4j.LayerMapper;
import org.kerasport.dl4j.MappingContext;
import org.kerasport.dl4j.layers.ElementwiseAffine;
import org.kerasport.dl4j.layers.KerasAxisNormalization;
import org.kerasport.dl4j.layers.KerasGroupNormalization;
import org.kerasport.dl4j.layers.KerasBatchNormalization;
import org.kerasport.dl4j.layers.KerasPReLU;
import org.kerasport.dl4j.layers.KerasReshapeVertex;
import org.kerasport.format.Json;
import org.kerasport.model.LayerSpec;
import org.kerasport.model.WeightSpec;

/** BatchNormalization, Rescaling, Normalization, PReLU, UnitNormalization, RMSNormalization and GroupNormalization. */
public final class NormalizationMappers {
    private NormalizationMappers() {
    }

    /** Every mapper of this family. */
    public static List<LayerMapper> all() {
        return List.of(new BatchNorm(), new Affine(), new PReLU(), new UnitNorm(), new RmsNorm(), new GroupNorm());
    }

    /** The normalized axis of a layer config ("axis": int or [int]), as a non-negative index; null when several. */
    static Integer axis(JsonNode c, int rank, int dflt) {
        JsonNode a = c.get("axis");
        if (a == null || a.isNull()) return dflt;
        if (a.isArray()) {
            if (a.size() != 1) return null;
            a = a.get(0);
        }
        int ax = a.asInt();
        return ax < 0 ? ax + rank : ax;
    }

    /**
     * BatchNormalization over the last axis. Inference: (x − moving_mean)/√(moving_variance + ε)·gamma + beta.
     * Training: batch statistics (biased variance) over every axis but the last, and
     * moving = momentum·moving + (1 − momentum)·batch (DL4J decay = Keras momentum). 2-D and 4-D inputs run in DL4J's
     * layer directly (NHWC); other ranks as (−1, channels) rows, which have the same statistics. A frozen layer
     * (trainable=False) runs in inference mode and keeps its statistics, as in Keras.
     */
    public static final class BatchNorm implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("BatchNormalization");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            JsonNode c = l.config();
            Long[] in = ctx.shape(inputs.get(0));
            if (in == null || in.length < 2 || in[in.length - 1] == null) {
                ctx.unsupported(l, "input", "BatchNormalization needs a known channel count");
                return null;
            }
            int rank = in.length;
            Integer ax = axis(c, rank, rank - 1);
            if (ax == null || ax != rank - 1) {
                ctx.unsupported(l, "axis", "BatchNormalization over axis " + Json.compact(c.get("axis"))
                        + " of a " + rank + "-D input is not supported yet (only the last axis, channels_last)");
                return null;
            }
            if (c.has("mode") && c.get("mode").asInt(0) != 0) {
                ctx.unsupported(l, "mode", "Keras 1 BatchNormalization mode " + c.get("mode").asInt() + " is not supported (only mode 0)");
                return null;
            }
            if (Boolean.TRUE.equals(Json.bool(c, "renorm")) || Json.isPresent(c, "virtual_batch_size") || Json.isPresent(c, "adjustment")) {
                ctx.unsupported(l, "renorm", "batch renormalization, virtual batches and adjustment are not supported");
                return null;
            }
            WeightSpec gamma = ConvSupport.byRole(l, "gamma"), beta = ConvSupport.byRole(l, "beta");
            WeightSpec mean = ConvSupport.byRole(l, "moving_mean"), var = ConvSupport.byRole(l, "moving_variance");
            if (mean == null || var == null) {
                ctx.unsupported(l, "moving_variance", "the moving statistics are missing from the weights");
                return null;
            }
            long ch = in[rank - 1];
            KerasBatchNormalization bn = new KerasBatchNormalization();
            bn.setNIn(ch);
            bn.setNOut(ch);
            bn.setDecay(Json.isPresent(c, "momentum") ? c.get("momentum").asDouble() : 0.99);
            bn.setEps(Json.isPresent(c, "epsilon") ? c.get("epsilon").asDouble() : 1e-3);
            bn.setCnn2DFormat(CNN2DFormat.NHWC);
            bn.setHasGamma(gamma != null);
            bn.setHasBeta(beta != null);
            bn.setLockGammaBeta(gamma == null && beta == null);
            bn.setRegularizationGamma(ctx.regularization(gamma));
            bn.setRegularizationBeta(ctx.regularization(beta));
            String src = inputs.get(0), bnVertex = vertex;
            boolean flat = rank != 2 && rank != 4;
            if (flat) { // (n, ..., c) as rows of c: the same per-channel statistics, and DL4J's 2-D layer
                if (java.util.Arrays.asList(in).subList(1, rank).contains(null)) {
                    ctx.unsupported(l, "input", "BatchNormalization on a " + rank + "-D input needs known dimensions");
                    return null;
                }
                ctx.addVertex(vertex + "__rows", KerasReshapeVertex.rows(ch), new Long[]{null, ch}, List.of(src));
                src = vertex + "__rows";
                bnVertex = vertex + "__bn";
            }
            ctx.addLayer(bnVertex, bn, l.trainable(), flat ? new Long[]{null, ch} : in, List.of(src));
            if (gamma != null) ctx.bind(gamma.name(), bnVertex, "gamma", Layout.SAME);
            if (beta != null) ctx.bind(beta.name(), bnVertex, "beta", Layout.SAME);
            ctx.bind(mean.name(), bnVertex, "mean", Layout.SAME);
            ctx.bind(var.name(), bnVertex, "var", Layout.SAME);
            return flat ? ConvSupport.reshape(ctx, vertex, bnVertex, in) : bnVertex;
        }
    }

    /** Rescaling (x·scale + offset) and Normalization ((x − mean)/max(√variance, 1e-7)), per last-axis channel. */
    public static final class Affine implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("Rescaling", "Normalization");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            JsonNode c = l.config();
            Long[] in = ctx.shape(inputs.get(0));
            if (in == null || in.length < 2) {
                ctx.unsupported(l, "input", "unknown input shape");
                return null;
            }
            long ch = in[in.length - 1] == null ? -1 : in[in.length - 1];
            float[] one = {1f}, zero = {0f};
            ElementwiseAffine layer;
            if (l.className().equals("Rescaling")) {
                float[] scale = values(c.get("scale"), 1f), offset = values(c.get("offset"), 0f);
                if (!fits(scale, ch) || !fits(offset, ch)) {
                    ctx.unsupported(l, "scale", "Rescaling scale/offset must be scalars or one value per channel (last axis)");
                    return null;
                }
                layer = new ElementwiseAffine(vertex, zero, one, scale, offset);
            } else {
                if (Boolean.TRUE.equals(Json.bool(c, "invert"))) {
                    ctx.unsupported(l, "invert", "Normalization(invert=True) is not supported yet");
                    return null;
                }
                Integer ax = axis(c, in.length, in.length - 1);
                JsonNode a = c.get("axis");
                boolean global = a != null && (a.isNull() || (a.isArray() && a.isEmpty()));
                if (!global && (ax == null || ax != in.length - 1)) {
                    ctx.unsupported(l, "axis", "Normalization over axis " + Json.compact(a) + " is not supported yet (only the last axis)");
                    return null;
                }
                float[] mean = stat(l, c, "mean"), var = stat(l, c, "variance");
                if (mean == null || var == null || !fits(mean, ch) || !fits(var, ch)) {
                    ctx.unsupported(l, "mean", "Normalization needs its adapted mean and variance (one per channel)");
                    return null;
                }
                float[] div = new float[var.length];
                for (int i = 0; i < div.length; i++) div[i] = Math.max((float) Math.sqrt(var[i]), 1e-7f);
                layer = new ElementwiseAffine(vertex, mean, div, one, zero);
            }
            ctx.addLayer(vertex, layer, true, in, inputs);
            return vertex;
        }

        private static boolean fits(float[] v, long ch) {
            return v.length == 1 || v.length == ch;
        }

        /** Normalization statistics: the layer's weights, else the constants given in its config. */
        private static float[] stat(LayerSpec l, JsonNode c, String name) {
            WeightSpec w = ConvSupport.byRole(l, name);
            if (w == null) w = l.weight(name).orElse(null);
            if (w != null && w.data() != null) return w.data();
            return Json.isPresent(c, name) ? values(c.get(name), Float.NaN) : null;
        }

        private static float[] values(JsonNode n, float dflt) {
            if (n == null || n.isNull()) return new float[]{dflt};
            if (n.isObject() && n.has("config")) n = n.get("config").has("value") ? n.get("config").get("value") : n;
            List<Float> out = new java.util.ArrayList<>();
            flatten(n, out);
            float[] r = new float[out.size()];
            for (int i = 0; i < r.length; i++) r[i] = out.get(i);
            return r;
        }

        private static void flatten(JsonNode n, List<Float> out) {
            if (n.isArray()) for (JsonNode e : n) flatten(e, out);
            else out.add((float) n.asDouble());
        }
    }

    /** PReLU: x for x > 0, alpha·x otherwise; alpha has the input's shape with the shared axes of size 1. */
    public static final class PReLU implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("PReLU");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            Long[] in = ctx.shape(inputs.get(0));
            WeightSpec alpha = ConvSupport.byRole(l, "alpha");
            if (in == null || alpha == null) {
                ctx.unsupported(l, "alpha", "PReLU needs a known input rank and its alpha weights");
                return null;
            }
            JsonNode sa = l.config().get("shared_axes");
            long[] shared = new long[0];
            if (sa != null && !sa.isNull()) {
                JsonNode arr = sa.isArray() ? sa : Json.MAPPER.createArrayNode().add(sa);
                shared = new long[arr.size()];
                for (int i = 0; i < shared.length; i++) shared[i] = arr.get(i).asLong();
            }
            long[] shape = new long[in.length - 1];
            for (int i = 0; i < shape.length; i++) shape[i] = in[i + 1] == null ? 1 : in[i + 1];
            ctx.addLayer(vertex, new KerasPReLU(vertex, shape, shared.length > 0 ? shared : null, ctx.regularization(alpha)),
                    l.trainable(), in, inputs);
            ctx.bind(alpha.name(), vertex, "W", Layout.SAME);
            return vertex;
        }
    }

    /**
     * UnitNormalization: Keras computes x·min(1/√Σx², 1e12) over its axes ({@code ops.normalize}, epsilon 1e-12). Over
     * the features of a [batch, features] input: DL4J's L2NormalizeVertex with eps = 1e-12 (x / max(√Σx², eps), the
     * same up to the rounding of one reciprocal square root; the DL4J → Keras export writes that vertex back as
     * UnitNormalization). Any other rank or axes (counted with the batch as 0; not the batch):
     * {@link KerasAxisNormalization} in UNIT mode.
     */
    public static final class UnitNorm implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("UnitNormalization");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            Long[] in = ctx.shape(inputs.get(0));
            int[] axes = in == null ? null : axes(l.config(), in.length);
            if (in == null || axes == null || java.util.Arrays.asList(in).subList(1, in.length).contains(null)) {
                ctx.unsupported(l, "axis", "UnitNormalization needs an input of known non-batch dimensions and axes other"
                        + " than the batch (this one: " + (in == null ? "unknown shape" : java.util.Arrays.toString(in))
                        + ", axis " + Json.compact(l.config().get("axis")) + ")");
                return null;
            }
            if (in.length == 2) {
                ctx.addVertex(vertex, new org.deeplearning4j.nn.conf.graph.L2NormalizeVertex(new int[]{1}, 1e-12), in, inputs);
                return vertex;
            }
            ctx.addLayer(vertex, new KerasAxisNormalization(vertex, KerasAxisNormalization.Mode.UNIT, in.length, axes,
                    in[in.length - 1], 1e-12, null), true, in, inputs);
            return vertex;
        }
    }

    /** A config's "axis" (int or list; default −1) as sorted distinct non-negative axes; null if one is the batch or out of range. */
    static int[] axes(JsonNode c, int rank) {
        JsonNode a = c.get("axis");
        java.util.TreeSet<Integer> out = new java.util.TreeSet<>();
        if (a == null || a.isNull()) out.add(rank - 1);
        else for (JsonNode e : a.isArray() ? a : Json.MAPPER.createArrayNode().add(a)) {
            int ax = e.asInt();
            ax = ax < 0 ? ax + rank : ax;
            if (ax < 1 || ax >= rank) return null;
            out.add(ax);
        }
        return out.isEmpty() ? null : out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** RMSNormalization over the last axis: x·rsqrt(mean(x²) + ε)·scale ({@link KerasAxisNormalization}, RMS mode). */
    public static final class RmsNorm implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("RMSNormalization");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            Long[] in = ctx.shape(inputs.get(0));
            int[] axes = in == null ? null : axes(l.config(), in.length);
            WeightSpec scale = l.weight("scale").orElse(ConvSupport.byRole(l, "scale"));
            if (in == null || in[in.length - 1] == null || axes == null || axes.length != 1 || axes[0] != in.length - 1) {
                ctx.unsupported(l, "axis", "RMSNormalization over axis " + Json.compact(l.config().get("axis"))
                        + " is not supported yet (only the last axis, of a known size)");
                return null;
            }
            if (scale == null) {
                ctx.unsupported(l, "scale", "the RMSNormalization scale weight is missing from the file");
                return null;
            }
            double eps = Json.isPresent(l.config(), "epsilon") ? l.config().get("epsilon").asDouble() : 1e-6;
            ctx.addLayer(vertex, new KerasAxisNormalization(vertex, KerasAxisNormalization.Mode.RMS, in.length, axes,
                    in[in.length - 1], eps, ctx.regularization(scale)), l.trainable(), in, inputs);
            ctx.bind(scale.name(), vertex, "scale", Layout.SAME);
            return vertex;
        }
    }

    /**
     * GroupNormalization over the last axis (channels last) of an input with known dimensions, any rank
     * ({@link KerasGroupNormalization}); groups = −1 is one group per channel.
     */
    public static final class GroupNorm implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("GroupNormalization");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            JsonNode c = l.config();
            Long[] in = ctx.shape(inputs.get(0));
            if (in == null || in.length < 2 || java.util.Arrays.asList(in).subList(1, in.length).contains(null)) {
                ctx.unsupported(l, "input", "GroupNormalization needs an input of known non-batch dimensions");
                return null;
            }
            Integer ax = axis(c, in.length, in.length - 1);
            if (ax == null || ax != in.length - 1) {
                ctx.unsupported(l, "axis", "GroupNormalization over axis " + Json.compact(c.get("axis"))
                        + " is not supported yet (only the last axis, channels_last)");
                return null;
            }
            long ch = in[in.length - 1];
            int groups = c.path("groups").asInt(32);
            if (groups == -1) groups = (int) ch;
            if (groups < 1 || ch % groups != 0) {
                ctx.unsupported(l, "groups", "groups " + groups + " does not divide the " + ch + " channels");
                return null;
            }
            long[] shape = new long[in.length - 1];
            for (int i = 0; i < shape.length; i++) shape[i] = in[i + 1];
            double eps = Json.isPresent(c, "epsilon") ? c.get("epsilon").asDouble() : 1e-3;
            WeightSpec gamma = l.weight("gamma").orElse(null), beta = l.weight("beta").orElse(null);
            ctx.addLayer(vertex, new KerasGroupNormalization(vertex, shape, groups, eps, beta != null, gamma != null,
                    ctx.regularization(gamma), ctx.regularization(beta)), l.trainable(), in, inputs);
            if (gamma != null) ctx.bind(gamma.name(), vertex, "gamma", Layout.SAME);
            if (beta != null) ctx.bind(beta.name(), vertex, "beta", Layout.SAME);
            return vertex;
        }
    }
}
