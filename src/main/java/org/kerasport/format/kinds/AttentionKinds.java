package org.kerasport.format.kinds;

import static org.kerasport.format.kinds.LayerKind.kind;

import java.util.Arrays;
import java.util.List;

/** Attention layers (keras.layers.attention). */
final class AttentionKinds {
    private AttentionKinds() {
    }

    static List<LayerKind> all() {
        return List.of(
                kind("Attention").shape(ATTENTION_SHAPE).weights(SCALES),
                kind("AdditiveAttention").shape(ATTENTION_SHAPE).weights(SCALES),
                kind("MultiHeadAttention").shape((l, ins, x) -> {
                    Long[] in = ins.get(0);
                    Long[] os = Shapes.of(l.config().get("output_shape"));
                    return os != null ? Shapes.concat(Arrays.copyOf(in, in.length - 1), os) : in;
                }).weights((l, v) -> { // four EinsumDense sub-layers, each in its own group
                    String[][] parts = {{"query", "query_dense"}, {"key", "key_dense"}, {"value", "value_dense"},
                            {"attention_output", "output_dense"}};
                    boolean bias = Cfg.bias(l.config());
                    for (String[] p : parts) {
                        v.add(p[0] + ".kernel", "kernel", true, p[1] + "/vars/0");
                        if (bias) v.add(p[0] + ".bias", "bias", true, p[1] + "/vars/1");
                    }
                    return true;
                }),
                // Keras 3 exports the class as keras.layers.GroupQueryAttention and writes that name in configs; its
                // .keras groups follow the class and its attributes (grouped_query_attention/_query_dense/...)
                kind("GroupedQueryAttention").alias("GroupQueryAttention").sameShape().weights((l, v) -> {
                    String[][] parts = {{"query", "_query_dense"}, {"key", "_key_dense"}, {"value", "_value_dense"},
                            {"attention_output", "_output_dense"}};
                    boolean bias = Cfg.bias(l.config());
                    for (String[] p : parts) {
                        v.add(p[0] + ".kernel", "kernel", true, p[1] + "/vars/0");
                        if (bias) v.add(p[0] + ".bias", "bias", true, p[1] + "/vars/1");
                    }
                    return true;
                }));
    }

    /** Attention/AdditiveAttention: the query's shape with the value's last axis. */
    private static final LayerKind.ShapeRule ATTENTION_SHAPE = (l, ins, x) -> {
        Long[] v = ins.get(1);
        return Shapes.with(ins.get(0), ins.get(0).length - 1, v[v.length - 1]);
    };

    /** Their scale (use_scale; AdditiveAttention's default on) and Attention's concat_score_weight; no regularizers. */
    private static final LayerKind.WeightRule SCALES = (l, v) -> {
        int i = 0;
        var c = l.config();
        if (c.path("use_scale").asBoolean(l.className().equals("AdditiveAttention"))) v.add("scale", "scale", true, "vars/" + i++);
        if (l.className().equals("Attention") && "concat".equals(c.path("score_mode").asText()))
            v.add("concat_score_weight", "concat_score_weight", true, "vars/" + i);
        return true;
    };
}
