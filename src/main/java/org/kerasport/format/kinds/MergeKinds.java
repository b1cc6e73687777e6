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
                kind("ops.numpy.TrueDivide").shape(BROADCAST));
    }
}
