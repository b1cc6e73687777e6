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
import org.deeplearning4j.nn.conf.graph.StackVertex;
import org.deeplearning4j.nn.conf.graph.UnstackVertex;
import org.kerasport.dl4j.LayerMapper;
import org.kerasport.dl4j.Layout;
import org.kerasport.dl4j.MappingContext;
import org.kerasport.dl4j.layers.KerasLayerNormalization;
import org.kerasport.dl4j.layers.KerasMultiHeadAttention;
import org.kerasport.format.Json;
import org.kerasport.model.LayerSpec;
import org.kerasport.model.WeightSpec;

/**
 * Attention family: LayerNormalization and MultiHeadAttention as custom SameDiff layers (PReLU is in NormalizationMappers) (exact forward pass,
 * autodiff gradients), and {@link Shared}: one Keras layer with weights called several times.
 */
public final class AttentionMappers {
    private AttentionMappers() {
    }

    /** Every mapper of this family. */
    public static List<LayerMapper> all() {
        return List.of(new LayerNormalization(), new MultiHeadAttention());
    }

    /** Keras LayerNormalization over the last axis (any input rank). */
    public static final class LayerNormalization implements LayerMapper {
        @Override
        public Set<String> classNames() {
            return Set.of("LayerNormalization");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            Long[] in = ctx.shape(inputs.get(0));
            if (in == null || in.length < 2 || in[in.length - 1] == null) {
                ctx.unsupported(l, "input", "LayerNormalization needs an input with a known last dimension");
                return null;
            }
            int rank = in.length;
            JsonNode ax = l.config().get("axis");
            List<Integer> axes = new ArrayList<>();
            if (ax == null || ax.isNull()) axes.add(-1);
            else if (ax.isArray()) ax.forEach(a -> axes.add(a.asInt()));
            else axes.add(ax.asInt());
            if (axes.size() != 1 || (axes.get(0) != -1 && axes.get(0) != rank - 1)) {
                ctx.unsupported(l, "axis", "LayerNormalization over axes " + axes + " of a rank-" + rank
                        + " input: only the last axis is supported yet");
                return null;
            }
            double eps = Json.isPresent(l.config(), "epsilon") ? l.config().get("epsilon").asDouble() : 1e-3;
            boolean rms = l.config().path("rms_scaling").asBoolean(false);
            WeightSpec gamma = l.weight("gamma").orElse(null), beta = l.weight("beta").orElse(null);
            long f = in[rank - 1];
            ctx.addLayer(vertex, new KerasLayerNormalization(vertex, f, rank, eps, beta != null, gamma != null, rms,
                    ctx.regularization(gamma), ctx.regularization(beta)), l.trainable(), in, inputs);
            if (gamma != null) ctx.bind("gamma", vertex, "gamma", Layout.SAME);
            if (beta != null && !rms) ctx.bind("beta", vertex, "beta", Layout.SAME);
            if (beta != null && rms) ctx.note(l.name() + ": rms_scaling ignores beta, as Keras does");
            return vertex;
        }
    }


    /**
     * Keras MultiHeadAttention on (batch, seq, features) inputs, called as {@code mha(query, value[, key])}; no
     * masks, attention over the sequence axis, no gate, no sliding window.
     */
    public static final class MultiHeadAttention implements LayerMapper {
        private static final Set<String> TENSOR_KWARGS = Set.of("query", "value", "key", "attention_mask", "query_mask",
                "value_mask", "key_mask");

        @Override
        public Set<String> classNames() {
            return Set.of("MultiHeadAttention");
        }

