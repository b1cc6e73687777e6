package org.kerasport.format;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.kerasport.model.KerasGraph;
import org.kerasport.model.LayerSpec;
import org.kerasport.model.Regularizer;

/**
 * The variables each Keras layer class owns, in Keras order (KERAS_FORMATS.md §2), with Keras 3 names, their role,
 * their regularizer and where a Keras 3 {@code .keras} weights file keeps them. One table for all readers (and the
 * writers later), so the containers cannot disagree about a layer's weights.
 */
public final class WeightLayout {

    /**
     * One expected variable.
     *
     * @param name        Keras 3 name relative to the top-level layer ({@code kernel}, {@code lstm_cell.kernel} ...)
     * @param role        kernel, bias, recurrent_kernel, depthwise_kernel, pointwise_kernel, embeddings, gamma, beta,
     *                    moving_mean, moving_variance, alpha, mean, variance, count
     * @param trainable   trainable in Keras (false for statistics and for weights of frozen layers)
     * @param v3Path      path below the layer's group in a {@code .keras} weights file ({@code vars/0}, {@code cell/vars/1})
     * @param regularizer the regularizer on it, or null
     */
    public record Expected(String name, String role, boolean trainable, String v3Path, Regularizer regularizer) {
        Expected prefixed(String namePrefix, String pathPrefix, boolean parentTrainable) {
            return new Expected(namePrefix + name, role, trainable && parentTrainable, pathPrefix + v3Path, regularizer);
        }
    }

    /** Parses the regularizer a layer config holds in a field; supplied by the {@link ConfigReader} that read it. */
    @FunctionalInterface
    public interface Regularizers {
        Regularizer of(LayerSpec layer, String field);
    }

    private final Regularizers regularizers;

    public WeightLayout(Regularizers regularizers) {
        this.regularizers = regularizers;
    }

    /** The layer's variables in Keras order, or null when Kerasport does not know the class's variables. */
    public List<Expected> expected(LayerSpec layer) {
        List<Expected> own = own(layer);
        if (own == null) return null;
        if (layer.trainable()) return own;
        List<Expected> frozen = new ArrayList<>();
        for (Expected e : own) frozen.add(e.prefixed("", "", false));
        return frozen;
    }

