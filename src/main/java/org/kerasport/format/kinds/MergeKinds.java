package org.kerasport.format.kinds;

import static org.kerasport.format.kinds.LayerKind.kind;

import java.util.List;
import org.kerasport.format.kinds.LayerKind.ShapeRule;

/** The merging layers (keras.layers.merging) and the Keras 3 operation layers Kerasport computes. */
final class MergeKinds {
    private MergeKinds() {
    }

    /** Element-wise: the inputs broadcast (an operation layer's constant operand leaves the shape as it is). */
    private static final ShapeRule BROADCAST = (l, ins, x) -> Shapes.broadcast(ins);

    /** A reduction over {@code axis} ({@code keepdims} keeps them as 1); over every axis, the batch too: unknown. */
    private static final LayerKind.ShapeRule REDUCE = (l, ins, x) -> {
        Long[] in = ins.get(0);
        com.fasterxml.jackson.databind.JsonNode a = l.config().get("axis");
        if (a == null || a.isNull()) return null;
        boolean keep = l.config().has("keepdims") && l.config().get("keepdims").asBoolean();
        java.util.Set<Integer> axes = new java.util.HashSet<>();
        for (com.fasterxml.jackson.databind.JsonNode v : a.isArray() ? a : List.of(a))
            axes.add(v.asInt() < 0 ? v.asInt() + in.length : v.asInt());
        List<Long> o = new java.util.ArrayList<>();
        for (int i = 0; i < in.length; i++) if (!axes.contains(i)) o.add(in[i]); else if (keep) o.add(1L);
        return o.toArray(new Long[0]);
    };

    static List<LayerKind> all() {
        return List.of(
                kind("Add").shape(BROADCAST),
                kind("Subtract").shape(BROADCAST),
                kind("Multiply").shape(BROADCAST),
                kind("Average").shape(BROADCAST),
                kind("Maximum").shape(BROADCAST),
                kind("Minimum").shape(BROADCAST),
                kind("Concatenate").shape((l, ins, x) -> {
                    Long[] in = ins.get(0);
                    int axis = l.config().has("axis") ? l.config().get("axis").asInt() : -1;
                    int ax = axis < 0 ? in.length + axis : axis;
                    long sum = 0;
                    for (Long[] s : ins) {
                        if (s[ax] == null) return Shapes.with(in, ax, null);
                        sum += s[ax];
                    }
                    return Shapes.with(in, ax, sum);
                }),
                kind("Dot").shape((l, ins, x) -> { // issue 17: keras batch_dot's output shape
                    Long[] a = ins.get(0), b = ins.get(1);
                    var ax = l.config().get("axes");
                    int a0 = ax.isInt() ? ax.asInt() : ax.get(0).asInt(), a1 = ax.isInt() ? ax.asInt() : ax.get(1).asInt();
                    a0 = a0 < 0 ? Math.floorMod(a0, a.length) : a0;
                    a1 = a1 < 0 ? Math.floorMod(a1, b.length) : a1;
                    java.util.List<Long> r = new java.util.ArrayList<>();
                    r.add(a[0]);
                    for (int i = 1; i < a.length; i++) if (i != a0) r.add(a[i]);
                    for (int i = 1; i < b.length; i++) if (i != a1) r.add(b[i]);
                    if (r.size() == 1) r.add(1L);
                    return r.toArray(new Long[0]);
                }),
                // operation layers (a keras.ops call on a symbolic tensor), named ops.<module>.<Class>
                kind("ops.numpy.Add").shape(BROADCAST),
                kind("ops.numpy.Subtract").shape(BROADCAST),
                kind("ops.numpy.Multiply").shape(BROADCAST),
                kind("ops.numpy.Divide").shape(BROADCAST),
                kind("ops.numpy.TrueDivide").shape(BROADCAST),
                // comparisons, logic and casts keep the shape (Keras writes NotEqual and Any itself, to compute masks)
                kind("ops.numpy.NotEqual").sameShape(),
                kind("ops.numpy.Equal").sameShape(),
                kind("ops.numpy.Greater").sameShape(),
                kind("ops.numpy.GreaterEqual").sameShape(),
                kind("ops.numpy.Less").sameShape(),
                kind("ops.numpy.LessEqual").sameShape(),
                kind("ops.numpy.LogicalNot").sameShape(),
                kind("ops.core.Cast").sameShape(),
                // reductions drop (or keep as 1) their axes
                kind("ops.numpy.Any").shape(REDUCE),
                kind("ops.numpy.All").shape(REDUCE),
                kind("ops.numpy.Sum").shape(REDUCE),
                kind("ops.numpy.Mean").shape(REDUCE),
                kind("ops.numpy.Max").shape(REDUCE),
                kind("ops.numpy.Min").shape(REDUCE));
    }
}