        @Override
        public String map(LayerSpec l, String vertex, List<String> inputs, MappingContext ctx) {
            JsonNode c = l.config();
            boolean ok = true;
            for (var node : l.inboundNodes()) {
                JsonNode kw = node.kwargs();
                if (kw == null) continue;
                for (Iterator<Map.Entry<String, JsonNode>> it = kw.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    boolean set = !e.getValue().isNull() && !(e.getValue().isBoolean() && !e.getValue().asBoolean());
                    if (TENSOR_KWARGS.contains(e.getKey()) && set) {
                        ctx.unsupported(l, "inbound_nodes", "MultiHeadAttention called with '" + e.getKey()
                                + "' as a keyword argument is not supported yet (pass query, value, key positionally; no masks)");
                        ok = false;
                    } else if ((e.getKey().equals("use_causal_mask") || e.getKey().equals("return_attention_scores")) && set) {
                        ctx.unsupported(l, e.getKey(), e.getKey() + "=True is not supported yet");
                        ok = false;
                    }
                }
            }
            if (c.path("use_gate").asBoolean(false)) {
                ctx.unsupported(l, "use_gate", "gated attention is not supported yet");
                ok = false;
            }
            if (Json.isPresent(c, "sliding_window")) {
                ctx.unsupported(l, "sliding_window", "sliding-window attention is not supported yet");
                ok = false;
            }
            JsonNode axes = c.get("attention_axes");
            if (axes != null && !axes.isNull()) {
                boolean seqAxis = (axes.isArray() && axes.size() == 1 && (axes.get(0).asInt() == 1 || axes.get(0).asInt() == -2))
                        || (axes.isInt() && (axes.asInt() == 1 || axes.asInt() == -2));
                if (!seqAxis) {
                    ctx.unsupported(l, "attention_axes", "attention over axes " + axes + " is not supported yet (only the sequence axis of 3-D inputs)");
                    ok = false;
                }
            }
            if (inputs.size() < 2 || inputs.size() > 3) {
                ctx.unsupported(l, "inbound_nodes", "MultiHeadAttention needs (query, value[, key]) positional inputs; got " + inputs.size());
                return null;
            }
            List<String> distinct = new ArrayList<>();
            for (String i : inputs) if (!distinct.contains(i)) distinct.add(i);
            int[] roles = {distinct.indexOf(inputs.get(0)), distinct.indexOf(inputs.get(1)),
                    distinct.indexOf(inputs.get(inputs.size() == 3 ? 2 : 1))};
            long[] seq = new long[distinct.size()], dims = new long[distinct.size()];
            for (int i = 0; i < distinct.size(); i++) {
                Long[] s = ctx.shape(distinct.get(i));
                if (s == null || s.length != 3 || s[1] == null || s[2] == null) {
                    ctx.unsupported(l, "input", "MultiHeadAttention inputs must be (batch, seq, features) with known sizes; got " + Arrays.toString(s));
                    return null;
                }
                seq[i] = s[1];
                dims[i] = s[2];
            }
            if (seq[roles[1]] != seq[roles[2]]) {
                ctx.unsupported(l, "inbound_nodes", "value and key sequence lengths differ");
                return null;
            }
            if (!ok) return null;
            int heads = c.get("num_heads").asInt();
            long keyDim = c.get("key_dim").asLong();
            long valueDim = Json.isPresent(c, "value_dim") ? c.get("value_dim").asLong() : keyDim;
            long outDim = dims[roles[0]];
            JsonNode os = c.get("output_shape");
            if (os != null && !os.isNull()) {
                if (os.isInt()) outDim = os.asLong();
                else if (os.isArray() && os.size() == 1) outDim = os.get(0).asLong();
                else {
                    ctx.unsupported(l, "output_shape", "output_shape " + os + " is not supported yet (only one output dimension)");
                    return null;
                }
            }
            double dropout = c.path("dropout").asDouble(0.0);
            if (dropout > 0) ctx.note(l.name() + ": attention dropout " + dropout + " is not applied (identity, as at inference); training with it would differ from Keras");
            boolean useBias = !c.has("use_bias") || c.get("use_bias").asBoolean(true);
            WeightSpec qk = l.weight("query.kernel").orElse(null), qb = l.weight("query.bias").orElse(null);
            String in;
            if (distinct.size() == 1) {
                in = distinct.get(0);
            } else {
                List<String> flat = new ArrayList<>();
                long total = 0;
                for (int i = 0; i < distinct.size(); i++) {
                    String fv = vertex + "__flat" + i;
                    long n = seq[i] * dims[i];
                    ctx.addVertex(fv, new ReshapeVertex('c', new int[]{-1, (int) n}, null), new Long[]{null, n}, List.of(distinct.get(i)));
                    flat.add(fv);
                    total += n;
                }
                in = vertex + "__inputs";
                ctx.addVertex(in, new MergeVertex(), new Long[]{null, total}, flat);
            }
            ctx.addLayer(vertex, new KerasMultiHeadAttention(vertex, heads, keyDim, valueDim, outDim, useBias, seq, dims,
                    roles, ctx.regularization(qk), ctx.regularization(qb)), l.trainable(),
                    new Long[]{ctx.shape(inputs.get(0))[0], seq[roles[0]], outDim}, List.of(in));
            String[][] names = {{"query", "q"}, {"key", "k"}, {"value", "v"}, {"attention_output", "o"}};
            for (String[] n : names) {
                ctx.bind(n[0] + ".kernel", vertex, n[1] + "W", Layout.SAME);
                if (useBias) ctx.bind(n[0] + ".bias", vertex, n[1] + "b", Layout.SAME);
            }
            return vertex;
        }
    }

