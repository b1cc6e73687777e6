package org.kerasport.format.kinds;

import static org.kerasport.format.kinds.LayerKind.kind;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.kerasport.format.kinds.LayerKind.ConfigUpgrade;
import org.kerasport.format.kinds.LayerKind.WeightRule;

/** Core layers (keras.layers.core, reshaping, regularization) and the activation layers. */
final class CoreKinds {
    private CoreKinds() {
    }

    /** {@code kernel}, then {@code bias} unless {@code use_bias} is false. */
    static final WeightRule KERNEL_BIAS = (l, v) -> {
        v.add("kernel", "kernel", true, "vars/0");
        if (Cfg.bias(l.config())) v.add("bias", "bias", true, "vars/1");
        return true;
    };

    static List<LayerKind> all() {
        return List.of(
                kind("InputLayer"),
                kind("Dense").alias("TimeDistributedDense") // Keras 2+ Dense on a 3-D input is the same computation
                        .shape((l, ins, x) -> Shapes.with(ins.get(0), ins.get(0).length - 1, l.config().get("units").asLong()))
                        .weights(KERNEL_BIAS),
                kind("EinsumDense").shape((l, ins, x) -> { // issue 17: the equations EinsumPlan reads
                    Long[] in = ins.get(0);
                    long[] ns = new long[in.length - 1];
                    for (int i = 1; i < in.length; i++) ns[i - 1] = in[i];
                    var c = l.config();
                    var os = c.get("output_shape");
                    Long[] partial = os == null || os.isNull() ? new Long[0] : os.isNumber() ? new Long[]{os.asLong()} : Shapes.of(os);
                    long[] o = EinsumPlan.of(c.get("equation").asText(), ns, partial,
                            Cfg.isPresent(c, "bias_axes") ? c.get("bias_axes").asText() : null).outShape;
                    Long[] r = new Long[o.length + 1];
                    r[0] = in[0];
                    for (int i = 0; i < o.length; i++) r[i + 1] = o[i];
                    return r;
                }).weights((l, v) -> { // a bias only with bias_axes (EinsumDense has no use_bias)
                    v.add("kernel", "kernel", true, "vars/0");
                    if (Cfg.isPresent(l.config(), "bias_axes")) v.add("bias", "bias", true, "vars/1");
                    return true;
                }),
                kind("Activation").sameShape(),
                kind("Embedding").shape((l, ins, x) -> {
                            Long[] in = ins.get(0);
                            Long[] o = Arrays.copyOf(in, in.length + 1);
                            o[in.length] = l.config().get("output_dim").asLong();
                            return o;
                        })
                        .weights((l, v) -> {
                            v.add("embeddings", "embeddings", true, "vars/0");
                            return true;
                        })
                        .keeps("input_dim")
                        .upgrade((l, c, notes) -> c.remove("dropout")), // Keras 1
                kind("Masking").sameShape(),
                kind("Lambda").shape((l, ins, x) -> { // the function is never run; trust only a declared output shape
                    Long[] os = Shapes.of(l.config().get("output_shape"));
                    return os == null ? null : Shapes.prepend(os);
                }).upgrade((l, c, notes) -> upgradeLambda(l.name(), c, notes)),
                kind("Identity").sameShape(),
                kind("Dropout").sameShape().upgrade((l, c, notes) -> {
                    if (c.has("p") && !c.has("rate")) Cfg.rename(c, "p", "rate"); // Keras 1
                }),
                kind("SpatialDropout1D").sameShape().upgrade(SPATIAL_DROPOUT),
                kind("SpatialDropout2D").sameShape().upgrade(SPATIAL_DROPOUT),
                kind("SpatialDropout3D").sameShape().upgrade(SPATIAL_DROPOUT),
                kind("GaussianNoise").sameShape(),
                kind("GaussianDropout").sameShape(),
                kind("AlphaDropout").sameShape(),
                kind("ActivityRegularization").sameShape(),
                kind("Flatten").shape((l, ins, x) -> {
                    Long[] in = ins.get(0);
                    long p = 1;
                    for (int i = 1; i < in.length; i++) {
                        if (in[i] == null) return null;
                        p *= in[i];
                    }
                    return new Long[]{null, p};
                }),
                kind("Reshape").shape((l, ins, x) -> {
                    Long[] in = ins.get(0);
                    Long[] t = Shapes.of(l.config().get("target_shape"));
                    long total = 1, known = 1;
                    for (int i = 1; i < in.length; i++) {
                        if (in[i] == null) return null;
                        total *= in[i];
                    }
                    int free = -1;
                    for (int i = 0; i < t.length; i++) if (t[i] == -1) free = i; else known *= t[i];
                    if (free >= 0) t[free] = total / known;
                    return Shapes.prepend(t);
                }),
                kind("Permute").shape((l, ins, x) -> {
                    Long[] in = ins.get(0);
                    Long[] d = Shapes.of(l.config().get("dims"));
                    Long[] o = new Long[in.length];
                    o[0] = in[0];
                    for (int i = 0; i < d.length; i++) o[i + 1] = in[d[i].intValue()];
                    return o;
                }),
                kind("RepeatVector").shape((l, ins, x) -> new Long[]{ins.get(0)[0], l.config().get("n").asLong(), ins.get(0)[1]}),
                kind("Highway").untabledWeights(), // Keras 1
                kind("MaxoutDense").untabledWeights(), // Keras 1
                kind("Merge"), // Keras 1's one merge layer (mode: sum, concat ...)
                // activations as layers
                kind("ReLU").sameShape(),
                kind("LeakyReLU").sameShape(),
                kind("PReLU").sameShape().weights((l, v) -> {
                    v.add("alpha", "alpha", true, "vars/0");
                    return true;
                }),
                kind("ELU").sameShape(),
                kind("ThresholdedReLU").sameShape(),
                kind("Softmax").sameShape());
    }

    /** Keras 3's SpatialDropout takes rate, data_format and seed only. */
    private static final ConfigUpgrade SPATIAL_DROPOUT = (l, c, notes) -> c.remove("noise_shape");

    /** Keras 2 {@code function: [code, defaults, closure], function_type: "lambda"} as Keras 3's {@code __lambda__}. */
    private static void upgradeLambda(String layer, ObjectNode cfg, Consumer<String> notes) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        for (String k : List.of("function", "output_shape")) {
            JsonNode type = cfg.remove(k + "_type");
            JsonNode v = cfg.get(k);
            if (type == null) continue;
            if ("lambda".equals(type.asText()) && v != null && v.isArray()) {
                ObjectNode l = f.objectNode();
                l.put("class_name", "__lambda__");
                ObjectNode c = l.putObject("config");
                c.set("code", v.get(0));
                c.set("defaults", v.size() > 1 ? v.get(1) : f.nullNode());
                c.set("closure", v.size() > 2 ? v.get(2) : f.nullNode());
                cfg.set(k, l);
                notes.accept("Lambda '" + layer + "': its marshalled Python bytecode is written as Keras 3's __lambda__; Keras 3 "
                        + "loads it only with safe_mode=False and a Python that can unmarshal the original bytecode");
            } else if ("function".equals(type.asText()) && v != null && v.isTextual()) {
                ObjectNode fn = f.objectNode();
                fn.put("class_name", "function");
                fn.set("config", v);
                cfg.set(k, fn);
            }
        }
    }
}
