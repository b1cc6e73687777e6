package org.kerasport.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * Renames Keras 1.x layer config keys to their Keras 2/3 names (KERAS_FORMATS.md §1.8), so the rest of Kerasport
 * reads one dialect. Only keys are renamed or re-shaped; values are kept. The verbatim config stays in the layer.
 */
final class Keras1Dialect {
    private Keras1Dialect() {
    }

    /** Keys renamed for every layer class. */
    private static final Map<String, String> COMMON = Map.ofEntries(
            Map.entry("output_dim", "units"),
            Map.entry("init", "kernel_initializer"),
            Map.entry("inner_init", "recurrent_initializer"),
            Map.entry("inner_activation", "recurrent_activation"),
            Map.entry("W_regularizer", "kernel_regularizer"),
            Map.entry("U_regularizer", "recurrent_regularizer"),
            Map.entry("b_regularizer", "bias_regularizer"),
            Map.entry("W_constraint", "kernel_constraint"),
            Map.entry("U_constraint", "recurrent_constraint"),
            Map.entry("b_constraint", "bias_constraint"),
            Map.entry("bias", "use_bias"),
            Map.entry("dropout_W", "dropout"),
            Map.entry("dropout_U", "recurrent_dropout"),
            Map.entry("nb_filter", "filters"),
            Map.entry("border_mode", "padding"),
            Map.entry("subsample", "strides"),
            Map.entry("atrous_rate", "dilation_rate"),
            Map.entry("subsample_length", "strides"),
            Map.entry("pool_length", "pool_size"),
            Map.entry("stride", "strides"),
            Map.entry("depth_multiplier", "depth_multiplier"),
            Map.entry("p", "rate"));

    /** True when a layer config carries a key only Keras 1 wrote (for files that do not say their version). */
    static boolean looksLikeKeras1(String canonicalClass, JsonNode cfg) {
        if (cfg == null || !cfg.isObject()) return false;
        if (canonicalClass.equals("Embedding")) return cfg.has("W_regularizer") || cfg.has("input_dtype") || cfg.has("init");
        for (String k : new String[]{"output_dim", "W_regularizer", "b_regularizer", "nb_filter", "border_mode",
                "inner_activation", "dim_ordering", "input_dtype", "filter_length", "pool_length"})
            if (cfg.has(k)) return true;
        return false;
    }

    static ObjectNode normalize(String canonicalClass, JsonNode raw) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        raw.fields().forEachRemaining(e -> {
            String key = e.getKey();
            String renamed = COMMON.getOrDefault(key, key);
            if (canonicalClass.equals("Embedding")) {
                if (key.equals("output_dim")) renamed = key; // Embedding kept output_dim in every version
                if (key.equals("W_regularizer")) renamed = "embeddings_regularizer";
                if (key.equals("init")) renamed = "embeddings_initializer";
                if (key.equals("W_constraint")) renamed = "embeddings_constraint";
            }
            if (canonicalClass.equals("PReLU") && key.equals("init")) renamed = "alpha_initializer";
            if (canonicalClass.equals("SeparableConv2D") || canonicalClass.equals("SeparableConv1D")) {
                if (key.equals("depthwise_regularizer") || key.equals("pointwise_regularizer")) renamed = key;
            }
            out.set(renamed, e.getValue());
        });
        // Convolution2D: nb_row/nb_col -> kernel_size; Convolution1D: filter_length -> kernel_size
        if (raw.has("nb_row") && raw.has("nb_col")) {
            ArrayNode ks = out.arrayNode().add(raw.get("nb_row").asInt()).add(raw.get("nb_col").asInt());
            out.remove("nb_row");
            out.remove("nb_col");
            out.set("kernel_size", ks);
        }
        if (raw.has("kernel_dim1") && raw.has("kernel_dim2") && raw.has("kernel_dim3")) {
            out.set("kernel_size", out.arrayNode().add(raw.get("kernel_dim1").asInt()).add(raw.get("kernel_dim2").asInt())
                    .add(raw.get("kernel_dim3").asInt()));
            out.remove("kernel_dim1");
            out.remove("kernel_dim2");
            out.remove("kernel_dim3");
        }
        if (raw.has("filter_length")) {
            out.set("kernel_size", out.arrayNode().add(raw.get("filter_length").asInt()));
            out.remove("filter_length");
        }
        if (raw.has("dim_ordering")) {
            String d = raw.get("dim_ordering").asText();
            out.put("data_format", d.equals("th") ? "channels_first" : "channels_last");
            out.remove("dim_ordering");
        }
        if (raw.has("forget_bias_init")) {
            out.put("unit_forget_bias", "one".equals(raw.get("forget_bias_init").asText()));
            out.remove("forget_bias_init");
        }
        return out;
    }
}
