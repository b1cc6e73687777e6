package org.kerasport.dl4j.mappers;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.kerasport.dl4j.MappingContext;
import org.kerasport.dl4j.layers.KerasOpVertex;
import org.kerasport.format.Json;
import org.kerasport.model.InboundNode;
import org.kerasport.model.LayerSpec;
import org.kerasport.model.TensorRef;

/**
 * Keras masks as Keras propagates them. A mask is a [batch, time] vertex of 1 (a step that counts) and 0.
 * <ul>
 * <li>Keras 3 functional files record the mask passed to each call that takes one ({@code mask} in the call's
 *     kwargs, computed by the {@code NotEqual}/{@code Any} operation layers Keras writes): that tensor is used.</li>
 * <li>Sequential models and Keras 1/2 files keep masks implicit: {@code Embedding(mask_zero=True)} makes
 *     {@code ids != 0}, {@code Masking(v)} makes {@code any(x != v, axis=-1)}; recurrent layers returning sequences
 *     and the layers that pass masks on unchanged (dropouts, activations, Dense, LayerNormalization) pass them on; other
 *     layers drop them, as Keras' compute_mask does.</li>
 * </ul>
 * Recurrent layers consume masks ({@link org.kerasport.dl4j.layers.KerasRecurrent}: a masked step keeps the state and
 * repeats the previous output, as Keras' backend rnn does); another layer that Keras lets use a mask refuses one by name.
 */
public final class Masks {
    private Masks() {
    }

    /** Layers that pass their input's mask on unchanged (their Keras compute_mask returns it). */
    static final Set<String> PASS_ON = Set.of("Dropout", "SpatialDropout1D", "GaussianNoise", "GaussianDropout", "AlphaDropout",
            "Activation", "ReLU", "LeakyReLU", "ELU", "PReLU", "ThresholdedReLU", "Dense", "TimeDistributed",
            "LayerNormalization", "ActivityRegularization");
    /** Layers whose Keras computation uses a mask, which Kerasport does not reproduce yet. */
    static final Set<String> USES_MASK = Set.of("GlobalAveragePooling1D", "MultiHeadAttention", "Attention",
            "AdditiveAttention", "GroupedQueryAttention", "ConvLSTM1D", "ConvLSTM2D", "BatchNormalization", "Softmax");

    /** Sets {@link MappingContext#callMask} for the call about to be mapped; refuses a mask a layer would misuse. */
    public static void beforeCall(LayerSpec l, InboundNode call, String prefix, Function<TensorRef, String> resolve, MappingContext ctx) {
        ctx.callMask = null;
        ctx.callMaskExplicit = false;
        JsonNode kw = call.kwargs();
        if (kw != null && kw.has("mask")) {
            ctx.callMaskExplicit = true;
            JsonNode m = kw.get("mask");
            JsonNode h = m == null ? null : m.path("config").get("keras_history");
            if (h != null && h.isArray() && h.size() == 3)
                ctx.callMask = resolve.apply(new TensorRef(prefix + h.get(0).asText(), h.get(1).asInt(), h.get(2).asInt()));
            else if (m != null && !m.isNull()) {
                ctx.unsupported(l, "mask", "a mask given as " + m + " (only a tensor of the model) is not supported");
                return;
            }
        } else {
            TensorRef src = call.inputs().isEmpty() ? null : call.inputs().get(0);
            Supplier<String> s = src == null ? null : ctx.masks.get(prefix + src.layer());
            if (s != null) ctx.callMask = s.get();
        }
        if (ctx.callMask != null && USES_MASK.contains(l.className()))
            ctx.unsupported(l, "mask", "a mask (from Embedding(mask_zero=True) or Masking) reaching " + l.className()
                    + " is not supported yet (only recurrent layers use masks here)");
    }

    /** Records the mask of the layer's output, for implicit propagation. */
    public static void afterCall(LayerSpec l, InboundNode call, String prefix, List<String> inputs, MappingContext ctx) {
        ctx.callMask = null; // for this call only
        ctx.callMaskExplicit = false;
        TensorRef src = call.inputs().isEmpty() ? null : call.inputs().get(0);
        String name = prefix + l.name();
        Supplier<String> in = src == null ? null : ctx.masks.get(prefix + src.layer());
        switch (l.className()) {
            case "Embedding" -> {
                if (Json.isPresent(l.config(), "mask_zero") && l.config().get("mask_zero").asBoolean() && src != null) {
                    String ids = inputs.get(0);
                    ctx.masks.put(name, once(() -> compare(name + "__mask", ids, "not_equal", 0.0, ctx)));
                }
            }
            case "Masking" -> {
                double mv = Json.isPresent(l.config(), "mask_value") ? l.config().get("mask_value").asDouble() : 0.0;
                String x = inputs.get(0);
                ctx.masks.put(name, once(() -> {
                    String ne = compare(name + "__mask_ne", x, "not_equal", mv, ctx);
                    Long[] s = ctx.shape(x);
                    Long[] o = {s[0], s[1]};
                    ctx.addVertex(name + "__mask", new KerasOpVertex("any", 0, new int[]{-1}, false, withoutBatch(o)), o, List.of(ne));
                    return name + "__mask";
                }));
            }
            case "LSTM", "GRU", "SimpleRNN", "Bidirectional", "RNN" -> {
                LayerSpec cell = l.className().equals("Bidirectional") && l.inner() != null && !l.inner().layers().isEmpty()
                        ? l.inner().layers().get(0) : l;
                boolean seq = Json.isPresent(cell.config(), "return_sequences") && cell.config().get("return_sequences").asBoolean();
                if (seq && in != null) ctx.masks.put(name, in);
            }
            default -> {
                if (PASS_ON.contains(l.className()) && in != null) ctx.masks.put(name, in);
            }
        }
    }

    private static String compare(String vertex, String x, String op, double c, MappingContext ctx) {
        Long[] s = ctx.shape(x);
        ctx.addVertex(vertex, new KerasOpVertex(op, c, null, false, withoutBatch(s)), s, List.of(x));
        return vertex;
    }

    static long[] withoutBatch(Long[] s) {
        long[] o = new long[s.length - 1];
        for (int i = 1; i < s.length; i++) o[i - 1] = s[i] == null ? -1 : s[i];
        return o;
    }

    private static Supplier<String> once(Supplier<String> make) {
        return new Supplier<>() {
            private String v;

            @Override
            public String get() {
                if (v == null) v = make.get();
                return v;
            }
        };
    }
}