    private List<Expected> own(LayerSpec l) {
        JsonNode c = l.config();
        boolean bias = !c.has("use_bias") || c.get("use_bias").asBoolean(true);
        List<Expected> out = new ArrayList<>();
        switch (l.className()) {
            case "Dense", "Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose",
                 "Conv3DTranspose", "LocallyConnected1D", "LocallyConnected2D" -> {
                out.add(w(l, "kernel", "kernel", true, "vars/0"));
                if (bias) out.add(w(l, "bias", "bias", true, "vars/1"));
            }
            case "DepthwiseConv1D", "DepthwiseConv2D" -> { // Keras 3 calls the variable 'kernel' (tf.keras: depthwise_kernel)
                out.add(new Expected("kernel", "depthwise_kernel", true, "vars/0", regularizers.of(l, "depthwise_regularizer")));
                if (bias) out.add(w(l, "bias", "bias", true, "vars/1"));
            }
            case "SeparableConv1D", "SeparableConv2D" -> {
                out.add(w(l, "depthwise_kernel", "depthwise_kernel", true, "vars/0"));
                out.add(w(l, "pointwise_kernel", "pointwise_kernel", true, "vars/1"));
                if (bias) out.add(w(l, "bias", "bias", true, "vars/2"));
            }
            // --- text/attention layers (issue 17) ---
            case "EinsumDense" -> { // a bias only with bias_axes (EinsumDense has no use_bias)
                out.add(w(l, "kernel", "kernel", true, "vars/0"));
                if (Json.isPresent(c, "bias_axes")) out.add(w(l, "bias", "bias", true, "vars/1"));
            }
            case "Attention", "AdditiveAttention" -> { // no regularizers: Keras takes none for these
                int i = 0;
                if (c.path("use_scale").asBoolean(l.className().equals("AdditiveAttention")))
                    out.add(new Expected("scale", "scale", true, "vars/" + i++, null));
                if (l.className().equals("Attention") && "concat".equals(Json.text(c, "score_mode")))
                    out.add(new Expected("concat_score_weight", "concat_score_weight", true, "vars/" + i, null));
            }
            // --- end text/attention layers ---
            case "Embedding" -> out.add(w(l, "embeddings", "embeddings", true, "vars/0"));
            case "PReLU" -> out.add(w(l, "alpha", "alpha", true, "vars/0"));
            case "LayerScale" -> out.add(w(l, "gamma", "gamma", true, "vars/0")); // keras.applications.convnext
            case "BatchNormalization", "SyncBatchNormalization" -> {
                int i = 0;
                if (!c.has("scale") || c.get("scale").asBoolean(true)) out.add(w(l, "gamma", "gamma", true, "vars/" + i++));
                if (!c.has("center") || c.get("center").asBoolean(true)) out.add(w(l, "beta", "beta", true, "vars/" + i++));
                out.add(w(l, "moving_mean", "moving_mean", false, "vars/" + i++));
                out.add(w(l, "moving_variance", "moving_variance", false, "vars/" + i));
            }
            case "LayerNormalization", "GroupNormalization" -> {
                int i = 0;
                boolean rms = c.has("rms_scaling") && c.get("rms_scaling").asBoolean(false);
                if (!c.has("scale") || c.get("scale").asBoolean(true)) out.add(w(l, "gamma", "gamma", true, "vars/" + i++));
                if (!rms && (!c.has("center") || c.get("center").asBoolean(true))) out.add(w(l, "beta", "beta", true, "vars/" + i));
            }
            case "Normalization" -> {
                // mean/variance given in the config are constants: Keras creates no variables then (build())
                if (Json.isPresent(c, "mean") || Json.isPresent(c, "variance")) return out;
                out.add(w(l, "mean", "mean", false, "vars/0"));
                out.add(w(l, "variance", "variance", false, "vars/1"));
                out.add(w(l, "count", "count", false, "vars/2"));
            }
            case "LSTM", "GRU", "SimpleRNN" -> {
                String cell = LayerCatalog.snakeCase(l.className()) + "_cell.";
                out.add(w(l, cell + "kernel", "kernel", true, "cell/vars/0"));
                out.add(w(l, cell + "recurrent_kernel", "recurrent_kernel", true, "cell/vars/1"));
                if (bias) out.add(w(l, cell + "bias", "bias", true, "cell/vars/2"));
            }
            case "CuDNNLSTM", "CuDNNGRU" -> {
                out.add(w(l, "kernel", "kernel", true, "vars/0"));
                out.add(w(l, "recurrent_kernel", "recurrent_kernel", true, "vars/1"));
                out.add(w(l, "bias", "bias", true, "vars/2"));
            }
            case "GroupedQueryAttention" -> { // issue 17: groups named after its attributes, underscore kept
                String[][] parts = {{"query", "_query_dense"}, {"key", "_key_dense"}, {"value", "_value_dense"},
                        {"attention_output", "_output_dense"}};
                for (String[] p : parts) {
                    out.add(w(l, p[0] + ".kernel", "kernel", true, p[1] + "/vars/0"));
                    if (bias) out.add(w(l, p[0] + ".bias", "bias", true, p[1] + "/vars/1"));
                }
            }
            case "MultiHeadAttention" -> {
                String[][] parts = {{"query", "query_dense"}, {"key", "key_dense"}, {"value", "value_dense"},
                        {"attention_output", "output_dense"}};
                for (String[] p : parts) {
                    out.add(w(l, p[0] + ".kernel", "kernel", true, p[1] + "/vars/0"));
                    if (bias) out.add(w(l, p[0] + ".bias", "bias", true, p[1] + "/vars/1"));
                }
            }
            case "Bidirectional" -> {
                for (int k = 0; k < 2; k++) {
                    LayerSpec dir = l.inner().layers().get(k);
                    List<Expected> inner = expected(dir);
                    if (inner == null) return null;
                    String group = k == 0 ? "forward_layer/" : "backward_layer/";
                    for (Expected e : inner) out.add(e.prefixed(dir.name() + ".", group, true));
                }
            }
            case "TimeDistributed" -> {
                LayerSpec inner = l.inner().layers().get(0);
                List<Expected> in = expected(inner);
                if (in == null) return null;
                for (Expected e : in) out.add(e.prefixed(inner.name() + ".", "layer/", true));
            }
            case "Sequential", "Functional" -> {
                return nested(l.inner());
            }
            default -> {
                if (!LayerCatalog.isKnown(l.className()) || l.className().startsWith("ConvLSTM")
                        || l.className().equals("RNN") || l.className().endsWith("Cell")
                        || l.className().equals("Highway")
                        || l.className().equals("MaxoutDense") || l.className().equals("SpectralNormalization"))
                    return null; // variables not tabled: the reader names them after the file
            }
        }
        return out;
    }

    /**
     * A model used as a layer: each sublayer's variables, named {@code <sublayer>.<name>} and kept in the
     * sublayer's own group ({@code layers/<snake_class>[_n]/...}). Order: per sublayer; see {@link #legacyOrder}.
     */
    private List<Expected> nested(KerasGraph g) {
        List<Expected> out = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean sequential = g.isSequential();
        for (LayerSpec sub : g.layers()) {
            if (sub.isInput() && (sequential || sub.synthesized())) continue;
            String group = "layers/" + v3GroupName(sub, seen) + "/";
            List<Expected> in = expected(sub);
            if (in == null) return null;
            for (Expected e : in) out.add(e.prefixed(sub.name() + ".", group, true));
        }
        return out;
    }

    /** The unique {@code snake_case(class)[_n]} group name Keras 3 gives a layer in a list. */
    public static String v3GroupName(LayerSpec l, Map<String, Integer> seen) {
        String base = LayerCatalog.snakeCase(l.writtenClassName().equals("Model") ? "Functional"
                : l.className().startsWith("ops.") ? l.writtenClassName() : l.className());
        int n = seen.merge(base, 1, Integer::sum) - 1;
        return n == 0 ? base : base + "_" + n;
    }

    /**
     * Legacy {@code .h5} files store a nested model's variables as all trainable ones first, then all
     * non-trainable ones ({@code layer.trainable_weights + layer.non_trainable_weights}); other layers in own order.
     */
    public static List<Expected> legacyOrder(LayerSpec l, List<Expected> expected) {
        if (l.inner() == null || !(l.className().equals("Sequential") || l.className().equals("Functional")))
            return expected;
        List<Expected> out = new ArrayList<>();
        for (Expected e : expected) if (e.trainable()) out.add(e);
        for (Expected e : expected) if (!e.trainable()) out.add(e);
        return out;
    }

    private Expected w(LayerSpec l, String name, String role, boolean trainable, String v3Path) {
        String field = ConfigReader.REGULARIZER_FIELD_BY_ROLE.get(role);
        Regularizer r = field == null ? null : regularizers.of(l, field);
        return new Expected(name, role, trainable, v3Path, r);
    }
}