    /**
     * One Keras layer with weights called several times (shared weights). DL4J vertices cannot share parameters, so
     * the calls are stacked along the batch axis ({@link StackVertex}, one per input position), the layer is mapped
     * ONCE on the stacked batch by its ordinary mapper, and each call's rows are taken back out with an
     * {@link UnstackVertex}. This is exact for layers that treat every sample independently: the forward pass of each
     * call is unchanged, the gradient of the one parameter set is the sum over all calls (DL4J sums over the rows and
     * divides by the real batch size, like Keras' mean over the batch), and regularization is counted once.
     * Requirements: the calls are independent of one another (no call consumes another call's output) and each input
     * position has the same shape in every call. Classes verified against Keras: {@link #CLASSES}.
     */
    public static final class Shared {
        /** Layer classes whose shared use is exact this way (per-sample computation, no batch statistics). */
        public static final Set<String> CLASSES = Set.of("Dense");

        private Shared() {
        }

        /**
         * @param callInputs the DL4J vertices feeding each call, in call order
         * @return the DL4J vertex producing each call's output, or null after reporting the layer unsupported
         */
        public static List<String> map(LayerSpec l, String vertex, List<List<String>> callInputs, LayerMapper mapper,
                                       MappingContext ctx) {
            if (!CLASSES.contains(l.className())) {
                ctx.unsupported(l, "inbound_nodes", "a " + l.className() + " layer applied " + callInputs.size()
                        + " times (shared weights) is not supported yet (supported: " + String.join(", ", CLASSES) + ")");
                return null;
            }
            if (mapper == null) {
                ctx.unsupported(l, "class_name", "no DL4J mapping for " + l.className() + " yet");
                return null;
            }
            int n = callInputs.size(), arity = callInputs.get(0).size();
            List<String> stacked = new ArrayList<>();
            for (int p = 0; p < arity; p++) {
                List<String> column = new ArrayList<>();
                Long[] shape = null;
                for (List<String> call : callInputs) {
                    if (call.size() != arity) {
                        ctx.unsupported(l, "inbound_nodes", "the calls of the shared layer take different numbers of inputs");
                        return null;
                    }
                    Long[] s = ctx.shape(call.get(p));
                    if (shape == null) shape = s;
                    else if (!Arrays.equals(shape, s)) {
                        ctx.unsupported(l, "inbound_nodes", "the calls of the shared layer have inputs of different shapes "
                                + Arrays.toString(shape) + " and " + Arrays.toString(s) + "; not supported yet");
                        return null;
                    }
                    column.add(call.get(p));
                }
                String sv = vertex + "__stack" + (arity == 1 ? "" : p);
                ctx.addVertex(sv, new StackVertex(), shape, column);
                stacked.add(sv);
            }
            String out = mapper.map(l, vertex, stacked, ctx);
            if (out == null) return null;
            List<String> outs = new ArrayList<>();
            for (int c = 0; c < n; c++) {
                String uv = vertex + "__call" + c;
                ctx.addVertex(uv, new UnstackVertex(c, n), ctx.shape(out), List.of(out));
                outs.add(uv);
            }
            ctx.note(l.name() + " (" + l.className() + "): shared by " + n + " calls: one DL4J layer over the calls stacked along the batch axis");
            return outs;
        }
    }
}
