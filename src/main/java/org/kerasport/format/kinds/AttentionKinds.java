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
                kind("Attention"),
                kind("AdditiveAttention"),
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
                kind("GroupedQueryAttention").untabledWeights());
    }
}
