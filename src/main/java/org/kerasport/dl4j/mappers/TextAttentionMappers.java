package org.kerasport.dl4j.mappers;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.ReshapeVertex;
import org.kerasport.dl4j.LayerMapper;
import org.kerasport.dl4j.Layout;
import org.kerasport.dl4j.MappingContext;
import org.kerasport.format.kinds.EinsumPlan;
import org.kerasport.dl4j.layers.KerasDot;
import org.kerasport.dl4j.layers.KerasDotAttention;
import org.kerasport.dl4j.layers.KerasEinsumDense;
import org.kerasport.dl4j.layers.KerasGroupedQueryAttention;
import org.kerasport.format.Json;
import org.kerasport.model.LayerSpec;
import org.kerasport.model.WeightSpec;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * Text/attention layers as custom SameDiff layers (exact forward pass, autodiff gradients): EinsumDense, Dot,
 * Attention and AdditiveAttention. Layers of several input tensors get them packed into one DL4J input
 * ({@link #pack}, unpacked by {@link org.kerasport.dl4j.layers.KerasPackedInputsLayer}).
 */
public final class TextAttentionMappers {
    private TextAttentionMappers() {
    }

    /** Every mapper of this family. */
    public static List<LayerMapper> all() {
        return List.of(new EinsumDense(), new Dot(), new DotAttention(), new GroupedQueryAttention());
    }

    /** The distinct input vertices of a layer, in first-use order. */
    static List<String> distinct(List<String> inputs) {
        List<String> d = new ArrayList<>();
        for (String i : inputs) if (!d.contains(i)) d.add(i);
        return d;
    }

    /**
     * Non-batch Keras shapes of the vertices, or null (after reporting) when one is not fully known or its rank is
     * outside {@code minRank..maxRank} (counting the batch axis).
     */
    static long[][] knownShapes(LayerSpec l, List<String> vertices, int minRank, int maxRank, MappingContext ctx) {
        long[][] out = new long[vertices.size()][];
        for (int i = 0; i < out.length; i++) {
            Long[] s = ctx.shape(vertices.get(i));
            if (s == null || s.length < minRank || s.length > maxRank || Arrays.asList(s).subList(1, s.length).contains(null)) {
                ctx.unsupported(l, "input", l.className() + " needs inputs of rank " + minRank
                        + (maxRank == minRank ? "" : " to " + maxRank) + " with known sizes (other than the batch); got "
                        + Arrays.toString(s));
                return null;
            }
            out[i] = new long[s.length - 1];
            for (int k = 1; k < s.length; k++) out[i][k - 1] = s[k];
        }
        return out;
    }

    /** One DL4J input for several tensors: the tensor itself, or each flattened to (B, size) and concatenated. */
    static String pack(String vertex, List<String> distinct, long[][] shapes, MappingContext ctx) {
        if (distinct.size() == 1) return distinct.get(0);
        List<String> flat = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < distinct.size(); i++) {
            long n = 1;
            for (long d : shapes[i]) n *= d;
            String fv = vertex + "__flat" + i;
            if (shapes[i].length == 1) fv = distinct.get(i);
            else ctx.addVertex(fv, new ReshapeVertex('c', new int[]{-1, (int) n}, null), new Long[]{null, n}, List.of(distinct.get(i)));
            flat.add(fv);
            total += n;
        }
        String in = vertex + "__inputs";
        ctx.addVertex(in, new MergeVertex(), new Long[]{null, total}, flat);
        return in;
    }

    static Long[] withBatch(Long batch, long[] s) {
        Long[] o = new Long[s.length + 1];
        o[0] = batch;
        for (int i = 0; i < s.length; i++) o[i + 1] = s[i];
        return o;
    }

    /** Keras EinsumDense: {@link KerasEinsumDense}, for the equations {@link EinsumPlan} supports. */
    public static final class EinsumDense implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("EinsumDense");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            JsonNode c = l.config();
            String eq = Json.text(c, "equation");
            long[][] shapes = knownShapes(l, inputs.subList(0, 1), 2, 5, ctx);
            if (shapes == null) return null;
            for (String f : new String[]{"lora_rank", "quantization_config"})
                if (Json.isPresent(c, f)) {
                    ctx.unsupported(l, f, "EinsumDense with " + f + " is not supported yet");
                    return null;
                }
            if (c.path("dtype").path("class_name").asText("").contains("Quantized")) {
                ctx.unsupported(l, "dtype", "a quantized EinsumDense is not supported yet");
                return null;
            }
            JsonNode os = c.get("output_shape");
            Long[] partial;
            if (os == null || os.isNull()) partial = new Long[0];
            else if (os.isNumber()) partial = new Long[]{os.asLong()};
            else {
                partial = new Long[os.size()];
                for (int i = 0; i < partial.length; i++) partial[i] = os.get(i).isNull() ? null : os.get(i).asLong();
            }
            String biasAxes = Json.isPresent(c, "bias_axes") ? c.get("bias_axes").asText() : null;
            EinsumPlan plan;
            try {
                plan = EinsumPlan.of(eq, shapes[0], partial, biasAxes);
            } catch (IllegalArgumentException e) {
                ctx.unsupported(l, "equation", "EinsumDense equation '" + eq + "' is not supported yet (" + e.getMessage()
                        + "; supported: each axis free (input and output), contracted (input and kernel) or a kernel"
                        + " output (kernel and output), the batch axis first, e.g. ab,bc->ac, abc,cd->abd, abc,cde->abde, abcd,cde->abe)");
                return null;
            }
            if (plan.out.length() > 5) {
                ctx.unsupported(l, "output_shape", "EinsumDense output of rank " + plan.out.length() + " is not supported yet (at most 5)");
                return null;
            }
            String act = RecurrentMappers.Recurrent.activation(l, c, "activation", "linear", ctx);
            if (act == null) return null;
            WeightSpec kernel = l.weight("kernel").orElse(null), bias = l.weight("bias").orElse(null);
            if ((bias != null) != (plan.biasShape != null)) {
                ctx.unsupported(l, "bias_axes", "the file's bias does not match bias_axes " + biasAxes);
                return null;
            }
            ctx.addLayer(vertex, new KerasEinsumDense(vertex, eq, shapes[0], partial, biasAxes, act,
                    ctx.regularization(kernel), ctx.regularization(bias)), l.trainable(),
                    withBatch(ctx.shape(inputs.get(0))[0], plan.outShape), inputs.subList(0, 1));
            ctx.bind("kernel", vertex, "kernel", Layout.SAME);
            if (bias != null) ctx.bind("bias", vertex, "bias", Layout.SAME);
            return vertex;
        }
    }

    /** Keras Dot(axes, normalize) of two tensors of rank 2 to 5: {@link KerasDot}. */
    public static final class Dot implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("Dot");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            if (inputs.size() != 2) {
                ctx.unsupported(l, "inbound_nodes", "Dot takes exactly 2 inputs; got " + inputs.size());
                return null;
            }
            List<String> distinct = distinct(inputs);
            long[][] shapes = knownShapes(l, distinct, 2, 5, ctx);
            if (shapes == null) return null;
            int[] roles = {distinct.indexOf(inputs.get(0)), distinct.indexOf(inputs.get(1))};
            int rx = shapes[roles[0]].length + 1, ry = shapes[roles[1]].length + 1;
            JsonNode a = l.config().get("axes");
            int[] axes;
            if (a != null && a.isInt()) {
                int v = a.asInt();
                axes = v < 0 ? new int[]{Math.floorMod(v, rx), Math.floorMod(v, ry)} : new int[]{v, v};
            } else if (a != null && a.isArray() && a.size() == 2) {
                axes = new int[]{a.get(0).asInt(), a.get(1).asInt()};
                if (axes[0] < 0) axes[0] = Math.floorMod(axes[0], rx);
                if (axes[1] < 0) axes[1] = Math.floorMod(axes[1], ry);
            } else {
                ctx.unsupported(l, "axes", "Dot axes " + a + " is not supported (an int or two ints)");
                return null;
            }
            if (axes[0] < 1 || axes[0] >= rx || axes[1] < 1 || axes[1] >= ry
                    || shapes[roles[0]][axes[0] - 1] != shapes[roles[1]][axes[1] - 1]) {
                ctx.unsupported(l, "axes", "Dot axes " + a + " do not fit inputs of shapes "
                        + Arrays.toString(shapes[roles[0]]) + " and " + Arrays.toString(shapes[roles[1]]));
                return null;
            }
            List<Long> out = new ArrayList<>();
            for (int i = 0; i < rx - 1; i++) if (i != axes[0] - 1) out.add(shapes[roles[0]][i]);
            for (int i = 0; i < ry - 1; i++) if (i != axes[1] - 1) out.add(shapes[roles[1]][i]);
            if (out.isEmpty()) out.add(1L);
            if (out.size() > 4) {
                ctx.unsupported(l, "inbound_nodes", "a Dot output of rank " + (out.size() + 1) + " is not supported yet (at most 5)");
                return null;
            }
            long[] os = out.stream().mapToLong(Long::longValue).toArray();
            boolean normalize = l.config().path("normalize").asBoolean(false);
            ctx.addLayer(vertex, new KerasDot(vertex, shapes, roles, axes, normalize, os), true,
                    withBatch(null, os), List.of(pack(vertex, distinct, shapes, ctx)));
            return vertex;
        }
    }

    /**
     * Keras Attention (score_mode dot/concat, use_scale) and AdditiveAttention (use_scale) on 3-D inputs, called on
     * [query, value(, key)] with use_causal_mask or not: {@link KerasDotAttention}. Masks (query/value masks, mask
     * propagation) and return_attention_scores are refused; dropout in training draws from ND4J's generator.
     */
    public static final class DotAttention implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("Attention", "AdditiveAttention");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            JsonNode c = l.config();
            boolean causal = false;
            for (var node : l.inboundNodes()) {
                JsonNode kw = node.kwargs();
                if (kw == null) continue;
                for (Iterator<Map.Entry<String, JsonNode>> it = kw.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    JsonNode v = e.getValue();
                    boolean set = !v.isNull() && !(v.isBoolean() && !v.asBoolean());
                    switch (e.getKey()) {
                        case "use_causal_mask" -> causal = set;
                        case "training" -> { }
                        default -> {
                            if (set) {
                                ctx.unsupported(l, "inbound_nodes", l.className() + " called with '" + e.getKey()
                                        + "' is not supported yet");
                                return null;
                            }
                        }
                    }
                }
            }
            if (inputs.size() < 2 || inputs.size() > 3) {
                ctx.unsupported(l, "inbound_nodes", l.className() + " needs [query, value(, key)]; got " + inputs.size() + " inputs");
                return null;
            }
            List<String> distinct = distinct(inputs);
            long[][] shapes = knownShapes(l, distinct, 3, 3, ctx);
            if (shapes == null) return null;
            int[] roles = {distinct.indexOf(inputs.get(0)), distinct.indexOf(inputs.get(1)),
                    distinct.indexOf(inputs.get(inputs.size() == 3 ? 2 : 1))};
            long[] q = shapes[roles[0]], v = shapes[roles[1]], k = shapes[roles[2]];
            if (q[1] != k[1] || v[0] != k[0]) {
                ctx.unsupported(l, "inbound_nodes", l.className() + ": query " + Arrays.toString(q) + ", value "
                        + Arrays.toString(v) + " and key " + Arrays.toString(k) + " do not fit");
                return null;
            }
            boolean additive = l.className().equals("AdditiveAttention");
            String mode = additive ? "additive" : c.path("score_mode").asText("dot");
            if (!mode.equals("dot") && !mode.equals("concat") && !mode.equals("additive")) {
                ctx.unsupported(l, "score_mode", "score_mode '" + mode + "' is not supported");
                return null;
            }
            boolean useScale = c.path("use_scale").asBoolean(additive);
            double dropout = c.path("dropout").asDouble(0.0);
            if (dropout > 0) ctx.note(l.name() + ": attention dropout " + dropout + " in training draws from ND4J's"
                    + " random generator (Keras' distribution, not Keras' draws)");
            List<Regularization> reg = new ArrayList<>();
            WeightSpec scale = l.weight("scale").orElse(null);
            if (scale != null) reg = ctx.regularization(scale);
            ctx.addLayer(vertex, new KerasDotAttention(vertex, mode, useScale, causal, shapes, roles, reg).withDropout(dropout), l.trainable(),
                    withBatch(ctx.shape(inputs.get(0))[0], new long[]{q[0], v[1]}), List.of(pack(vertex, distinct, shapes, ctx)));
            if (useScale) ctx.bind("scale", vertex, "scale", Layout.SAME);
            if (mode.equals("concat")) ctx.bind("concat_score_weight", vertex, "csw", Layout.SAME); // DL4J parameter names take no '_'
            return vertex;
        }
    }

    /**
     * Keras GroupedQueryAttention called as {@code gqa(query, value[, key])} on (batch, seq, features) inputs, with
     * use_causal_mask or not: {@link KerasGroupedQueryAttention}. Other masks, attention scores, the gate, sliding
     * windows, dropout and activity regularizers are refused.
     */
    public static final class GroupedQueryAttention implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("GroupedQueryAttention");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            JsonNode c = l.config();
            boolean causal = false;
            for (var node : l.inboundNodes()) {
                JsonNode kw = node.kwargs();
                if (kw == null) continue;
                for (Iterator<Map.Entry<String, JsonNode>> it = kw.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    JsonNode v = e.getValue();
                    boolean set = !v.isNull() && !(v.isBoolean() && !v.asBoolean());
                    if (e.getKey().equals("use_causal_mask")) causal = set;
                    else if (set && !e.getKey().equals("training")) {
                        ctx.unsupported(l, "inbound_nodes", "GroupedQueryAttention called with '" + e.getKey()
                                + "' is not supported yet (pass query, value, key positionally; no masks but use_causal_mask)");
                        return null;
                    }
                }
            }
            if (c.path("use_gate").asBoolean(false)) {
                ctx.unsupported(l, "use_gate", "gated attention is not supported yet");
                return null;
            }
            if (Json.isPresent(c, "sliding_window")) {
                ctx.unsupported(l, "sliding_window", "sliding-window attention is not supported yet");
                return null;
            }
            if (c.path("dropout").asDouble(0.0) > 0) {
                ctx.unsupported(l, "dropout", "GroupedQueryAttention dropout is not supported yet");
                return null;
            }
            if (l.activityRegularizer() != null) { // Keras gives it to the four projections inside the layer as well
                ctx.unsupported(l, "activity_regularizer", "GroupedQueryAttention with an activity regularizer is not"
                        + " supported yet (Keras applies it to the query, key, value and output projections inside the layer too)");
                return null;
            }
            if (inputs.size() < 2 || inputs.size() > 3) {
                ctx.unsupported(l, "inbound_nodes", "GroupedQueryAttention needs (query, value[, key]); got " + inputs.size() + " inputs");
                return null;
            }
            List<String> distinct = distinct(inputs);
            long[][] shapes = knownShapes(l, distinct, 3, 3, ctx);
            if (shapes == null) return null;
            int[] roles = {distinct.indexOf(inputs.get(0)), distinct.indexOf(inputs.get(1)),
                    distinct.indexOf(inputs.get(inputs.size() == 3 ? 2 : 1))};
            if (shapes[roles[1]][0] != shapes[roles[2]][0]) {
                ctx.unsupported(l, "inbound_nodes", "value and key sequence lengths differ");
                return null;
            }
            int hq = c.get("num_query_heads").asInt(), hkv = c.get("num_key_value_heads").asInt();
            long headDim = c.get("head_dim").asLong();
            boolean useBias = c.path("use_bias").asBoolean(true);
            WeightSpec qk = l.weight("query.kernel").orElse(null), qb = l.weight("query.bias").orElse(null);
            ctx.addLayer(vertex, new KerasGroupedQueryAttention(vertex, hq, hkv, headDim, useBias, causal, shapes, roles,
                            ctx.regularization(qk), ctx.regularization(qb)), l.trainable(),
                    withBatch(ctx.shape(inputs.get(0))[0], shapes[roles[0]]), List.of(pack(vertex, distinct, shapes, ctx)));
            String[][] names = {{"query", "q"}, {"key", "k"}, {"value", "v"}, {"attention_output", "o"}};
            for (String[] n : names) {
                ctx.bind(n[0] + ".kernel", vertex, n[1] + "W", Layout.SAME);
                if (useBias) ctx.bind(n[0] + ".bias", vertex, n[1] + "b", Layout.SAME);
            }
            return vertex;
        }
    }
}
